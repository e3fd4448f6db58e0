/** Helpers the checks share: RTP payload order (RFC 3550 §A.1 sequence extension), percentiles, signal SNR. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignedSnrDb, decodeG711 } from '../../src/runner/checks/signal.js';
import { callerBye, payloadInSeqOrder, percentile, rtpPackets } from '../../src/runner/checks/wire.js';
import { g711Codec } from 'connect-realtime-gateway';
import { frameOf, rtpRecord, sipRecord } from './helpers/evidence.js';

/** Records for `seqs` in arrival order, each payload one byte naming its position in the true order. */
function arrivals(seqs: number[], order: (seq: number) => number) {
  return seqs.map((seq, i) => rtpRecord(i * 20, 'toCaller', seq, Buffer.from([order(seq)])));
}

describe('RFC 3550 A.1 payloadInSeqOrder', () => {
  it('concatenates in-order packets across the 16-bit wrap', () => {
    const seqs = [65533, 65534, 65535, 0, 1, 2];
    const out = payloadInSeqOrder(arrivals(seqs, (s) => seqs.indexOf(s)));
    expect([...out]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('puts reordered packets back in sequence order', () => {
    const out = payloadInSeqOrder(arrivals([10, 12, 11, 14, 13], (s) => s - 10));
    expect([...out]).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps one copy of a duplicated packet, also across the wrap', () => {
    const seqs = [65534, 65535, 65535, 0, 0, 1];
    const truth = [65534, 65535, 0, 1];
    const out = payloadInSeqOrder(arrivals(seqs, (s) => truth.indexOf(s)));
    expect([...out]).toEqual([0, 1, 2, 3]);
  });

  it('filters by payload type and skips records without a payload', () => {
    const recs = [
      rtpRecord(0, 'toGateway', 1, Buffer.from([1])),
      rtpRecord(20, 'toGateway', 2, Buffer.from([2]), { pt: 101 }), // a telephone-event
      rtpRecord(40, 'toGateway', 3, undefined),
      rtpRecord(60, 'toGateway', 4, Buffer.from([4])),
    ];
    expect([...payloadInSeqOrder(recs, 0)]).toEqual([1, 4]);
    expect([...payloadInSeqOrder(recs)]).toEqual([1, 2, 4]);
  });

  it('a stream that starts anywhere, with neighbours swapped, comes out in sequence order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 2, max: 200 }), fc.array(fc.nat(), { maxLength: 40 }), (start, n, swaps) => {
        const truth = Array.from({ length: n }, (_, i) => (start + i) & 0xffff);
        const arrived = [...truth];
        for (const s of swaps) {
          const i = s % (n - 1);
          [arrived[i], arrived[i + 1]] = [arrived[i + 1]!, arrived[i]!];
        }
        const out = payloadInSeqOrder(arrived.map((seq, i) => rtpRecord(i, 'toCaller', seq, Buffer.from([truth.indexOf(seq) & 0xff]))));
        expect([...out]).toEqual(truth.map((_, i) => i & 0xff));
      }),
      { numRuns: 300 },
    );
  });

  it('a packet reordered across the wrap (65534, 0, 65535, 1) is put back before 0', () => {
    const truth = [65534, 65535, 0, 1];
    const out = payloadInSeqOrder(arrivals([65534, 0, 65535, 1], (s) => truth.indexOf(s)));
    expect([...out]).toEqual([0, 1, 2, 3]);
  });
});

