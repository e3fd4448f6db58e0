import { afterEach, describe, expect, it } from 'vitest';
import type { DialogOffer, DialogInfo, DialogRequest } from '../../src/sip/index.js';
import { ANSWER_SDP, buildRequest, cseqOf, establish, OFFER_SDP, respondTo, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
afterEach(async () => {
  await h.server.stop();
  expect(h.clock.pendingTimers).toBe(0);
});

const HOLD_SDP = OFFER_SDP.replace('a=ptime:20', 'a=ptime:20\r\na=sendonly');

describe('RFC 3261 §14.2 re-INVITE (UAS)', () => {
  it('emits offer; respond(200, sdp) sends 200 with the answer, retransmitted until the ACK', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    const offers: DialogOffer[] = [];
    dialog.on('offer', (o) => offers.push(o));
    h.take();
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-re1', toTag, cseq: 2, body: HOLD_SDP }));
    expect(offers).toHaveLength(1);
    expect(offers[0]?.method).toBe('INVITE');
    expect(offers[0]?.sdp).toBe(HOLD_SDP);
    expect(h.takeResponses().map((r) => r.status)).toEqual([100]);
    const held = ANSWER_SDP.replace('a=ptime:20', 'a=ptime:20\r\na=recvonly');
    offers[0]!.respond(200, { sdp: held });
    const [ok] = h.takeResponses();
    expect(ok?.status).toBe(200);
    expect(ok?.body.toString()).toBe(held);
    expect(ok?.headers.get('Contact')).toBe('<sip:127.0.0.1:5060>');
    h.clock.advance(500);
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-re1ack', toTag, cseq: 2 }));
    h.clock.advance(5_000);
    expect(h.takeResponses()).toEqual([]);
    // A second respond() is ignored.
    offers[0]!.respond(488);
    expect(h.takeResponses()).toEqual([]);
  });

  it('a non-2xx answer leaves the dialog as it was', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    dialog.on('offer', (o) => o.respond(488));
    h.take();
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-re1', toTag, cseq: 2, body: HOLD_SDP }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([100, 488]);
    expect(dialog.state).toBe('confirmed');
  });

  it('with no offer listener, answers a refresh with the last local SDP', async () => {
    h = await startHarness();
    const { toTag, dialog } = await establish(h);
    dialog.setLocalSdp(ANSWER_SDP.replace('o=gateway 1 1', 'o=gateway 1 2'));
    h.take();
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-re1', toTag, cseq: 2, body: OFFER_SDP }));
    const ok = h.takeResponses().find((r) => r.status === 200);
    expect(ok?.body.toString()).toContain('o=gateway 1 2');
  });

  it('500 with Retry-After 0–10 for a re-INVITE while the previous one is unanswered', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    dialog.on('offer', () => undefined); // never answers (yet)
    h.take();
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-re1', toTag, cseq: 2, body: HOLD_SDP }));
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-re2', toTag, cseq: 3, body: OFFER_SDP }));
    const responses = h.takeResponses();
    expect(responses.map((r) => r.status)).toEqual([100, 500]);
    const retryAfter = Number(responses[1]?.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThanOrEqual(0);
    expect(retryAfter).toBeLessThanOrEqual(10);
  });

  it('an unanswered offer gets 500 after 64·T1 instead of wedging the dialog', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    dialog.on('offer', () => undefined);
    h.take();
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-re1', toTag, cseq: 2, body: HOLD_SDP }));
    h.clock.advance(32_000);
    expect(h.takeResponses().map((r) => r.status)).toEqual([100, 500]);
  });

  it('CANCEL of a pending re-INVITE: 200 + 487, the dialog survives', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    dialog.on('offer', () => undefined);
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-re1', toTag, cseq: 2, body: HOLD_SDP }));
    h.take();
    h.send(buildRequest({ method: 'CANCEL', branch: 'z9hG4bK-re1', toTag, cseq: 2, cseqMethod: 'CANCEL', contact: null }));
    const rs = h.takeResponses();
    expect(rs.map((r) => `${r.status} ${cseqOf(r).method}`)).toEqual(['200 CANCEL', '487 INVITE']);
    expect(dialog.state).toBe('confirmed');
  });
});

