/**
 * What other stacks' conformance suites check of a UAS, as byte-level rules:
 *  - every retransmission of a response is the very message first sent (RFC 3261 §13.3.1.4 for a
 *    2xx, §17.2.1/§17.2.2 for the rest), Server: included — SIPp compares them byte for byte;
 *  - a CANCEL (or any in-transaction request) with a magic-cookie branch matches only its own
 *    transaction (§9.2, §17.2.3); the RFC 2543 fallback is for branches without the cookie;
 *  - a dialog-creating INVITE without a Contact gets 400 before it takes anything (§8.1.1.8).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DialogInfo, DialogOffer } from '../../src/sip/index.js';
import {
  ANSWER_SDP,
  buildRequest,
  cseqOf,
  establish,
  OFFER_SDP,
  parse,
  respondTo,
  startHarness,
  toTagOf,
  type Harness,
} from './helpers/harness.js';

const SERVER = 'gateway-under-test/1.0';

let h: Harness;
afterEach(async () => {
  await h.server.stop();
  expect(h.clock.pendingTimers).toBe(0);
});

/** The raw datagrams sent from `from` on, whose first line starts with `startLine`. */
function sentSince(from: number, startLine: string, cseqMethod?: string): Buffer[] {
  return h.transport.sent
    .slice(from)
    .map((p) => p.data)
    .filter((d) => d.toString('latin1').startsWith(startLine) && (cseqMethod === undefined || cseqOf(parse(d)).method === cseqMethod));
}

/** Every copy equals the first, of which there are `n`, and the first carries our Server header. */
function expectIdentical(copies: Buffer[], n: number): void {
  expect(copies).toHaveLength(n);
  expect(copies[0]!.toString('latin1')).toContain(`\r\nServer: ${SERVER}\r\n`);
  for (const copy of copies.slice(1)) expect(copy.equals(copies[0]!)).toBe(true);
}

/** Sends `request` twice (a retransmission) and checks both answers starting with `startLine` are the same bytes. */
function answeredTwiceIdentically(request: string, startLine: string): Buffer {
  const from = h.sentCount();
  h.send(request);
  h.send(request);
  const copies = sentSince(from, startLine);
  expectIdentical(copies, 2);
  return copies[0]!;
}

/** Advances the clock in 50 ms steps for `ms`. */
function run(ms: number): void {
  for (let t = 0; t < ms; t += 50) h.clock.advance(50);
}
describe('RFC 3261 §13.3.1.4 / §17.2: a response is retransmitted as the very bytes first sent', () => {
  it('the 200 to the initial INVITE: every retransmission equals the first 200, Server: included', async () => {
    h = await startHarness({ userAgent: SERVER });
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    const call = h.calls[0]!;
    const from = h.sentCount();
    const accepted = call.accept(ANSWER_SDP);
    run(4_000); // 200 at 0, then at 500, 1500, 3500 ms
    expectIdentical(sentSince(from, 'SIP/2.0 200 ', 'INVITE'), 4);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-ack', toTag: call.localTag }));
    await accepted;
  });

  it('the 200 to a re-INVITE: the same rule, through the dialog', async () => {
    h = await startHarness({ userAgent: SERVER });
    const { dialog, toTag } = await establish(h);
    dialog.on('offer', (o: DialogOffer) => o.respond(200, { sdp: ANSWER_SDP }));
    const from = h.sentCount();
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-re1', toTag, cseq: 2, body: OFFER_SDP }));
    run(2_000);
    expectIdentical(sentSince(from, 'SIP/2.0 200 ', 'INVITE'), 3);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-re1ack', toTag, cseq: 2 }));
  });

  it('a non-2xx final to INVITE (Timer G) and its repeat on an INVITE retransmission', async () => {
    h = await startHarness({ userAgent: SERVER });
    const invite = buildRequest({ method: 'INVITE', body: OFFER_SDP });
    h.send(invite);
    const from = h.sentCount();
    h.calls[0]!.reject(486, { reason: 'Busy Here', headers: [['Retry-After', '30']] });
    run(1_600); // Timer G at 500 and 1500 ms
    h.send(invite); // the INVITE retransmitted: the final response again
    expectIdentical(sentSince(from, 'SIP/2.0 486 '), 4);
    h.send(buildRequest({ method: 'ACK', toTag: h.calls[0]!.localTag }));
  });

  it('the provisional repeated for an INVITE retransmission, and the 200 to a retransmitted BYE', async () => {
    h = await startHarness({ userAgent: SERVER });
    const invite = buildRequest({ method: 'INVITE', body: OFFER_SDP });
    h.send(invite);
    h.calls[0]!.progress(180);
    const from = h.sentCount();
    h.send(invite);
    expectIdentical(sentSince(from - 1, 'SIP/2.0 180 '), 2);

    const accepted = h.calls[0]!.accept(ANSWER_SDP);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-ack', toTag: h.calls[0]!.localTag }));
    await accepted;
    answeredTwiceIdentically(buildRequest({ method: 'BYE', branch: 'z9hG4bK-bye', toTag: h.calls[0]!.localTag, cseq: 2 }), 'SIP/2.0 200 ');
  });

  it('in-dialog answers built by the dialog (491 glare, 422, the application\'s INFO answer) carry Server: and repeat identically', async () => {
    h = await startHarness({ userAgent: SERVER, sessionTimer: { defaultExpires: 120, minSE: 90 } });
    const { dialog, toTag } = await establish(h, { headers: [['Allow', 'INVITE, ACK, CANCEL, BYE']] });
    dialog.on('info', (i: DialogInfo) => i.respond(415, { reason: 'Unsupported Media Type (not DTMF)', headers: [['Accept', 'application/dtmf-relay']] }));

    const tooSmall = buildRequest({ method: 'INVITE', branch: 'z9hG4bK-small', toTag, cseq: 2, body: OFFER_SDP, headers: [['Session-Expires', '30']] });
    answeredTwiceIdentically(tooSmall, 'SIP/2.0 422 ');
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-small', toTag, cseq: 2 }));

    const info = buildRequest({ method: 'INFO', branch: 'z9hG4bK-info', toTag, cseq: 3, body: 'x', contentType: 'application/sdp' });
    const infoAnswer = answeredTwiceIdentically(info, 'SIP/2.0 415 Unsupported Media Type (not DTMF)\r\n');
    expect(parse(infoAnswer).headers.get('Accept')).toBe('application/dtmf-relay');

    h.clock.advance(60_000); // our session refresh (re-INVITE) is now in flight
    const [refresh] = h.takeRequests().filter((r) => r.method === 'INVITE');
    expect(refresh).toBeDefined();
    answeredTwiceIdentically(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-theirs', toTag, cseq: 4, body: OFFER_SDP }), 'SIP/2.0 491 ');
    h.send(respondTo(refresh!, 200, { body: OFFER_SDP }));
  });

  it('a stateless answer (a request that does not parse) carries Server: too', async () => {
    h = await startHarness({ userAgent: SERVER });
    const from = h.sentCount();
    h.send(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-opt' }).replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS'));
    const [bad] = sentSince(from, 'SIP/2.0 400 Bad Request (malformed CSeq)\r\n');
    expect(bad?.toString('latin1')).toContain(`\r\nServer: ${SERVER}\r\n`);
  });
});

