import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DROPOUT, SourceState } from '../../src/rtp/stats/source-state.js';
import { SourceTracker } from '../../src/rtp/stats/source-tracker.js';

/** Feeds seqs with timestamps 160 apart and arrivals 20 ms apart (a perfect G.711 stream). */
function feed(s: SourceState, seqs: number[], t0 = 0): string[] {
  return seqs.map((seq, i) => s.update(seq & 0xffff, (seq * 160) >>> 0, t0 + i * 20));
}

describe('RFC 3550 A.1 sequence validation', () => {
  it('keeps a new source on probation until MIN_SEQUENTIAL packets arrive in sequence', () => {
    const s = new SourceState(1, 100, 8000);
    expect(feed(s, [100])).toEqual(['probation']);
    expect(s.validated).toBe(false);
    expect(feed(s, [101])).toEqual(['valid']);
    expect(s.validated).toBe(true);
    // base_seq is the packet that completed probation (A.1 init_seq)
    expect(s.expected).toBe(1);
    expect(s.packetsReceived).toBe(1);
  });

  it('restarts probation when the probation packets are not sequential', () => {
    const s = new SourceState(1, 10, 8000);
    expect(feed(s, [10, 12, 13])).toEqual(['probation', 'probation', 'valid']);
  });

  it('counts the 16-bit wrap in cycles (extended highest sequence)', () => {
    const s = new SourceState(1, 65534, 8000);
    feed(s, [65534, 65535, 0, 1, 2]);
    expect(s.extendedHighestSeq).toBe(65536 + 2);
    expect(s.expected).toBe(4); // 65535, 0, 1, 2
    expect(s.cumulativeLost).toBe(0);
  });

  it('treats a jump beyond MAX_DROPOUT as a stray until the next packet confirms it (restart)', () => {
    const s = new SourceState(1, 1000, 8000);
    feed(s, [1000, 1001, 1002]);
    const far = 1002 + MAX_DROPOUT + 10;
    expect(s.update(far, 0, 100)).toBe('bad');
    expect(s.update(1003, 0, 120)).toBe('valid'); // the old stream continues: the stray is ignored
    expect(s.update(far, 0, 140)).toBe('bad');
    expect(s.update(far + 1, 160, 160)).toBe('restart');
    expect(s.restarts).toBe(1);
    expect(s.expected).toBe(1);
    expect(s.badSequence).toBe(2);
  });

  it('classifies duplicates and reordered packets (beyond A.1)', () => {
    const s = new SourceState(1, 1, 8000);
    expect(feed(s, [1, 2, 4, 3, 3, 5, 2])).toEqual(['probation', 'valid', 'valid', 'valid', 'duplicate', 'valid', 'duplicate']);
    expect(s.reordered).toBe(1);
    expect(s.duplicates).toBe(2);
  });

  it('recognises a reordered packet from the previous cycle across the wrap', () => {
    const s = new SourceState(1, 65533, 8000);
    expect(feed(s, [65533, 65534, 0, 65535, 1])).toEqual(['probation', 'valid', 'valid', 'valid', 'valid']);
    expect(s.reordered).toBe(1);
    expect(s.cumulativeLost).toBe(0);
  });
});

describe('RFC 3550 A.3 expected, lost and fraction lost', () => {
  it('reports interval fraction and cumulative loss', () => {
    const s = new SourceState(1, 0, 8000);
    feed(s, [0, 1, 2, 3, 5, 6, 7, 8]); // 4 lost; base is 1 -> expected 8 (1..8), received 7
    const r1 = s.takeReport();
    expect(r1.cumulativeLost).toBe(1);
    expect(r1.fractionLost).toBe(Math.floor((1 * 256) / 8));
    expect(r1.extendedHighestSeq).toBe(8);
    feed(s, [9, 10, 11, 12], 200);
    const r2 = s.takeReport();
    expect(r2.fractionLost).toBe(0); // nothing lost in this interval
    expect(r2.cumulativeLost).toBe(1);
  });

  it('lets duplicates make cumulative loss negative, and fraction 0', () => {
    const s = new SourceState(1, 0, 8000);
    feed(s, [0, 1, 2, 2, 2]);
    const r = s.takeReport();
    expect(r.cumulativeLost).toBe(-2);
    expect(r.fractionLost).toBe(0);
  });

  it('lost == expected - received for any arrival pattern (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 2, maxLength: 200 }), fc.integer({ min: 0, max: 0xffff }), (offsets, start) => {
        const s = new SourceState(7, start, 8000);
        s.update(start, 0, 0);
        s.update((start + 1) & 0xffff, 160, 20);
        offsets.forEach((o, i) => s.update((start + 1 + o) & 0xffff, 0, 40 + i));
        expect(s.cumulativeLost).toBe(s.expected - s.packetsReceived);
        expect(s.expected).toBeGreaterThanOrEqual(1);
      }),
    );
  });
});

describe('RFC 3550 A.8 interarrival jitter', () => {
  it('is zero for a perfectly paced stream, across the 32-bit timestamp wrap', () => {
    const s = new SourceState(1, 0, 8000);
    const ts0 = 0xffffffff - 160 * 5;
    for (let i = 0; i < 20; i++) s.update(i, (ts0 + i * 160) >>> 0, 1000 + i * 20);
    expect(s.takeReport().jitter).toBe(0);
    expect(s.jitterMs).toBe(0);
  });

  it('follows J += (|D| - J)/16 for alternating 4 ms early/late arrivals', () => {
    const s = new SourceState(1, 0, 8000);
    let expected = 0;
    for (let i = 0; i < 40; i++) {
      const wobble = i % 2 === 0 ? 0 : 4; // ms
      s.update(i, i * 160, i * 20 + wobble);
      if (i >= 2) expected += (32 - expected) / 16; // |D| = 4 ms = 32 timestamp units (first pair is probation)
    }
    expect(s.jitterMs).toBeCloseTo((expected * 1000) / 8000, 9);
  });
});

describe('RFC 3550 §8.2 SSRC change', () => {
  it('re-syncs on a validated new SSRC instead of counting a loss burst', () => {
    const t = new SourceTracker(8000);
    expect(t.onPacket(0xaaaa, 100, 0, 0)).toBe('hold');
    expect(t.onPacket(0xaaaa, 101, 160, 20)).toBe('media-resync');
    expect(t.onPacket(0xaaaa, 102, 320, 40)).toBe('media');
    // The sender changes SSRC, sequence and timestamp base (e.g. after a re-INVITE).
    expect(t.onPacket(0xbbbb, 5000, 777, 60)).toBe('hold');
    expect(t.onPacket(0xbbbb, 5001, 937, 80)).toBe('media-resync');
    expect(t.current?.ssrc).toBe(0xbbbb);
    expect(t.current?.cumulativeLost).toBe(0);
    expect(t.ssrcChanges).toBe(1);
  });

  it('does not flap between two interleaved SSRCs', () => {
    const t = new SourceTracker(8000);
    t.onPacket(1, 0, 0, 0);
    t.onPacket(1, 1, 160, 20);
    const verdicts: string[] = [];
    for (let i = 0; i < 10; i++) {
      verdicts.push(t.onPacket(1, 2 + i, 320 + i * 160, 40 + i * 20));
      verdicts.push(t.onPacket(2, 900 + i, i * 160, 45 + i * 20));
    }
    expect(t.current?.ssrc).toBe(1);
    expect(t.ssrcChanges).toBe(0);
    expect(verdicts.filter((v) => v === 'media-resync')).toEqual([]);
    expect(t.competingPackets).toBeGreaterThan(0);
  });
});
