/**
 * Test-signal generators. Signals are Float64Arrays in 16-bit sample units (full scale 32768), so the
 * same numbers feed Int16Array kernels after `toInt16` and float libraries after dividing by 32768.
 */

/** Peak value of a 0 dBFS sine. */
export const FULL_SCALE = 32768;

export function dbToAmplitude(db: number): number {
  return 10 ** (db / 20);
}

/** A sine of peak `FULL_SCALE·10^(dBFS/20)`; `phase` in radians. */
export function sine(freqHz: number, rateHz: number, seconds: number, amplitudeDbfs: number, phase = 0): Float64Array {
  const n = Math.round(seconds * rateHz);
  const peak = FULL_SCALE * dbToAmplitude(amplitudeDbfs);
  const out = new Float64Array(n);
  const w = (2 * Math.PI * freqHz) / rateHz;
  for (let i = 0; i < n; i++) out[i] = peak * Math.sin(w * i + phase);
  return out;
}

/**
 * A sum of sines, each at `amplitudeDbfs`, with the given phases (radians). Evaluated analytically,
 * so the same call at two rates yields two band-limited samplings of one continuous signal — the
 * ideal reference for a resampler.
 */
export function multitone(
  freqsHz: readonly number[],
  phases: readonly number[],
  rateHz: number,
  seconds: number,
  amplitudeDbfs: number,
): Float64Array {
  const n = Math.round(seconds * rateHz);
  const peak = FULL_SCALE * dbToAmplitude(amplitudeDbfs);
  const out = new Float64Array(n);
  for (let t = 0; t < freqsHz.length; t++) {
    const w = (2 * Math.PI * (freqsHz[t] as number)) / rateHz;
    const ph = phases[t] ?? 0;
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) + peak * Math.sin(w * i + ph);
  }
  return out;
}

/**
 * A steady synthetic vowel: harmonics of `f0Hz` below 3400 Hz, each weighted by a three-formant
 * resonance envelope (default /a/: 730, 1090, 2440 Hz), normalised to a peak of `peakDbfs`.
 * Periodic with period rateHz/f0Hz samples, which is what pitch-based concealment relies on.
 */
export function syntheticVowel(opts: {
  f0Hz: number;
  rateHz: number;
  seconds: number;
  peakDbfs: number;
  formantsHz?: readonly [number, number, number];
}): Float64Array {
  const { f0Hz, rateHz, seconds, peakDbfs } = opts;
  const formants = opts.formantsHz ?? [730, 1090, 2440];
  const bandwidthHz = 100;
  const n = Math.round(seconds * rateHz);
  const out = new Float64Array(n);
  for (let k = 1; k * f0Hz < 3400; k++) {
    const f = k * f0Hz;
    let gain = 0;
    for (const fm of formants) gain += 1 / (1 + ((f - fm) / bandwidthHz) ** 2);
    // Glottal source falls ~12 dB/octave; formants lift it back where they sit.
    const amp = (gain + 0.05) / k;
    const w = (2 * Math.PI * f) / rateHz;
    const ph = 0.7 * k * k; // fixed, deterministic phase spread (avoids a spiky waveform)
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) + amp * Math.sin(w * i + ph);
  }
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(out[i] as number));
  const scale = peak > 0 ? (FULL_SCALE * dbToAmplitude(peakDbfs)) / peak : 0;
  for (let i = 0; i < n; i++) out[i] = (out[i] as number) * scale;
  return out;
}

/** Rounds to nearest and saturates to the int16 range. */
export function toInt16(signal: ArrayLike<number>): Int16Array {
  const out = new Int16Array(signal.length);
  for (let i = 0; i < signal.length; i++) {
    const r = Math.round(signal[i] as number);
    out[i] = r > 32767 ? 32767 : r < -32768 ? -32768 : r;
  }
  return out;
}

export function toFloat64(signal: ArrayLike<number>): Float64Array {
  const out = new Float64Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = signal[i] as number;
  return out;
}

/** The largest |x[i] − x[i−1]|: the steepest step a signal takes on its own. */
export function maxStep(signal: ArrayLike<number>): number {
  let m = 0;
  for (let i = 1; i < signal.length; i++) m = Math.max(m, Math.abs((signal[i] as number) - (signal[i - 1] as number)));
  return m;
}

/** RMS of a signal (0 for an empty one). */
export function rms(signal: ArrayLike<number>): number {
  if (signal.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < signal.length; i++) s += (signal[i] as number) ** 2;
  return Math.sqrt(s / signal.length);
}