describe('RFC 3261 §12.2.2 CSeq ordering', () => {
  it('a request with a CSeq lower than or equal to the last one gets 500 "CSeq out of order"', async () => {
    h = await startHarness();
    const { toTag } = await establish(h, { cseq: 10 });
    h.take();
    h.send(buildRequest({ method: 'INFO', branch: 'z9hG4bK-i1', toTag, cseq: 10, body: 'Signal=1\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' }));
    h.send(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-o1', toTag, cseq: 9 }));
    const rs = h.takeResponses();
    expect(rs.map((r) => `${r.status} ${r.reason}`)).toEqual(['500 CSeq out of order', '500 CSeq out of order']);
    h.send(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-o2', toTag, cseq: 11 }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
  });
});

describe('RFC 3261 §14.1 glare', () => {
  it('491 to the peer\'s re-INVITE while our refresh re-INVITE is pending; we retry after 0–2 s', async () => {
    h = await startHarness({ sessionTimer: { defaultExpires: 120, minSE: 90 } });
    // The UAC does not support timers: we refresh (RFC 4028 §9) with re-INVITE (no UPDATE in Allow).
    const { toTag } = await establish(h, { headers: [['Allow', 'INVITE, ACK, CANCEL, BYE']] });
    h.take();
    h.clock.advance(60_000); // half of 120 s
    const [refresh] = h.takeRequests();
    expect(refresh?.method).toBe('INVITE');
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-theirs', toTag, cseq: 2, body: OFFER_SDP }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([491]);
    // Ours is rejected with 491 too: we retry within 2 s.
    h.send(respondTo(refresh!, 491));
    const acks = h.takeRequests();
    expect(acks.map((r) => r.method)).toEqual(['ACK']); // ACK for the non-2xx, same branch
    h.clock.advance(2_000);
    const [retry] = h.takeRequests();
    expect(retry?.method).toBe('INVITE');
    expect(cseqOf(retry!).seq).toBe(cseqOf(refresh!).seq + 1);
  });
});

describe('RFC 3311 UPDATE (UAS)', () => {
  it('emits offer with method UPDATE and answers 200 with the SDP', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    dialog.on('offer', (o) => {
      expect(o.method).toBe('UPDATE');
      o.respond(200, { sdp: ANSWER_SDP });
    });
    h.take();
    h.send(buildRequest({ method: 'UPDATE', branch: 'z9hG4bK-u1', toTag, cseq: 2, body: OFFER_SDP }));
    const [ok] = h.takeResponses();
    expect(ok?.status).toBe(200);
    expect(ok?.body.toString()).toBe(ANSWER_SDP);
  });

  it('an UPDATE without SDP (a session refresh) is answered without a body', async () => {
    h = await startHarness();
    const { toTag } = await establish(h);
    h.take();
    h.send(buildRequest({ method: 'UPDATE', branch: 'z9hG4bK-u1', toTag, cseq: 2, headers: [['Session-Expires', '600;refresher=uac'], ['Supported', 'timer']] }));
    const [ok] = h.takeResponses();
    expect(ok?.status).toBe(200);
    expect(ok?.body.length).toBe(0);
    expect(ok?.headers.get('Session-Expires')).toBe('600;refresher=uac');
    expect(ok?.headers.get('Require')).toBe('timer');
  });
});

describe('RFC 6086 INFO', () => {
  it('emits info with the body and answers what the application says', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    const infos: DialogInfo[] = [];
    dialog.on('info', (i) => {
      infos.push(i);
      i.respond(200);
    });
    h.take();
    h.send(buildRequest({ method: 'INFO', branch: 'z9hG4bK-i1', toTag, cseq: 2, body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' }));
    expect(infos[0]?.contentType).toBe('application/dtmf-relay');
    expect(infos[0]?.body.toString()).toBe('Signal=5\r\nDuration=160\r\n');
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
  });

  it('a throwing listener does not break the server', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    dialog.on('info', () => {
      throw new Error('listener bug');
    });
    h.take();
    h.send(buildRequest({ method: 'INFO', branch: 'z9hG4bK-i1', toTag, cseq: 2, body: 'Signal=5\r\n', contentType: 'application/dtmf-relay' }));
    h.clock.advance(32_000); // deadline answers it
    expect(h.takeResponses().map((r) => r.status)).toEqual([500]);
    expect(dialog.listenerErrors).toBe(1);
    h.send(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-o1', toTag, cseq: 3 }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
  });
});

describe('extraAllowedMethods', () => {
  it('delivers in-dialog REFER to the dialog request event and advertises it in Allow', async () => {
    h = await startHarness({ extraAllowedMethods: ['REFER'] });
    const { dialog, toTag, ok } = await establish(h);
    expect(ok.headers.getAll('Allow')).toContain('REFER');
    dialog.on('request', (r) => {
      expect(r.request.method).toBe('REFER');
      r.respond(202);
    });
    h.take();
    h.send(buildRequest({ method: 'REFER', branch: 'z9hG4bK-r1', toTag, cseq: 2, headers: [['Refer-To', '<sip:queue@127.0.0.9>']] }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([202]);
  });
});

describe('one respond idiom: (status, { reason, headers, … }) for offers, INFO and other requests', () => {
  it('each answer carries the reason phrase and headers the application gives', async () => {
    h = await startHarness({ extraAllowedMethods: ['REFER'] });
    const { dialog, toTag } = await establish(h);
    dialog.on('offer', (o: DialogOffer) => o.respond(488, { reason: 'Not Acceptable Here (no common codec)', headers: [['Warning', '304 gw "codec"']] }));
    dialog.on('info', (i: DialogInfo) => i.respond(200, { reason: 'Digit Taken', headers: [['X-Digit', '5']] }));
    dialog.on('request', (r: DialogRequest) => r.respond(202, { reason: 'Accepted Later', headers: [['X-Note', 'n']] }));
    h.take();
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-re1', toTag, cseq: 2, body: OFFER_SDP }));
    h.send(buildRequest({ method: 'INFO', branch: 'z9hG4bK-info', toTag, cseq: 3 }));
    h.send(buildRequest({ method: 'REFER', branch: 'z9hG4bK-refer', toTag, cseq: 4, headers: [['Refer-To', '<sip:x@127.0.0.9>']] }));
    const answers = h.takeResponses().filter((r) => r.status !== 100);
    expect(answers.map((r) => `${r.status} ${r.reason}`)).toEqual(['488 Not Acceptable Here (no common codec)', '200 Digit Taken', '202 Accepted Later']);
    expect(answers.map((r) => r.headers.get('Warning') ?? r.headers.get('X-Digit') ?? r.headers.get('X-Note'))).toEqual(['304 gw "codec"', '5', 'n']);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-re1', toTag, cseq: 2 }));
  });
});
