import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplayWindow } from '../../../src/rtp/srtp/replay-window.js';

describe('RFC 3711 §3.3.2 sliding replay window', () => {
  it('accepts anything first, then flags duplicates and too-old indices', () => {
    const w = new ReplayWindow(64);
    expect(w.check(1000)).toBe('fresh');
    w.accept(1000);
    expect(w.check(1000)).toBe('duplicate');
    expect(w.check(999)).toBe('fresh');
    expect(w.check(1000 - 63)).toBe('fresh');
    expect(w.check(1000 - 64)).toBe('too-old');
    expect(w.check(1001)).toBe('fresh');
  });

  it('forgets slots it slides over', () => {
    const w = new ReplayWindow(64);
    w.accept(0);
    w.accept(64); // slot 0 reused for index 64
    expect(w.check(0)).toBe('too-old');
    w.accept(100);
    expect(w.check(64)).toBe('duplicate');
    expect(w.check(65)).toBe('fresh');
  });

  it('handles 48-bit indices', () => {
    const w = new ReplayWindow(128);
    const big = 2 ** 47 + 12345;
    w.accept(big);
    expect(w.check(big)).toBe('duplicate');
    expect(w.check(big - 1)).toBe('fresh');
  });

  it('agrees with a set-based model (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 300 }), (indices) => {
        const w = new ReplayWindow(64);
        const seen = new Set<number>();
        let max = -1;
        for (const i of indices) {
          const expected = max >= 0 && i <= max && max - i >= 64 ? 'too-old' : seen.has(i) ? 'duplicate' : 'fresh';
          expect(w.check(i)).toBe(expected);
          if (expected === 'fresh') {
            w.accept(i);
            seen.add(i);
            max = Math.max(max, i);
          }
        }
      }),
    );
  });

  it('rejects sizes below 64', () => {
    expect(() => new ReplayWindow(63)).toThrow(RangeError);
  });
});
