import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxStep, rms, sine, snrDb, syntheticVowel, toInt16 } from '../../../lab/src/analysis/index.js';
import { LossConcealer } from '../../src/audio/index.js';

const RATE = 8000;
const FRAME = 160;

function vowel(f0Hz: number, seconds = 1): Int16Array {
  return toInt16(syntheticVowel({ f0Hz, rateHz: RATE, seconds, peakDbfs: -6 }));
}

/**
 * Plays `signal` frame by frame through a concealer; frames whose index is in `lost` are concealed
 * instead of delivered. Returns what a listener hears.
 */
function playWithLoss(signal: Int16Array, lost: ReadonlySet<number>, plc = new LossConcealer()): Int16Array {
  const out = new Int16Array(signal.length - (signal.length % FRAME));
  for (let f = 0; f * FRAME < out.length; f++) {
    const frame = signal.slice(f * FRAME, (f + 1) * FRAME);
    if (lost.has(f)) plc.conceal(frame);
    else plc.good(frame);
    out.set(frame, f * FRAME);
  }
  return out;
}

const range = (from: number, count: number) => new Set(Array.from({ length: count }, (_, i) => from + i));

describe('ITU-T G.711 Appendix I: pitch detection', () => {
  for (const f0 of [80, 100, 125, 160, 200]) {
    it(`finds the ${RATE / f0}-sample period of a ${f0} Hz vowel (search range 40..120)`, () => {
      const plc = new LossConcealer();
      playWithLoss(vowel(f0, 0.5), range(20, 1), plc);
      expect(plc.pitch).toBe(RATE / f0);
    });
  }

  it('a pitch below the range (250 Hz = 32 samples) is represented by its double (64 samples)', () => {
    const plc = new LossConcealer();
    playWithLoss(vowel(250, 0.5), range(20, 1), plc);
    expect(plc.pitch).toBe(64);
  });
});

describe('ITU-T G.711 Appendix I: concealment quality', () => {
  for (const f0 of [100, 125]) {
    it(`a lost 20 ms frame of a ${f0} Hz vowel is rebuilt far better than by silence insertion`, () => {
      const clean = vowel(f0);
      const lossAt = 20;
      const heard = playWithLoss(clean, range(lossAt, 1));
      const truth = clean.subarray(lossAt * FRAME, (lossAt + 1) * FRAME);
      const concealed = heard.subarray(lossAt * FRAME, (lossAt + 1) * FRAME);
      const silenceSnr = snrDb(truth, new Int16Array(FRAME)); // 0 dB by definition
      const concealedSnr = snrDb(truth, concealed);
      expect(silenceSnr).toBe(0);
      // The second 10 ms is already fading (−20%), which alone caps the SNR near 23 dB.
      expect(concealedSnr).toBeGreaterThan(18);
    });
  }

  it('repeats the waveform without fading for the first 10 ms (period-exact signal: near bit-exact)', () => {
    const clean = vowel(100);
    const heard = playWithLoss(clean, range(20, 1));
    const start = 20 * FRAME;
    // A 100 Hz vowel repeats every 80 samples, so repetition is exact; only rounding differs.
    expect(snrDb(clean.subarray(start, start + 80), heard.subarray(start, start + 80))).toBeGreaterThan(60);
  });
});

