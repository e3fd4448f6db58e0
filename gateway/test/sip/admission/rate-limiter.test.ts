import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { RateLimiter } from '../../../src/sip/admission/rate-limiter.js';

describe('per-source token bucket', () => {
  it('admits a burst, then one per 1/rate, and tells how long to wait', () => {
    const clock = new ManualClock();
    const rl = new RateLimiter(clock, { perSecond: 2, burst: 3 });
    expect([rl.take('a'), rl.take('a'), rl.take('a')].every((d) => d.allowed)).toBe(true);
    expect(rl.take('a')).toEqual({ allowed: false, retryAfterS: 1, first: true });
    clock.advance(499);
    expect(rl.take('a')).toEqual({ allowed: false, retryAfterS: 1, first: false });
    clock.advance(1);
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('b').allowed).toBe(true);
  });

  it('Retry-After rounds up to whole seconds for slow rates', () => {
    const clock = new ManualClock();
    const rl = new RateLimiter(clock, { perSecond: 0.1, burst: 1 });
    rl.take('a');
    expect(rl.take('a')).toEqual({ allowed: false, retryAfterS: 10, first: true });
  });

  it('one refusal per Retry-After window is "first" (answered); the rest of the window is not', () => {
    const clock = new ManualClock();
    const rl = new RateLimiter(clock, { perSecond: 1, burst: 1 });
    rl.take('a');
    const firsts: boolean[] = [];
    for (let t = 0; t < 3_000; t += 100) {
      const d = rl.take('a');
      if (!d.allowed) firsts.push(d.first);
      clock.advance(100);
    }
    // Refusals at 0..900 ms: one first; the token at 1 s is spent; refusals again: one first per window.
    expect(firsts.filter((f) => f).length).toBe(3);
    expect(firsts.length).toBeGreaterThan(20);
  });

  it('property: over any schedule, admissions ≤ burst + rate·elapsed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { maxLength: 200 }),
        (perSecond, burst, gaps) => {
          const clock = new ManualClock();
          const rl = new RateLimiter(clock, { perSecond, burst });
          let admitted = 0;
          for (const g of gaps) {
            clock.advance(g);
            if (rl.take('src').allowed) admitted++;
          }
          expect(admitted).toBeLessThanOrEqual(burst + (perSecond * clock.now()) / 1_000 + 1e-9);
        },
      ),
    );
  });

  it('rejects nonsensical settings', () => {
    const clock = new ManualClock();
    expect(() => new RateLimiter(clock, { perSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter(clock, { perSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});
