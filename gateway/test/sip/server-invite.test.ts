import { afterEach, describe, expect, it } from 'vitest';
import { SipError, type Dialog } from '../../src/sip/index.js';
import {
  ANSWER_SDP,
  buildRequest,
  cseqOf,
  establish,
  flushMicrotasks,
  OFFER_SDP,
  respondTo,
  startHarness,
  toTagOf,
  topBranch,
  UAC,
  type Harness,
} from './helpers/harness.js';

let h: Harness;
afterEach(async () => {
  await h.server.stop();
  expect(h.clock.pendingTimers).toBe(0);
});

describe('RFC 3261 §13.3 UAS INVITE processing', () => {
  it('sends 100 Trying before the application sees the INVITE, then hands it over with the offer', async () => {
    h = await startHarness();
    let sentBeforeEmit = -1;
    h.server.on('invite', () => {
      sentBeforeEmit = h.sentCount();
    });
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    expect(sentBeforeEmit).toBe(1);
    const [trying] = h.takeResponses();
    expect(trying?.status).toBe(100);
    expect(toTagOf(trying!)).toBeUndefined(); // §8.2.6.2: no tag on 100
    const call = h.calls[0]!;
    expect(call.offer).toBe(OFFER_SDP);
    expect(call.callId).toBe('call-1@127.0.0.2');
    expect(call.source).toMatchObject({ transport: 'udp', address: UAC.address, port: UAC.port });
    expect(h.server.activeCalls).toBe(1);
    call.reject(486);
  });

  it('stamps received and rport into the top Via of the responses (RFC 3581 §4)', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, via: 'SIP/2.0/UDP 10.9.9.9:5999;branch=z9hG4bK-nat;rport' }));
    const [trying] = h.takeResponses();
    expect(trying?.headers.get('Via')).toBe(`SIP/2.0/UDP 10.9.9.9:5999;branch=z9hG4bK-nat;rport=${UAC.port};received=${UAC.address}`);
    h.calls[0]!.reject(486);
  });

  it('sends 180 and 183 with our To tag and a Contact, and 183 carries early-media SDP', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    h.take();
    const call = h.calls[0]!;
    call.progress(180);
    call.progress(183, { sdp: ANSWER_SDP });
    const [ringing, progress] = h.takeResponses();
    expect(ringing?.status).toBe(180);
    expect(toTagOf(ringing!)).toBe(call.localTag);
    expect(ringing?.headers.get('Contact')).toBe('<sip:127.0.0.1:5060>');
    expect(progress?.status).toBe(183);
    expect(progress?.body.toString()).toBe(ANSWER_SDP);
    expect(progress?.headers.get('Content-Type')).toBe('application/sdp');
    call.reject(480);
  });

  it('resolves accept() with a confirmed Dialog when the ACK arrives', async () => {
    h = await startHarness({ userAgent: 'gw/1' });
    const { dialog, ok, call } = await establish(h);
    expect(ok.headers.get('Contact')).toBe('<sip:127.0.0.1:5060>');
    expect(ok.headers.get('Content-Type')).toBe('application/sdp');
    expect(ok.headers.get('Server')).toBe('gw/1');
    expect(ok.body.toString()).toBe(ANSWER_SDP);
    expect(dialog.state).toBe('confirmed');
    expect(dialog.callId).toBe(call.callId);
    expect(dialog.localTag).toBe(call.localTag);
    expect(dialog.remoteTag).toBe('from1');
    expect(h.server.activeCalls).toBe(1);
    // Once ACKed, the 2xx is no longer retransmitted.
    h.take();
    h.clock.advance(10_000);
    expect(h.takeResponses()).toEqual([]);
  });

  it('copies Record-Route into the 2xx (RFC 3261 §12.1.1) and routes BYE through it', async () => {
    h = await startHarness();
    const rr: Array<[string, string]> = [
      ['Record-Route', '<sip:127.0.0.7:5060;lr>'],
      ['Record-Route', '<sip:127.0.0.8;lr>'],
    ];
    const { dialog, ok } = await establish(h, { headers: rr });
    expect(ok.headers.getAll('Record-Route')).toEqual(['<sip:127.0.0.7:5060;lr>', '<sip:127.0.0.8;lr>']);
    h.take();
    void dialog.bye();
    const [bye] = h.takeRequests();
    expect(bye?.method).toBe('BYE');
    expect(bye?.uri).toBe(`sip:+15551230000@${UAC.address}:${UAC.port}`);
    expect(bye?.headers.getAll('Route')).toEqual(['<sip:127.0.0.7:5060;lr>', '<sip:127.0.0.8;lr>']);
    expect(h.transport.sent.at(-1)?.dest).toMatchObject({ address: '127.0.0.7', port: 5060 });
  });

  it('gives the ACK body to the dialog for an SDP-less INVITE (offer in 2xx, answer in ACK)', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE' }));
    const call = h.calls[0]!;
    expect(call.offer).toBeUndefined();
    const accepted = call.accept(ANSWER_SDP);
    const ok = h.takeResponses().find((r) => r.status === 200)!;
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-ack', toTag: toTagOf(ok)!, body: OFFER_SDP }));
    const dialog = await accepted;
    expect(dialog.ackBody).toBe(OFFER_SDP);
  });

  it('absorbs INVITE retransmissions: the last provisional is re-sent, no second call is created', async () => {
    h = await startHarness();
    const invite = buildRequest({ method: 'INVITE', body: OFFER_SDP });
    h.send(invite);
    h.calls[0]!.progress(180);
    h.take();
    h.send(invite);
    const again = h.takeResponses();
    expect(again.map((r) => r.status)).toEqual([180]);
    expect(h.calls).toHaveLength(1);
    expect(h.server.stats()['retransmit.rx.INVITE']).toBe(1);
    h.calls[0]!.reject(486);
  });

  it('answers 482 to a merged request: same Call-ID/From tag/CSeq on another branch (§8.2.2.2)', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: 'z9hG4bK-path1' }));
    h.take();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: 'z9hG4bK-path2' }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([482]);
    expect(h.calls).toHaveLength(1);
    h.calls[0]!.reject(486);
  });

  it('rejects with 480 when nobody listens for invites', async () => {
    h = await startHarness();
    h.server.removeAllListeners('invite');
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([100, 480]);
    expect(h.server.activeCalls).toBe(0);
  });
});