describe('ITU-T G.711 Appendix I: widening the repeat to 2 and 3 periods', () => {
  it('after 10 ms repeats the last two periods, after 20 ms the last three', () => {
    // A 100 Hz vowel (period 80) whose last three periods before the loss have levels 0.6, 0.8, 1.0:
    // which history period a concealed 10 ms block came from shows in its level.
    const P = 80;
    const base = vowel(100, 0.5);
    const lossAt = 15 * FRAME; // a multiple of P, so periods align with 10 ms blocks
    const levels = (i: number) => (i >= lossAt - P ? 1 : i >= lossAt - 2 * P ? 0.8 : 0.6);
    const signal = Int16Array.from(base, (s, i) => Math.round(s * levels(i)));
    const plc = new LossConcealer();
    const heard = playWithLoss(signal, range(15, 3), plc);
    expect(plc.pitch).toBe(P);
    const periodRms = rms(base.subarray(lossAt - P, lossAt));
    const gainRms = (block: number) => {
      let sum = 0;
      for (let m = block * 80; m < (block + 1) * 80; m++) sum += Math.max(0, Math.min(1, 1 - (m - 80) / 400)) ** 2;
      return Math.sqrt(sum / 80);
    };
    const sourceLevel = (block: number) =>
      rms(heard.subarray(lossAt + block * 80, lossAt + (block + 1) * 80)) / (gainRms(block) * periodRms);
    // Appendix I read order: block 0 the last period (1.0); at 10 ms the buffer becomes [0.8, 1.0] and
    // reading restarts at its start (0.8); at 20 ms it becomes [0.6, 0.8, 1.0] read from the middle
    // (0.8), then 1.0, then the oldest period 0.6 in block 4.
    const expected = [1, 0.8, 0.8, 1, 0.6];
    for (let b = 0; b < expected.length; b++) expect(sourceLevel(b), `block ${b}`).toBeCloseTo(expected[b]!, 1);
  });
});

describe('ITU-T G.711 Appendix I: attenuation', () => {
  it('holds the level for 10 ms, then fades 20% per 10 ms, and is exactly silent from 60 ms', () => {
    // 200 Hz sine: exactly periodic in 40 samples, so each 10 ms block's RMS is the gain times the original RMS.
    const clean = toInt16(sine(200, RATE, 0.5, -6));
    const lossAt = 10;
    const heard = playWithLoss(clean, range(lossAt, 5)); // 100 ms lost
    const reference = rms(clean.subarray(0, 800));
    const blockRms = (b: number) => rms(heard.subarray(lossAt * FRAME + b * 80, lossAt * FRAME + (b + 1) * 80)) / reference;
    // Mean gain over each 10 ms block of a linear ramp 1 -> 0 over 10..60 ms.
    const expected = [1, 0.9, 0.7, 0.5, 0.3, 0.1];
    for (let b = 0; b < expected.length; b++) expect(blockRms(b), `block ${b}`).toBeCloseTo(expected[b]!, 1);
    const muted = heard.subarray(lossAt * FRAME + 480, (lossAt + 5) * FRAME);
    expect(muted.every((s) => s === 0)).toBe(true);
  });
});

