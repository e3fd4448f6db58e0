import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_EXPIRED_REASON } from '../../src/sip/index.js';
import { buildRequest, cseqOf, establish, flushMicrotasks, OFFER_SDP, respondTo, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
afterEach(async () => {
  await h.server.stop();
  expect(h.clock.pendingTimers).toBe(0);
});

describe('RFC 4028 §9 session timer negotiation (UAS)', () => {
  it('422 with our Min-SE when Session-Expires is below it', async () => {
    h = await startHarness({ sessionTimer: { defaultExpires: 1800, minSE: 300 } });
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, headers: [['Supported', 'timer'], ['Session-Expires', '120']] }));
    const [r] = h.takeResponses();
    expect(r?.status).toBe(422);
    expect(r?.headers.get('Min-SE')).toBe('300');
    expect(h.calls).toHaveLength(0);
  });

  it('honours the UAC interval and refresher, adding Require: timer because it supports timers', async () => {
    h = await startHarness();
    const { ok } = await establish(h, { headers: [['Supported', 'timer'], ['Session-Expires', '900;refresher=uac'], ['Min-SE', '90']] });
    expect(ok.headers.get('Session-Expires')).toBe('900;refresher=uac');
    expect(ok.headers.get('Require')).toBe('timer');
  });

  it('without Supported: timer we impose our own timer with refresher=uas and no Require', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    const accepted = h.calls[0]!.accept(OFFER_SDP);
    const ok = h.takeResponses().find((r) => r.status === 200)!;
    expect(ok.headers.get('Session-Expires')).toBe('1800;refresher=uas');
    expect(ok.headers.has('Require')).toBe(false);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-a', toTag: h.calls[0]!.localTag }));
    await accepted;
  });
});

describe('RFC 4028 §10 refresher = UAS (us)', () => {
  it('sends a refreshing UPDATE at half the interval when the peer allows UPDATE, and keeps going on 2xx', async () => {
    h = await startHarness();
    const { dialog } = await establish(h, { headers: [['Session-Expires', '200;refresher=uas'], ['Allow', 'INVITE, ACK, BYE, CANCEL, UPDATE']] });
    h.take();
    h.clock.advance(99_999);
    expect(h.takeRequests()).toEqual([]);
    h.clock.advance(1);
    const [update] = h.takeRequests();
    expect(update?.method).toBe('UPDATE');
    expect(update?.headers.get('Session-Expires')).toBe('200;refresher=uac');
    expect(update?.body.length).toBe(0); // RFC 4028 §7.4: no offer in the refreshing UPDATE
    expect(update?.headers.get('Contact')).toBe('<sip:127.0.0.1:5060>');
    h.send(respondTo(update!, 200, { headers: [['Session-Expires', '200;refresher=uac'], ['Require', 'timer']] }));
    expect(dialog.sessionTimer).toEqual({ intervalS: 200, weRefresh: true });
    h.clock.advance(100_000);
    const [again] = h.takeRequests();
    expect(again?.method).toBe('UPDATE');
    expect(cseqOf(again!).seq).toBe(cseqOf(update!).seq + 1);
    h.send(respondTo(again!, 200, { headers: [['Session-Expires', '200;refresher=uac']] }));
    expect(dialog.state).toBe('confirmed');
  });

  it('uses re-INVITE with our last SDP when UPDATE is not allowed, and ACKs every 2xx', async () => {
    h = await startHarness();
    const { dialog } = await establish(h, { headers: [['Session-Expires', '200;refresher=uas'], ['Allow', 'INVITE, ACK, BYE, CANCEL']] });
    dialog.setLocalSdp('v=0\r\no=gateway 1 1 IN IP4 127.0.0.1\r\n');
    h.take();
    h.clock.advance(100_000);
    const [reinvite] = h.takeRequests();
    expect(reinvite?.method).toBe('INVITE');
    expect(reinvite?.body.toString()).toBe('v=0\r\no=gateway 1 1 IN IP4 127.0.0.1\r\n');
    expect(reinvite?.headers.get('Content-Type')).toBe('application/sdp');
    const ok = respondTo(reinvite!, 200, { headers: [['Session-Expires', '200;refresher=uac'], ['Contact', '<sip:caller@127.0.0.2:5070>']], body: OFFER_SDP });
    h.send(ok);
    const [ack] = h.takeRequests();
    expect(ack?.method).toBe('ACK');
    expect(cseqOf(ack!)).toEqual({ seq: cseqOf(reinvite!).seq, method: 'ACK' });
    expect(ack?.headers.get('Via')).not.toBe(reinvite?.headers.get('Via')); // a new transaction
    h.send(ok); // 2xx retransmission → the same ACK again (RFC 3261 §13.2.2.4)
    expect(h.takeRequests().map((r) => r.method)).toEqual(['ACK']);
  });

  it('falls back to re-INVITE when the peer refuses UPDATE with 501', async () => {
    h = await startHarness();
    await establish(h, { headers: [['Session-Expires', '200;refresher=uas'], ['Allow', 'INVITE, ACK, BYE, UPDATE']] });
    h.take();
    h.clock.advance(100_000);
    const [update] = h.takeRequests();
    h.send(respondTo(update!, 501));
    const [reinvite] = h.takeRequests();
    expect(reinvite?.method).toBe('INVITE');
  });

  it('a 481 to our refresh ends the dialog with a BYE (RFC 3261 §12.2.1.2)', async () => {
    h = await startHarness();
    const { dialog } = await establish(h, { headers: [['Session-Expires', '200;refresher=uas'], ['Allow', 'INVITE, ACK, BYE, UPDATE']] });
    const reasons: string[] = [];
    dialog.on('terminated', (r) => reasons.push(r));
    h.take();
    h.clock.advance(100_000);
    const [update] = h.takeRequests();
    h.send(respondTo(update!, 481));
    const [bye] = h.takeRequests();
    expect(bye?.method).toBe('BYE');
    h.send(respondTo(bye!, 200));
    expect(reasons).toEqual(['refresh-failed']);
  });
});