describe('RFC 3261 §13.3.1.4 2xx retransmission until ACK', () => {
  it('retransmits the 200 at T1, 2T1, 4T1 … capped at T2', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    const accepted = h.calls[0]!.accept(ANSWER_SDP);
    accepted.catch(() => undefined);
    h.take();
    const times: number[] = [];
    for (let t = 0; t < 20_000; t += 50) {
      h.clock.advance(50);
      for (const r of h.takeResponses()) if (r.status === 200) times.push(h.clock.now());
    }
    // Intervals 500, 1000, 2000, 4000, 4000, 4000, 4000 → cumulative:
    expect(times).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500]);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-ack', toTag: h.calls[0]!.localTag }));
    await accepted;
  });

  it('without an ACK in 64·T1: rejects accept() with SIP_ERR_NO_ACK, sends BYE, ends the dialog', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    const call = h.calls[0]!;
    const ended: string[] = [];
    call.on('ended', (r) => ended.push(r));
    const accepted = call.accept(ANSWER_SDP);
    let error: unknown;
    accepted.catch((e: unknown) => {
      error = e;
    });
    h.take();
    h.clock.advance(32_000);
    await flushMicrotasks();
    expect(error).toBeInstanceOf(SipError);
    expect((error as SipError).code).toBe('SIP_ERR_NO_ACK');
    expect(ended).toEqual(['no-ack']);
    const bye = h.takeRequests().find((r) => r.method === 'BYE');
    expect(bye).toBeDefined();
    expect(toTagOf(bye!)).toBe('from1');
    expect(h.server.activeCalls).toBe(1); // until the BYE completes
    h.send(`SIP/2.0 200 OK\r\nVia: ${bye!.headers.get('Via')}\r\nFrom: ${bye!.headers.get('From')}\r\nTo: ${bye!.headers.get('To')}\r\nCall-ID: ${bye!.headers.get('Call-ID')}\r\nCSeq: ${bye!.headers.get('CSeq')}\r\nContent-Length: 0\r\n\r\n`);
    expect(h.server.activeCalls).toBe(0);
  });
});

describe('RFC 3261 §17.2.1 final non-2xx over UDP: Timers G, H, I', () => {
  it('retransmits 486 at T1, 2T1, 4T1 … T2 until ACK; the ACK stops it and Timer I absorbs', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    h.calls[0]!.reject(486);
    h.take();
    const times: number[] = [];
    for (let t = 0; t < 8_000; t += 50) {
      h.clock.advance(50);
      for (const r of h.takeResponses()) times.push(r.status === 486 ? h.clock.now() : -1);
    }
    expect(times).toEqual([500, 1500, 3500, 7500]);
    // ACK for a non-2xx: same branch as the INVITE.
    h.send(buildRequest({ method: 'ACK', toTag: h.calls[0]!.localTag }));
    h.clock.advance(20_000);
    expect(h.takeResponses()).toEqual([]);
    expect(h.server.activeCalls).toBe(0);
  });

  it('Timer H: gives up after 64·T1 without ACK', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    h.calls[0]!.reject(603);
    h.clock.advance(32_000);
    expect(h.server.stats()['timeout.timer_h']).toBe(1);
    h.take();
    h.clock.advance(60_000);
    expect(h.takeResponses()).toEqual([]);
  });

  it('over a reliable transport the final response is sent once (no Timer G)', async () => {
    h = await startHarness({ kind: 'tcp' });
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }, UAC, 'tcp'));
    h.calls[0]!.reject(486);
    h.take();
    h.clock.advance(32_000);
    expect(h.takeResponses()).toEqual([]);
  });
});

