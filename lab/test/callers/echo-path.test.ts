/** The echo path: timestamp-driven playout, delay, gain, late loss, re-anchoring. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EchoPath } from '../../src/callers/lab-caller/media/echo-path.js';

const N = 160;

function frame(k: number): Int16Array {
  const f = new Int16Array(N);
  for (let i = 0; i < N; i++) f[i] = ((k * N + i) % 2000) - 1000;
  return f;
}

/** Drains the ring for outgoing frames [0, frames) and returns the concatenated echo. */
function drain(e: EchoPath, frames: number): Float32Array {
  const out = new Float32Array(frames * N);
  for (let f = 0; f < frames; f++) e.take(f * N, out.subarray(f * N, (f + 1) * N));
  return out;
}

describe('EchoPath', () => {
  it('plays each sample exactly delayMs after its frame arrived, scaled by gainDb', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 500 }),
        fc.integer({ min: -40, max: 0 }),
        fc.array(fc.integer({ min: 0, max: 9 * 8 }), { minLength: 20, maxLength: 20 }),
        (delayMs, gainDb, jitter) => {
          const e = new EchoPath();
          e.configure({ gainDb, delayMs });
          const arrival0 = 1_000; // outgoing sample position of the first (least-late) arrival
          jitter[0] = 0;
          jitter.forEach((j, k) => e.push(frame(k), N, 0xabc, 5_000 + k * N, arrival0 + k * N + j, 0));
          const out = drain(e, Math.ceil((arrival0 + 21 * N + delayMs * 8) / N) + 1);
          const g = 10 ** (gainDb / 20);
          for (let k = 0; k < 20; k++) {
            for (const i of [0, 79, 159]) {
              const at = arrival0 + delayMs * 8 + k * N + i;
              expect(out[at]).toBeCloseTo(g * frame(k)[i]!, 2);
            }
          }
          expect(e.reanchors).toBe(0);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('moves the schedule earlier when the first frame was late', () => {
    const e = new EchoPath();
    e.configure({ gainDb: 0, delayMs: 40 });
    e.push(frame(0), N, 1, 0, 30 * 8, 0); // 30 ms late
    e.push(frame(1), N, 1, N, N, 0); // on time
    expect(e.reanchors).toBe(1);
    const out = drain(e, 10);
    // Frame 1 plays at its on-time arrival + 40 ms.
    expect(out[N + 40 * 8]).toBe(frame(1)[0]);
  });

  it('loses what arrives after its playout time has been sent (late loss)', () => {
    const e = new EchoPath();
    e.configure({ gainDb: 0, delayMs: 20 });
    e.push(frame(0), N, 1, 0, 0, 0);
    // Frame 1 due at 160 + 160; the sender is already at 400.
    e.push(frame(1), N, 1, N, N + 50 * 8, 400);
    expect(e.lateSamples).toBe(80);
  });

  it('re-anchors on a new SSRC and discards everything when turned off', () => {
    const e = new EchoPath();
    e.configure({ gainDb: 0, delayMs: 20 });
    e.push(frame(0), N, 1, 0, 0, 0);
    e.push(frame(1), N, 2, 999_999, 800, 0);
    const out = drain(e, 8);
    expect(out[160 + 0]).toBe(frame(0)[0]);
    expect(out[800 + 160]).toBe(frame(1)[0]);
    e.push(frame(2), N, 2, 999_999 + N, 960, 1280);
    e.configure(undefined);
    expect(drain(e, 20).every((v) => v === 0)).toBe(true);
  });
});