describe('RFC 3261 §17.1.4 transport failure on a refresh', () => {
  it('ends the dialog with terminated(transport-error) and frees the slot', async () => {
    h = await startHarness();
    const { dialog } = await establish(h, { headers: [['Session-Expires', '200;refresher=uas']] });
    const reasons: string[] = [];
    dialog.on('terminated', (r) => reasons.push(r));
    h.transport.failSends();
    h.clock.advance(100_000);
    await flushMicrotasks();
    expect(reasons).toEqual(['transport-error']);
    expect(h.server.activeCalls).toBe(0);
    expect(h.server.stats()['transport.send_error']).toBeGreaterThan(0);
  });
});

describe('RFC 4028 §10 refresher = UAC (peer)', () => {
  it('BYE with Reason 408 "Session expired" at interval − min(32 s, interval/3) without a refresh', async () => {
    h = await startHarness();
    const { dialog } = await establish(h, { headers: [['Session-Expires', '90;refresher=uac'], ['Supported', 'timer']] });
    const reasons: string[] = [];
    dialog.on('terminated', (r) => reasons.push(r));
    h.take();
    h.clock.advance(59_999); // 90 − min(32, 30) = 60 s
    expect(h.takeRequests()).toEqual([]);
    h.clock.advance(1);
    const [bye] = h.takeRequests();
    expect(bye?.method).toBe('BYE');
    expect(bye?.headers.get('Reason')).toBe(SESSION_EXPIRED_REASON);
    h.send(respondTo(bye!, 200));
    expect(reasons).toEqual(['session-expired']);
    expect(h.server.activeCalls).toBe(0);
  });

  it('a refresh from the peer (re-INVITE) restarts the expiry timer', async () => {
    h = await startHarness();
    const { toTag } = await establish(h, { headers: [['Session-Expires', '90;refresher=uac'], ['Supported', 'timer']] });
    h.take();
    h.clock.advance(50_000);
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-refresh', toTag, cseq: 2, body: OFFER_SDP, headers: [['Session-Expires', '90;refresher=uac'], ['Supported', 'timer']] }));
    const ok = h.takeResponses().find((r) => r.status === 200);
    expect(ok?.headers.get('Session-Expires')).toBe('90;refresher=uac');
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-refresh-ack', toTag, cseq: 2 }));
    h.clock.advance(59_999);
    expect(h.takeRequests()).toEqual([]);
    h.clock.advance(1);
    expect(h.takeRequests().map((r) => r.method)).toEqual(['BYE']);
  });
});