describe('RFC 3261 §9.2 CANCEL', () => {
  it('answers 200 to the CANCEL and 487 to the INVITE, emits cancel and frees the call slot', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    const call = h.calls[0]!;
    const events: string[] = [];
    call.on('cancel', () => events.push('cancel'));
    call.on('ended', (r) => events.push(`ended:${r}`));
    call.progress(180);
    h.take();
    h.send(buildRequest({ method: 'CANCEL', cseqMethod: 'CANCEL', contact: null }));
    const [cancelOk, terminated] = h.takeResponses();
    expect(cancelOk?.status).toBe(200);
    expect(cseqOf(cancelOk!).method).toBe('CANCEL');
    expect(toTagOf(cancelOk!)).toBe(call.localTag);
    expect(terminated?.status).toBe(487);
    expect(cseqOf(terminated!).method).toBe('INVITE');
    expect(toTagOf(terminated!)).toBe(call.localTag);
    expect(events).toEqual(['cancel', 'ended:cancelled']);
    expect(h.server.activeCalls).toBe(0);
    await expect(call.accept(ANSWER_SDP)).rejects.toMatchObject({ code: 'SIP_ERR_CANCELLED' });
    // The UAC ACKs the 487 (same branch) and the retransmissions stop.
    h.send(buildRequest({ method: 'ACK', toTag: call.localTag }));
    h.clock.advance(40_000);
    expect(h.takeResponses()).toEqual([]);
  });

  it('matches an RFC 2543 CANCEL (no magic cookie) by Call-ID, From tag, CSeq and Request-URI', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: 'old2543branch' }));
    h.take();
    h.send(buildRequest({ method: 'CANCEL', cseqMethod: 'CANCEL', branch: 'another-2543-branch', contact: null }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([200, 487]);
  });

  it('answers 481 to a CANCEL that matches nothing', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'CANCEL', cseqMethod: 'CANCEL', contact: null }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([481]);
  });

  it('a CANCEL after the 200 gets 200 and changes nothing', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    const call = h.calls[0]!;
    const accepted = call.accept(ANSWER_SDP);
    h.take();
    h.send(buildRequest({ method: 'CANCEL', cseqMethod: 'CANCEL', contact: null }));
    const [cancelOk] = h.takeResponses();
    expect(cancelOk?.status).toBe(200);
    expect(toTagOf(cancelOk!)).toBe(call.localTag);
    expect(h.server.stats()['cancel.too_late']).toBe(1);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-ack', toTag: call.localTag }));
    await expect(accepted).resolves.toBeDefined();
  });
});