describe('rtpPackets and callerBye', () => {
  it('rtpPackets keeps RTP (not RTCP) of one direction and fate', () => {
    const recs = [
      rtpRecord(0, 'toGateway', 1, frameOf(1)),
      rtpRecord(1, 'toGateway', 2, frameOf(2), { fate: 'dropped' }),
      rtpRecord(2, 'toGateway', 3, frameOf(3), { rtcp: true }),
      rtpRecord(3, 'toCaller', 4, frameOf(4)),
      { t: 4, dir: 'toGateway' as const, rtcp: false, fate: 'forwarded' as const, length: 5 }, // not RTP: no seq
    ];
    expect(rtpPackets(recs, 'toGateway').map((r) => r.seq)).toEqual([1]);
    expect(rtpPackets(recs, 'toGateway', 'any').map((r) => r.seq)).toEqual([1, 2]);
    expect(rtpPackets(recs, 'toGateway', 'dropped').map((r) => r.seq)).toEqual([2]);
  });

  it('callerBye pairs the caller’s BYE with the gateway’s final answer, not a provisional one or an answer to another method', () => {
    const sip = [
      sipRecord(100, 'toCaller', 'BYE sip:caller@127.0.0.3 SIP/2.0', '1 BYE'), // the gateway's own BYE
      sipRecord(200, 'toGateway', 'BYE sip:gw@127.0.0.1 SIP/2.0', '3 BYE'),
      sipRecord(201, 'toCaller', 'SIP/2.0 100 Trying', '3 BYE'),
      sipRecord(202, 'toCaller', 'SIP/2.0 200 OK', '4 INFO'),
      sipRecord(203, 'toCaller', 'SIP/2.0 200 OK', '3 BYE'),
    ];
    const { bye, answer } = callerBye(sip);
    expect(bye?.t).toBe(200);
    expect(answer?.t).toBe(203);
    expect(callerBye(sip.slice(0, 1))).toEqual({});
  });
});

describe('percentile (nearest rank)', () => {
  const ten = [10, 3, 7, 1, 9, 2, 8, 4, 6, 5];

  it('picks the nearest-rank value', () => {
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 90)).toBe(9);
    expect(percentile(ten, 99)).toBe(10);
    expect(percentile(ten, 100)).toBe(10);
    expect(percentile(ten, 0)).toBe(1);
    expect(percentile([42], 99)).toBe(42);
  });

  it('is NaN for no values and leaves its input unsorted', () => {
    expect(percentile([], 50)).toBeNaN();
    const copy = [...ten];
    percentile(ten, 50);
    expect(ten).toEqual(copy);
  });

  it('is always one of the values and grows with p', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (vs, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(vs).toContain(percentile(vs, lo));
        expect(percentile(vs, lo)).toBeLessThanOrEqual(percentile(vs, hi));
      }),
      { numRuns: 200 },
    );
  });
});

/** Speech-like test signal: a few partials under 2 kHz with a slow envelope, evaluated at any real time. */
function signalAt(t: number): number {
  const partials: Array<[number, number, number]> = [
    [180, 0.5, 0.1],
    [410, 0.35, 1.3],
    [730, 0.3, 2.2],
    [1150, 0.2, 0.7],
    [1720, 0.12, 2.9],
  ];
  const envelope = 0.6 + 0.4 * Math.sin((2 * Math.PI * 3.1 * t) / 8000);
  let v = 0;
  for (const [hz, amp, phase] of partials) v += amp * Math.sin((2 * Math.PI * hz * t) / 8000 + phase);
  return 12000 * envelope * v;
}

function sampled(n: number, delay: number, gain = 1): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(gain * signalAt(i - delay));
  return out;
}

describe('alignedSnrDb', () => {
  const reference = sampled(4000, 0);

  it('a signal against itself delayed by a fractional number of samples scores high', () => {
    for (const delay of [0, 7, 37.25, 100.5, 211.8]) {
      const snr = alignedSnrDb(reference, sampled(4400, delay));
      expect(snr, `delay ${delay}`).toBeGreaterThan(35);
    }
  });

  it('the fitted gain makes a quieter copy score as high', () => {
    expect(alignedSnrDb(reference, sampled(4400, 55.5, 0.25))).toBeGreaterThan(35);
  });

  it('a copy through G.711 µ-law scores like µ-law’s own SNR (about 35 dB)', () => {
    const codec = g711Codec('PCMU');
    const delayed = sampled(4400, 80);
    const bytes = Buffer.alloc(delayed.length);
    codec.encode(delayed, bytes);
    const snr = alignedSnrDb(reference, decodeG711(bytes));
    expect(snr).toBeGreaterThan(30);
    expect(snr).toBeLessThan(45);
  });

  it('against unrelated noise it scores low', () => {
    let seed = 12345;
    const noise = new Int16Array(4400);
    for (let i = 0; i < noise.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      noise[i] = (seed >>> 16) - 32768;
    }
    expect(alignedSnrDb(reference, noise)).toBeLessThan(0);
  });

  it('a silent reference has no SNR (−Infinity)', () => {
    expect(alignedSnrDb(new Int16Array(400), sampled(400, 0))).toBe(-Infinity);
  });
});
