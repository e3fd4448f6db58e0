import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRequest, OFFER_SDP, startHarness } from './helpers/harness.js';

const SEEDS = [
  buildRequest({ method: 'INVITE', body: OFFER_SDP, headers: [['Session-Expires', '90;refresher=uac'], ['Supported', 'timer'], ['Authorization', 'Digest username="a", nonce="x"']] }),
  buildRequest({ method: 'CANCEL', cseqMethod: 'CANCEL', contact: null }),
  buildRequest({ method: 'BYE', toTag: 'x', cseq: 2 }),
  buildRequest({ method: 'ACK', toTag: 'x' }),
  'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKq\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: z\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n',
];

/** One edit of a seed: overwrite, insert or delete a few bytes, or cut it short. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(',', ';', '<', '>', '"', '\r\n', ' ', ':', '\\', '%00', 'tag=', 'z9hG4bK', '\u00ff', '\r\n\r\n') }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

interface Edit {
  kind: 'set' | 'insert' | 'delete' | 'truncate';
  at: number;
  byte?: number;
  text?: string;
  len?: number;
}

function apply(seed: string, edits: Edit[]): Buffer {
  let b = Buffer.from(seed, 'latin1');
  for (const e of edits) {
    const at = b.length === 0 ? 0 : e.at % b.length;
    if (e.kind === 'set') {
      b = Buffer.from(b);
      b[at] = e.byte ?? 0;
    } else if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(e.text ?? ''), b.subarray(at)]);
    else if (e.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + (e.len ?? 1))]);
    else b = b.subarray(0, at);
  }
  return b;
}

describe('robustness: bad input never escapes the SIP layer', () => {
  it('property: mutated INVITE/CANCEL/BYE/ACK/responses never make a handler throw', async () => {
    const h = await startHarness({ auth: { realm: 'r', username: 'u', password: 'p' }, inviteRateLimit: { perSecond: 1_000, burst: 1_000 } });
    h.server.on('invite', (call) => call.reject(486));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, edits) => {
        h.transport.inject(apply(SEEDS[i]!, edits), { address: '127.0.0.2', port: 5070 });
      }),
      { numRuns: 500 },
    );
    h.clock.advance(64_000);
    expect(h.server.stats()['error.handler']).toBeUndefined();
    await h.server.stop();
    expect(h.clock.pendingTimers).toBe(0);
  });
});