describe('RFC 3261 §15 BYE', () => {
  it('answers a remote BYE with 200, emits bye then terminated(remote-bye), frees the slot', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    const events: string[] = [];
    dialog.on('bye', () => events.push('bye'));
    dialog.on('terminated', (r) => events.push(`terminated:${r}`));
    h.take();
    h.send(buildRequest({ method: 'BYE', branch: 'z9hG4bK-bye', toTag, cseq: 2 }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
    expect(events).toEqual(['bye', 'terminated:remote-bye']);
    expect(dialog.state).toBe('terminated');
    expect(h.server.activeCalls).toBe(0);
    // The dialog is gone: another BYE gets 481.
    h.send(buildRequest({ method: 'BYE', branch: 'z9hG4bK-bye2', toTag, cseq: 3 }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([481]);
  });

  it('a BYE before the ACK ends the call: accept() rejects with SIP_ERR_TERMINATED', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    const call = h.calls[0]!;
    const accepted = call.accept(ANSWER_SDP);
    h.take();
    h.send(buildRequest({ method: 'BYE', branch: 'z9hG4bK-bye', toTag: call.localTag, cseq: 2 }));
    await expect(accepted).rejects.toMatchObject({ code: 'SIP_ERR_TERMINATED' });
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
    expect(h.server.activeCalls).toBe(0);
  });

  it('bye() sends a BYE per §12.2.1.1 (tags swapped, CSeq from our own space, Reason), is idempotent, resolves on 200', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    h.take();
    const p1 = dialog.bye({ reason: 'Q.850;cause=16' });
    const p2 = dialog.bye();
    expect(p2).toBe(p1);
    expect(dialog.state).toBe('terminating');
    const [bye] = h.takeRequests();
    expect(bye?.method).toBe('BYE');
    expect(bye?.uri).toBe(`sip:+15551230000@${UAC.address}:${UAC.port}`);
    expect(toTagOf(bye!)).toBe('from1');
    expect(bye?.headers.get('From')).toContain(`tag=${toTag}`);
    expect(bye?.headers.get('Reason')).toBe('Q.850;cause=16');
    expect(bye?.headers.get('Max-Forwards')).toBe('70');
    expect(topBranch(bye!)).toMatch(/^z9hG4bK/);
    expect(bye?.headers.get('Via')).toMatch(/^SIP\/2\.0\/UDP 127\.0\.0\.1:5060;branch=z9hG4bK[^;]+;rport$/);
    expect(h.transport.sent.at(-1)?.dest).toMatchObject({ transport: 'udp', address: UAC.address, port: UAC.port });
    h.send(respondTo(bye!, 200));
    await p1;
    expect(dialog.state).toBe('terminated');
    expect(h.server.activeCalls).toBe(0);
  });

  it('RFC 3261 §17.1.2 Timer E/F: BYE retransmitted T1, 2T1 … T2; after 64·T1 the dialog ends anyway', async () => {
    h = await startHarness();
    const { dialog } = await establish(h);
    h.take();
    const terminated: string[] = [];
    dialog.on('terminated', (r) => terminated.push(r));
    const done = dialog.bye();
    const times: number[] = [];
    expect(h.takeRequests()).toHaveLength(1);
    for (let t = 0; t < 32_000; t += 50) {
      h.clock.advance(50);
      for (const r of h.takeRequests()) if (r.method === 'BYE') times.push(h.clock.now());
    }
    expect(times).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    await done;
    expect(terminated).toEqual(['local-bye']);
    expect(h.server.stats()['timeout.timer_f']).toBe(1);
  });

  it('BYE to a Contact that is a host name goes to the address the INVITE came from (no DNS)', async () => {
    h = await startHarness();
    const { dialog } = await establish(h, { contact: '<sip:caller@pbx.example.invalid:5080>' });
    h.take();
    void dialog.bye();
    const [bye] = h.takeRequests();
    expect(bye?.uri).toBe('sip:caller@pbx.example.invalid:5080');
    expect(h.transport.sent.at(-1)?.dest).toMatchObject({ address: UAC.address, port: UAC.port });
  });

  it('BYE to a broadcast Contact literal also falls back to the source address', async () => {
    h = await startHarness();
    const { dialog } = await establish(h, { contact: '<sip:caller@255.255.255.255:5080>' });
    h.take();
    void dialog.bye();
    expect(h.transport.sent.at(-1)?.dest).toMatchObject({ address: UAC.address, port: UAC.port });
  });
});


describe('SipServer.stop()', () => {
  it('ends dialogs and pending INVITEs without signalling, clears every timer', async () => {
    h = await startHarness();
    const { dialog } = await establish(h, { headers: [['Session-Expires', '120;refresher=uas']] });
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, callId: 'call-2', branch: 'z9hG4bK-2' }));
    const pending = h.calls[1]!;
    const reasons: string[] = [];
    dialog.on('terminated', (r) => reasons.push(`dialog:${r}`));
    pending.on('ended', (r) => reasons.push(`call:${r}`));
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, callId: 'call-3', branch: 'z9hG4bK-3' }));
    const accepting = h.calls[2]!.accept(ANSWER_SDP);
    accepting.catch(() => undefined);
    expect(h.clock.pendingTimers).toBeGreaterThan(0);
    await h.server.stop();
    expect(reasons.sort()).toEqual(['call:server-stopped', 'dialog:server-stopped']);
    await expect(accepting).rejects.toMatchObject({ code: 'SIP_ERR_SERVER_STOPPED' });
    expect(h.server.activeCalls).toBe(0);
    expect(h.clock.pendingTimers).toBe(0);
    const d: Dialog = dialog;
    expect(d.state).toBe('terminated');
  });
});

describe('RFC 3261 §18.2.2 requests that cannot be answered', () => {
  it('drops a UDP request whose Via sent-by port is 0 (no rport) before it takes any resource', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, via: 'SIP/2.0/UDP 127.0.0.9:0;branch=z9hG4bK-port-zero' }));
    expect(h.takeResponses()).toEqual([]);
    expect(h.calls).toHaveLength(0);
    expect(h.server.activeCalls).toBe(0);
    expect(h.server.stats()['drop.unanswerable']).toBe(1);
  });

  it('still answers the same request when it asks for rport (the source port is then used)', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, via: 'SIP/2.0/UDP 127.0.0.9:0;branch=z9hG4bK-port-zero-rport;rport' }));
    const [trying] = h.takeResponses();
    expect(trying?.status).toBe(100);
    h.calls[0]!.reject(486);
  });
});
