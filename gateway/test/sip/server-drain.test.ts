import { afterEach, describe, expect, it } from 'vitest';
import { buildRequest, establish, OFFER_SDP, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
afterEach(async () => {
  await h.server.stop();
  expect(h.clock.pendingTimers).toBe(0);
});

describe('graceful drain', () => {
  it('answers new INVITEs and OPTIONS 503 with Retry-After, before admission takes anything', async () => {
    h = await startHarness({ maxConcurrentCalls: 10 });
    expect(h.server.draining).toBe(false);
    h.server.drain(30);
    expect(h.server.draining).toBe(true);
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    h.send(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-opt', callId: 'opt-1' }));
    const [invite, options] = h.takeResponses();
    expect(invite?.status).toBe(503);
    expect(invite?.reason).toBe('Service Unavailable (draining)');
    expect(invite?.headers.get('Retry-After')).toBe('30');
    expect(options?.status).toBe(503);
    expect(options?.headers.get('Retry-After')).toBe('30');
    expect(h.calls).toHaveLength(0);
    expect(h.server.activeCalls).toBe(0);
    expect(h.server.stats()['reject.draining.INVITE']).toBe(1);
  });

  it('keeps serving the dialogs that exist: a BYE in a confirmed dialog still gets 200', async () => {
    h = await startHarness();
    const { dialog, toTag } = await establish(h);
    h.server.drain(30);
    h.take();
    h.send(buildRequest({ method: 'BYE', branch: 'z9hG4bK-bye', toTag, cseq: 2 }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
    expect(dialog.state).toBe('terminated');
  });

  it("reports every response sent (stateless ones too), with its status and the request's method", async () => {
    h = await startHarness();
    const seen: Array<[number, string]> = [];
    h.server.on('response', (status, method) => seen.push([status, method]));
    h.send(buildRequest({ method: 'OPTIONS' }));
    h.send('garbage that is not SIP\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK1\r\n\r\n');
    h.server.drain(5);
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, branch: 'z9hG4bK-inv' }));
    expect(seen).toEqual([
      [200, 'OPTIONS'],
      [400, ''], // stateless: no CSeq could be read
      [503, 'INVITE'],
    ]);
  });
});