describe('ITU-T G.711 Appendix I: boundaries', () => {
  /** X: the steepest step the clean vowel takes by itself; a join steeper than that is a click. */
  it('no step larger than the signal\'s own steepest step where a loss starts', () => {
    for (const f0 of [100, 125, 143.7, 180]) {
      const clean = vowel(f0);
      const X = maxStep(clean);
      for (let shift = 0; shift < FRAME; shift += 23) {
        const heard = playWithLoss(clean.subarray(shift), range(15, 2));
        const boundary = 15 * FRAME;
        expect(maxStep(heard.subarray(boundary - 1, boundary + 40)), `f0=${f0} shift=${shift}`).toBeLessThanOrEqual(X);
      }
    }
  });

  it('the first concealed step is a step the signal itself took one period earlier (no splice click)', () => {
    for (const f0 of [100, 143.7, 180, 210]) {
      const clean = vowel(f0);
      for (let shift = 0; shift < FRAME; shift += 17) {
        const aligned = clean.subarray(shift);
        const plc = new LossConcealer();
        const heard = playWithLoss(aligned, range(15, 1), plc);
        const n = 15 * FRAME;
        const P = plc.pitch;
        const step = heard[n]! - heard[n - 1]!;
        const periodEarlier = aligned[n - P]! - aligned[n - P - 1]!;
        expect(Math.abs(step - periodEarlier), `f0=${f0} shift=${shift}`).toBeLessThanOrEqual(1); // rounding
      }
    }
  });

  it('no step larger than the signal\'s own steepest step where audio resumes, even next to a peak', () => {
    for (const f0 of [100, 125, 143.7]) {
      const clean = vowel(f0);
      const X = maxStep(clean);
      // Align the stream so the first resumed sample is the vowel's peak: a hard switch from the
      // muted or faded concealment to the real signal would then jump by about the peak.
      let peakAt = 0;
      for (let i = 0; i < 1600; i++) if (Math.abs(clean[i]!) > Math.abs(clean[peakAt]!)) peakAt = i;
      for (const lostFrames of [1, 2, 3, 4]) {
        const resumeFrame = 12;
        const shift = (peakAt + 1600 - ((resumeFrame * FRAME) % 1600)) % 1600;
        const aligned = clean.subarray(shift);
        const resumeAt = resumeFrame * FRAME;
        expect(Math.abs(aligned[resumeAt]!)).toBeGreaterThan(X); // the naive join would click
        const heard = playWithLoss(aligned, range(resumeFrame - lostFrames, lostFrames));
        expect(maxStep(heard.subarray(resumeAt - 1, resumeAt + FRAME)), `f0=${f0} lost=${lostFrames}`).toBeLessThanOrEqual(X);
      }
    }
  });

  it('cross-fades exactly P/4 + 4 ms per extra 10 ms lost into the first good frame, and leaves the rest untouched', () => {
    const clean = vowel(125); // P = 64, P/4 = 16
    for (const [lostFrames, overlap] of [
      [1, 16 + 32], // 2 blocks of 10 ms lost
      [2, 80], //      4 blocks: 16 + 3·32 capped at 10 ms
    ] as const) {
      const plc = new LossConcealer();
      const out = new Int16Array(FRAME);
      for (let f = 0; f < 10; f++) plc.good(clean.slice(f * FRAME, (f + 1) * FRAME));
      for (let f = 0; f < lostFrames; f++) plc.conceal(out);
      const resumed = clean.slice((10 + lostFrames) * FRAME, (11 + lostFrames) * FRAME);
      const original = resumed.slice();
      plc.good(resumed);
      expect(resumed.subarray(overlap)).toEqual(original.subarray(overlap));
      expect(resumed[overlap - 2]).not.toBe(original[overlap - 2]);
    }
  });

  it('leaves good frames untouched when nothing was lost', () => {
    const clean = vowel(125, 0.2);
    expect(playWithLoss(clean, new Set())).toEqual(clean.subarray(0, 1600));
  });

  it('conceals silence when the call starts with a loss (no history)', () => {
    const plc = new LossConcealer();
    const out = new Int16Array(FRAME).fill(123);
    plc.conceal(out);
    expect(out.every((s) => s === 0)).toBe(true);
  });
});

describe('LossConcealer: determinism and framing', () => {
  it('is deterministic: two concealers fed the same stream and loss pattern agree sample for sample', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), fc.constantFrom(100, 125, 143.7, 180), (pattern, f0) => {
        const lost = new Set(pattern.flatMap((l, i) => (l && i >= 3 ? [i] : [])));
        const clean = vowel(f0, 0.6);
        expect(playWithLoss(clean, lost)).toEqual(playWithLoss(clean, lost));
      }),
      { numRuns: 25 },
    );
  });

  it('concealing a loss in chunks of any size equals concealing it in one go', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 8 }), (chunks) => {
        const clean = vowel(125, 0.3);
        const total = chunks.reduce((a, b) => a + b, 0);
        const whole = new LossConcealer();
        const pieces = new LossConcealer();
        for (let f = 0; f < 10; f++) {
          whole.good(clean.slice(f * FRAME, (f + 1) * FRAME));
          pieces.good(clean.slice(f * FRAME, (f + 1) * FRAME));
        }
        const a = new Int16Array(total);
        whole.conceal(a);
        const b = new Int16Array(total);
        let at = 0;
        for (const c of chunks) {
          pieces.conceal(b.subarray(at, at + c));
          at += c;
        }
        expect(b).toEqual(a);
      }),
      { numRuns: 50 },
    );
  });

  it('counts concealed frames', () => {
    const plc = new LossConcealer();
    const out = new Int16Array(FRAME);
    plc.good(new Int16Array(FRAME));
    plc.conceal(out);
    plc.conceal(out);
    plc.good(new Int16Array(FRAME));
    plc.conceal(out);
    expect(plc.concealedFrames).toBe(3);
  });
});