describe('RFC 3261 §9.2 / §17.2.3: strict matching for magic-cookie branches', () => {
  it('a CANCEL whose z9hG4bK branch matches no INVITE gets 481; the INVITE is left alone and still completes', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: 'z9hG4bK-invite' }));
    const call = h.calls[0]!;
    const events: string[] = [];
    call.on('cancel', () => events.push('cancel'));
    call.on('ended', (r) => events.push(`ended:${r}`));
    call.progress(180);
    h.take();
    // Same Call-ID, From tag, CSeq number and Request-URI as the INVITE: only the branch differs.
    h.send(buildRequest({ method: 'CANCEL', cseqMethod: 'CANCEL', branch: 'z9hG4bK-other', contact: null }));
    const [answer, ...rest] = h.takeResponses();
    expect(answer?.status).toBe(481);
    expect(cseqOf(answer!).method).toBe('CANCEL');
    expect(rest).toEqual([]); // no 487
    expect(events).toEqual([]);
    expect(call.state).toBe('proceeding');
    expect(h.server.activeCalls).toBe(1);
    expect(h.server.stats()['reject.cancel_unmatched']).toBe(1);
    // The call goes on: answered, ACKed, a confirmed dialog.
    const accepted = call.accept(ANSWER_SDP);
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-ack', toTag: call.localTag }));
    await expect(accepted).resolves.toMatchObject({ state: 'confirmed' });
  });

  it('the right branch still cancels; an RFC 2543 branch (no cookie) still falls back to Call-ID/From tag/CSeq/Request-URI', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: 'z9hG4bK-invite', callId: 'a@x' }));
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: '2543-invite', callId: 'b@x' }));
    h.take();
    h.send(buildRequest({ method: 'CANCEL', cseqMethod: 'CANCEL', branch: 'z9hG4bK-invite', callId: 'a@x', contact: null }));
    h.send(buildRequest({ method: 'CANCEL', cseqMethod: 'CANCEL', branch: '2543-cancel', callId: 'b@x', contact: null }));
    expect(h.takeResponses().map((r) => `${r.status} ${cseqOf(r).method}`)).toEqual(['200 CANCEL', '487 INVITE', '200 CANCEL', '487 INVITE']);
    expect(h.calls.map((c) => c.state)).toEqual(['ended', 'ended']);
  });

  it('an RFC 2543 CANCEL with another Request-URI matches nothing: 481', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: '2543-invite' }));
    h.take();
    h.send(buildRequest({ method: 'CANCEL', cseqMethod: 'CANCEL', branch: '2543-cancel', uri: 'sip:someone-else@127.0.0.1:5060', contact: null }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([481]);
    expect(h.calls[0]!.state).toBe('proceeding');
    h.calls[0]!.reject(486);
  });

  it('a CANCEL of a re-INVITE with the wrong branch gets 481 and the re-INVITE stays pending', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    const offers: DialogOffer[] = [];
    dialog.on('offer', (o) => offers.push(o));
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-re1', toTag, cseq: 2, body: OFFER_SDP }));
    h.take();
    h.send(buildRequest({ method: 'CANCEL', branch: 'z9hG4bK-not-re1', toTag, cseq: 2, cseqMethod: 'CANCEL', contact: null }));
    expect(h.takeResponses().map((r) => `${r.status} ${cseqOf(r).method}`)).toEqual(['481 CANCEL']);
    offers[0]!.respond(200, { sdp: ANSWER_SDP });
    expect(h.takeResponses().map((r) => `${r.status} ${cseqOf(r).method}`)).toEqual(['200 INVITE']);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-re1ack', toTag, cseq: 2 }));
  });

  it('an ACK for a non-2xx with another branch does not complete the INVITE transaction: Timer G goes on', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: 'z9hG4bK-invite' }));
    const call = h.calls[0]!;
    call.reject(486);
    h.take();
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-stray', toTag: call.localTag }));
    expect(h.server.stats()['drop.ack_unmatched']).toBe(1);
    run(600);
    expect(h.takeResponses().map((r) => r.status)).toEqual([486]);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-invite', toTag: call.localTag }));
    run(10_000);
    expect(h.takeResponses()).toEqual([]);
  });

  it('an INVITE retransmitted on another z9hG4bK branch is not a retransmission: 482, the first INVITE unaffected', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: 'z9hG4bK-first' }));
    h.calls[0]!.progress(180);
    h.take();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: 'z9hG4bK-second' }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([482]);
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]!.state).toBe('proceeding');
    h.calls[0]!.reject(486);
  });
});

