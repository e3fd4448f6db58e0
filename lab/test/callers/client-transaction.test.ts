/** RFC 3261 §17.1 client transactions, driven by a manual timer host (no sleeping). */
import { describe, expect, it } from 'vitest';
import { SipHeaders, createResponse, type SipMessage, type SipRequest } from 'connect-realtime-gateway';
import { ClientTransaction, TIMER_D_MS, buildNonTwoXxAck, type TransactionOutcome } from '../../src/callers/lab-caller/sip/client-transaction.js';
import { ManualTimers } from './helpers/manual-timers.js';

const T1 = 500;
const T2 = 4_000;

function request(method: string): SipRequest {
  const h = new SipHeaders([
    ['Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtest;rport'],
    ['Max-Forwards', '70'],
    ['Route', '<sip:127.0.0.9;lr>'],
    ['From', '<sip:a@127.0.0.1>;tag=aaa'],
    ['To', '<sip:b@127.0.0.1>'],
    ['Call-ID', 'cid@127.0.0.1'],
    ['CSeq', `7 ${method}`],
  ]);
  return { type: 'request', method, uri: 'sip:b@127.0.0.1:5060', version: 'SIP/2.0', headers: h, body: Buffer.alloc(0) };
}

function harness(method: string, reliable = false) {
  const timers = new ManualTimers();
  const sent: Array<{ at: number; msg: SipMessage }> = [];
  let terminated = false;
  const provisional: number[] = [];
  const req = request(method);
  const tx = new ClientTransaction({ clock: timers, reliable, t1Ms: T1, t2Ms: T2, send: (msg) => sent.push({ at: timers.now, msg }) }, req, 'z9hG4bKtest', {
    onProvisional: (r) => provisional.push(r.status),
    onTerminated: () => {
      terminated = true;
    },
  });
  let outcome: TransactionOutcome | undefined;
  void tx.done.then((o) => (outcome = o));
  tx.start();
  return { timers, sent, tx, req, provisional, get terminated() { return terminated; }, outcome: () => outcome };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('RFC 3261 §17.1.1.2 INVITE client transaction', () => {
  it('retransmits on Timer A (T1, 2T1, 4T1 …) and gives up on Timer B at 64·T1', async () => {
    const h = harness('INVITE');
    h.timers.advance(64 * T1);
    await flush();
    // Sends at 0, then 500, 1500, 3500, 7500, 15500, 31500 (cumulative doubling), Timer B at 32000.
    expect(h.sent.map((s) => s.at)).toEqual([0, 500, 1_500, 3_500, 7_500, 15_500, 31_500]);
    expect(h.outcome()).toEqual({ kind: 'timeout' });
    expect(h.terminated).toBe(true);
  });

  it('stops retransmitting on a provisional and then waits (no Timer B in Proceeding)', async () => {
    const h = harness('INVITE');
    h.timers.advance(600);
    h.tx.receive(createResponse(h.req, 180, { toTag: 'bbb' }));
    h.timers.advance(100_000);
    await flush();
    expect(h.sent).toHaveLength(2);
    expect(h.provisional).toEqual([180]);
    expect(h.outcome()).toBeUndefined();
  });

  it('ACKs a non-2xx final on the same branch, re-ACKs its retransmissions, ends after Timer D', async () => {
    const h = harness('INVITE');
    const busy = createResponse(h.req, 486, { toTag: 'bbb' });
    h.tx.receive(busy);
    await flush();
    expect(h.outcome()).toMatchObject({ kind: 'final', response: { status: 486 } });
    const ack = h.sent[1]!.msg;
    expect(ack.type === 'request' && ack.method).toBe('ACK');
    expect(ack.headers.get('via')).toBe(h.req.headers.get('via'));
    expect(ack.headers.get('to')).toBe(busy.headers.get('to'));
    h.tx.receive(busy);
    expect(h.sent).toHaveLength(3);
    expect(h.terminated).toBe(false);
    h.timers.advance(TIMER_D_MS);
    expect(h.terminated).toBe(true);
  });

  it('ends at once on a 2xx (the ACK is the dialog’s business, §13.2.2.4)', async () => {
    const h = harness('INVITE');
    h.tx.receive(createResponse(h.req, 200, { toTag: 'bbb' }));
    await flush();
    expect(h.outcome()).toMatchObject({ kind: 'final', response: { status: 200 } });
    expect(h.sent).toHaveLength(1);
    expect(h.terminated).toBe(true);
  });

  it('does not retransmit over a reliable transport', () => {
    const h = harness('INVITE', true);
    h.timers.advance(10_000);
    expect(h.sent).toHaveLength(1);
  });
});

describe('RFC 3261 §17.1.2.2 non-INVITE client transaction', () => {
  it('retransmits on Timer E capped at T2 and times out on Timer F', async () => {
    const h = harness('BYE');
    h.timers.advance(64 * T1);
    await flush();
    const gaps = h.sent.slice(1).map((s, i) => s.at - h.sent[i]!.at);
    expect(gaps.slice(0, 4)).toEqual([500, 1_000, 2_000, 4_000]);
    expect(gaps.slice(4).every((g) => g === T2)).toBe(true);
    expect(h.outcome()).toEqual({ kind: 'timeout' });
  });

  it('keeps retransmitting every T2 after a provisional', () => {
    const h = harness('BYE');
    h.tx.receive(createResponse(h.req, 100));
    const before = h.sent.length;
    h.timers.advance(3 * T2);
    expect(h.sent.length - before).toBe(3);
  });
});

describe('RFC 3261 §17.1.1.3 the ACK for a non-2xx', () => {
  it('copies Request-URI, top Via, From, Call-ID, Route and the CSeq number, and takes To from the response', () => {
    const req = request('INVITE');
    const res = createResponse(req, 487, { toTag: 'xyz' });
    const ack = buildNonTwoXxAck(req, res);
    expect(ack.uri).toBe(req.uri);
    expect(ack.headers.get('cseq')).toBe('7 ACK');
    expect(ack.headers.get('to')).toBe('<sip:b@127.0.0.1>;tag=xyz');
    expect(ack.headers.getAll('route')).toEqual(['<sip:127.0.0.9;lr>']);
    for (const h of ['via', 'from', 'call-id']) expect(ack.headers.get(h)).toBe(req.headers.get(h));
  });
});
