import { afterEach, describe, expect, it } from 'vitest';
import { buildRequest, flushMicrotasks, OFFER_SDP, startHarness, type Harness } from './helpers/harness.js';

/**
 * Request-level bounds (injected clock, in-memory transport): the per-source rate for every method,
 * the caps on live server transactions, and the cap on calls in set-up per source.
 */

let h: Harness;
afterEach(async () => {
  await h.server.stop();
  expect(h.clock.pendingTimers).toBe(0);
});

const A = { address: '127.0.0.2', port: 5070 };
const B = { address: '127.0.0.3', port: 5070 };

function cancels(n: number, from: { address: string; port: number }, tag = 'c'): string[] {
  return Array.from({ length: n }, (_, i) => buildRequest({ method: 'CANCEL', branch: `z9hG4bK-${tag}${i}`, callId: `${tag}${i}@x` }, from));
}

describe('per-source request rate (every method)', () => {
  it('beyond the burst: one stateless 503 + Retry-After per window, the rest dropped; no transaction is created', async () => {
    h = await startHarness({ requestRateLimit: { perSecond: 10, burst: 20 } });
    for (const m of cancels(100, A)) h.send(m, A);
    const responses = h.takeResponses();
    expect(responses.filter((r) => r.status === 481)).toHaveLength(20);
    const refused = responses.filter((r) => r.status === 503);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.headers.get('Retry-After')).toBe('1');
    expect(h.server.stats()['reject.request_rate']).toBe(80);
    expect(h.server.stats()['drop.request_rate']).toBe(79);
    // Another source has its own bucket.
    h.send(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-b' }, B), B);
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
    // After the window the bucket has refilled: served again, and a new refusal is answered once.
    h.clock.advance(1_000);
    for (const m of cancels(12, A, 'd')) h.send(m, A);
    expect(h.takeResponses().map((r) => r.status)).toEqual([...Array<number>(10).fill(481), 503]);
  });

  it('ACKs over the rate are dropped, never answered', async () => {
    h = await startHarness({ requestRateLimit: { perSecond: 1, burst: 1 } });
    h.send(buildRequest({ method: 'OPTIONS' }, A), A);
    h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-a1', toTag: 'x' }, A), A);
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
    expect(h.server.stats()['drop.request_rate']).toBe(1);
  });
});

describe('live server transactions are capped', () => {
  it('per source over UDP: requests beyond the cap are dropped silently; the transactions expire and the source is served again', async () => {
    h = await startHarness({ maxServerTransactions: 100, maxServerTransactionsPerSource: 10 });
    for (const m of cancels(30, A)) h.send(m, A);
    expect(h.takeResponses()).toHaveLength(10);
    expect(h.server.stats()['reject.transactions.source_limit']).toBe(20);
    h.send(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-b' }, B), B);
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
    h.clock.advance(32_000); // Timer J ends them
    h.send(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-a' }, A), A);
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
  });

  it('in all, over a stream transport: a stateless 503 + Retry-After', async () => {
    h = await startHarness({ kind: 'tcp', maxServerTransactions: 5, maxServerTransactionsPerSource: 5 });
    // Reliable transports end non-INVITE transactions at once (Timer J = 0); INVITEs stay while unanswered.
    for (let i = 0; i < 6; i++) h.send(buildRequest({ method: 'INVITE', branch: `z9hG4bK-i${i}`, callId: `i${i}@x`, body: OFFER_SDP }, A), { ...A, connectionId: 'c1' });
    const statuses = h.takeResponses().map((r) => r.status);
    expect(statuses.filter((s) => s === 100)).toHaveLength(5);
    expect(statuses.filter((s) => s === 503)).toHaveLength(1);
    expect(h.server.stats()['reject.transactions.total_limit']).toBe(1);
  });

  it('retransmissions of a request whose method is chosen by the peer do not mint new counters', async () => {
    h = await startHarness();
    for (let i = 0; i < 5; i++) {
      const m = buildRequest({ method: `X${i}FOO`, branch: `z9hG4bK-x${i}` }, A);
      h.send(m, A);
      h.send(m, A);
    }
    const names = Object.keys(h.server.stats()).filter((n) => n.startsWith('retransmit.rx.'));
    expect(names).toEqual(['retransmit.rx.other']);
  });
});

describe('calls in set-up per source', () => {
  it('a source holding its quota of unanswered INVITEs gets 503; another source still gets through', async () => {
    h = await startHarness({ maxSetupCallsPerSource: 3, maxConcurrentCalls: 10 });
    for (let i = 0; i < 5; i++) h.send(buildRequest({ method: 'INVITE', branch: `z9hG4bK-h${i}`, callId: `h${i}@x`, body: OFFER_SDP }, A), A);
    expect(h.calls).toHaveLength(3);
    const refused = h.takeResponses().filter((r) => r.status === 503);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.headers.get('Retry-After')).toBe('5');
    expect(h.server.stats()['reject.setup_per_source']).toBe(2);
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-legit', callId: 'legit@x', body: OFFER_SDP }, B), B);
    expect(h.calls).toHaveLength(4);
    expect(h.calls[3]!.source.address).toBe(B.address);
    // Once one of A's calls ends, A may set up another.
    h.calls[0]!.reject(486);
    await flushMicrotasks();
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-h9', callId: 'h9@x', body: OFFER_SDP }, A), A);
    expect(h.calls).toHaveLength(5);
    for (const c of h.calls.slice(1)) c.reject(486);
  });
});