describe('RFC 3261 §8.1.1.8 / §12.1.1: a dialog-creating INVITE needs a Contact', () => {
  it('INVITE without Contact → 400 "Missing Contact", before any resource: no call, no slot, no rate token, no 100', async () => {
    h = await startHarness({ inviteRateLimit: { perSecond: 1, burst: 1 }, maxConcurrentCalls: 1 });
    const noContact = buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: 'z9hG4bK-nc', callId: 'nc@x', contact: null });
    h.send(noContact);
    const [bad, ...rest] = h.takeResponses();
    expect(bad?.status).toBe(400);
    expect(bad?.reason).toBe('Missing Contact');
    expect(toTagOf(bad!)).toBeDefined();
    expect(rest).toEqual([]);
    expect(h.calls).toEqual([]);
    expect(h.server.activeCalls).toBe(0);
    // Retransmitted: the same answer from the transaction, still no call.
    h.send(noContact);
    expect(h.takeResponses().map((r) => `${r.status} ${r.reason}`)).toEqual(['400 Missing Contact']);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-nc', callId: 'nc@x', toTag: toTagOf(bad!) }));
    // The single rate-limit token and the single call slot are still there for a proper INVITE.
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: 'z9hG4bK-ok', callId: 'ok@x' }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([100]);
    expect(h.calls).toHaveLength(1);
    h.calls[0]!.reject(486);
  });

  it('more than one Contact, or one that is not a SIP/SIPS URI → 400 naming it', async () => {
    h = await startHarness();
    const cases: Array<[string, string]> = [
      ['<sip:a@127.0.0.2:5070>, <sip:b@127.0.0.2:5070>', 'Bad Request (more than one Contact)'],
      ['<tel:+15551230000>', 'Bad Request (Contact is not a SIP or SIPS URI)'],
      ['*', 'Bad Request (Contact is not a SIP or SIPS URI)'],
    ];
    for (const [i, [contact]] of cases.entries()) h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: `z9hG4bK-c${i}`, callId: `c${i}@x`, contact }));
    expect(h.takeResponses().map((r) => `${r.status} ${r.reason}`)).toEqual(cases.map(([, reason]) => `400 ${reason}`));
    expect(h.calls).toEqual([]);
  });

  it('an RFC 2543 INVITE (branch without the cookie, RFC 4475 §3.4.1) may omit Contact: accepted, BYE to its source', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: '2543branch', contact: null }));
    expect(h.calls).toHaveLength(1);
    const call = h.calls[0]!;
    const accepted = call.accept(ANSWER_SDP);
    h.send(buildRequest({ method: 'ACK', branch: '2543ack', toTag: call.localTag, contact: null }));
    const dialog = await accepted;
    h.take();
    void dialog.bye();
    const [bye] = h.takeRequests();
    expect(bye?.uri).toBe('sip:127.0.0.2:5070');
    h.send(respondTo(bye!, 200));
  });

  it('a re-INVITE without Contact is still a valid target refresh (Contact is a SHOULD in a dialog): answered 200', async () => {
    h = await startHarness();
    const { toTag } = await establish(h);
    h.take();
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-re1', toTag, cseq: 2, body: OFFER_SDP, contact: null }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([100, 200]);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-re1ack', toTag, cseq: 2 }));
  });
});
