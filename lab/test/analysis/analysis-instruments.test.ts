/**
 * Calibration of the measuring instruments (lab/src/analysis) that the audio tests and the bench rely
 * on: each is checked on signals whose answer is known in closed form, and shown to detect failure.
 */
import { describe, expect, it } from 'vitest';
import {
  aliasLevelDb,
  converterDelayMs,
  estimateDelaySamples,
  fitSine,
  foldedFrequency,
  imageLevelDb,
  multitone,
  passbandRippleDb,
  realFft,
  sine,
  snrDb,
  thdPlusNDb,
  toInt16,
  toneLevelDb,
} from '../../src/analysis/index.js';

/** Deterministic pseudo-random noise (LCG), so calibration does not depend on Math.random. */
function noise(n: number, rmsValue: number, seed = 1): Float64Array {
  let state = seed;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32 - 0.5) * Math.sqrt(12) * rmsValue; // uniform, variance rms²
  }
  return out;
}

describe('analysis instruments: tone fit', () => {
  it('recovers amplitude, phase and DC of a sine exactly, at any frequency and length', () => {
    const x = sine(997, 8000, 0.123, -6, 0.4).map((v) => v + 100);
    const fit = fitSine(x, 8000, 997);
    expect(fit.amplitude).toBeCloseTo(32768 * 10 ** (-6 / 20), 6);
    expect(fit.phase).toBeCloseTo(0.4, 9);
    expect(fit.dc).toBeCloseTo(100, 6);
    expect(fit.residualRms).toBeLessThan(1e-6);
    expect(toneLevelDb(x, 8000, 997)).toBeCloseTo(-6, 9);
  });

  it('THD+N reads a known -40 dB second harmonic and a known noise floor', () => {
    const fundamental = sine(1000, 24000, 1, -6);
    const harmonic = sine(2000, 24000, 1, -46);
    expect(thdPlusNDb(fundamental.map((v, i) => v + harmonic[i]!), 24000, 1000)).toBeCloseTo(-40, 2);
    const peak = 32768 * 10 ** (-6 / 20);
    const n = noise(24000, peak / Math.SQRT2 / 1000); // noise RMS 60 dB below the tone RMS
    expect(thdPlusNDb(fundamental.map((v, i) => v + n[i]!), 24000, 1000)).toBeCloseTo(-60, 0);
  });
});

describe('analysis instruments: delay and SNR', () => {
  it('finds an integer delay of a noise burst, in both directions', () => {
    const x = noise(4000, 1000, 7);
    const delayed = new Float64Array(4000);
    delayed.set(x.subarray(0, 4000 - 37), 37);
    expect(estimateDelaySamples(x, delayed)).toBeCloseTo(37, 3);
    expect(estimateDelaySamples(delayed, x)).toBeCloseTo(-37, 3);
  });

  it('finds a fractional delay of a band-limited signal to within 0.05 sample', () => {
    const freqs = [300, 700, 1100, 1700, 2300, 2900];
    const phases = [0, 1, 2, 3, 4, 5];
    const ref = multitone(freqs, phases, 8000, 0.5, -20);
    const shiftedPhases = phases.map((p, i) => p - (2 * Math.PI * freqs[i]! * 12.5) / 8000); // 12.5 samples late
    const late = multitone(freqs, shiftedPhases, 8000, 0.5, -20);
    expect(Math.abs(estimateDelaySamples(ref, late, 100) - 12.5)).toBeLessThan(0.05);
  });

  it('snrDb: infinite for identical signals, 20 dB for a 10% error, 0 dB against silence', () => {
    const x = sine(440, 8000, 0.1, -6);
    expect(snrDb(x, x)).toBe(Infinity);
    expect(snrDb(x, x.map((v) => v * 0.9))).toBeCloseTo(20, 9);
    expect(snrDb(x, new Float64Array(x.length))).toBeCloseTo(0, 9);
  });
});

describe('analysis instruments: FFT', () => {
  it('realFft equals the direct DFT', () => {
    const x = noise(64, 1, 3);
    const { re, im } = realFft(x);
    for (const k of [0, 1, 5, 17, 32]) {
      let sr = 0;
      let si = 0;
      for (let n = 0; n < 64; n++) {
        sr += x[n]! * Math.cos((2 * Math.PI * k * n) / 64);
        si -= x[n]! * Math.sin((2 * Math.PI * k * n) / 64);
      }
      expect(re[k]).toBeCloseTo(sr, 9);
      expect(im[k]).toBeCloseTo(si, 9);
    }
  });
});

describe('analysis instruments: converter figures detect bad converters', () => {
  // Naive converters with known flaws: dropping samples aliases fully, holding samples images badly.
  const dropEveryThird = { inRate: 24000, outRate: 8000, convert: (x: Int16Array) => x.filter((_, i) => i % 3 === 0) };
  const holdThree = {
    inRate: 8000,
    outRate: 24000,
    convert: (x: Int16Array) => Int16Array.from({ length: x.length * 3 }, (_, i) => x[Math.floor(i / 3)]!),
  };
  const identity = { inRate: 8000, outRate: 8000, convert: (x: Int16Array) => x.slice() };

  it('folds frequencies onto 0..rate/2', () => {
    expect(foldedFrequency(4600, 8000)).toBe(3400);
    expect(foldedFrequency(11850, 8000)).toBe(3850);
    expect(foldedFrequency(8100, 8000)).toBe(100);
  });

  it('dropping samples aliases at 0 dB; holding samples images at about -10 dB; identity has no ripple or delay', () => {
    expect(aliasLevelDb(dropEveryThird)).toBeCloseTo(0, 1);
    expect(imageLevelDb(holdThree)).toBeGreaterThan(-12);
    expect(passbandRippleDb(identity)).toBeLessThan(0.001);
    expect(converterDelayMs(identity)).toBeCloseTo(0, 3);
    const held = holdThree.convert(toInt16(sine(1000, 8000, 0.1, -6)));
    expect(thdPlusNDb(held.subarray(240, 2160), 24000, 1000)).toBeGreaterThan(-20);
  });
});
