/**
 * Tone measurements by least-squares sine fit (the IEEE 1057 three-parameter fit plus DC): for a
 * known frequency, find a·cos + b·sin + c closest to the signal. Unlike an FFT this needs no window
 * and no bin alignment, so 1 kHz at 8 kHz or 24 kHz measures exactly on any length; what the fit
 * leaves over (the residual) is everything that is not the tone: harmonics, images, aliases, noise.
 */
import { FULL_SCALE } from './signals.js';

export interface SineFit {
  /** Peak amplitude of the fitted tone, in the signal's units. */
  amplitude: number;
  /** Phase in radians of the fitted tone, as `amplitude·sin(ωn + phase)`. */
  phase: number;
  /** Fitted DC offset. */
  dc: number;
  /** RMS of signal − fit (harmonics, noise, everything else). */
  residualRms: number;
}

/** Fits `amplitude·sin(2π·freq·n/rate + phase) + dc` to the whole of `signal`. */
export function fitSine(signal: ArrayLike<number>, rateHz: number, freqHz: number): SineFit {
  const n = signal.length;
  const w = (2 * Math.PI * freqHz) / rateHz;
  // Normal equations for the basis (cos, sin, 1).
  let cc = 0, cs = 0, c1 = 0, ss = 0, s1 = 0;
  let yc = 0, ys = 0, y1 = 0;
  for (let i = 0; i < n; i++) {
    const c = Math.cos(w * i);
    const s = Math.sin(w * i);
    const y = signal[i] as number;
    cc += c * c; cs += c * s; c1 += c; ss += s * s; s1 += s;
    yc += y * c; ys += y * s; y1 += y;
  }
  const [a, b, dc] = solve3(
    [cc, cs, c1, cs, ss, s1, c1, s1, n],
    [yc, ys, y1],
  );
  let res = 0;
  for (let i = 0; i < n; i++) {
    const e = (signal[i] as number) - (a * Math.cos(w * i) + b * Math.sin(w * i) + dc);
    res += e * e;
  }
  return {
    amplitude: Math.hypot(a, b),
    phase: Math.atan2(a, b),
    dc,
    residualRms: n > 0 ? Math.sqrt(res / n) : 0,
  };
}

/** Level of the `freqHz` component in dBFS (0 dBFS = a sine of peak 32768). */
export function toneLevelDb(signal: ArrayLike<number>, rateHz: number, freqHz: number): number {
  return 20 * Math.log10(fitSine(signal, rateHz, freqHz).amplitude / FULL_SCALE);
}

/**
 * THD+N in dB: RMS of everything except the tone at `freqHz` (and DC) relative to the tone's RMS.
 * Trim filter start-up transients off `signal` before calling.
 */
export function thdPlusNDb(signal: ArrayLike<number>, rateHz: number, freqHz: number): number {
  const fit = fitSine(signal, rateHz, freqHz);
  return 20 * Math.log10(fit.residualRms / (fit.amplitude / Math.SQRT2));
}

/** Solves a 3×3 system (row-major `m`) by Gaussian elimination with partial pivoting. */
function solve3(m: number[], v: number[]): [number, number, number] {
  const a = [
    [m[0] as number, m[1] as number, m[2] as number, v[0] as number],
    [m[3] as number, m[4] as number, m[5] as number, v[1] as number],
    [m[6] as number, m[7] as number, m[8] as number, v[2] as number],
  ];
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    if (p === 0) return [0, 0, 0];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / p;
      for (let k = col; k < 4; k++) a[r]![k] = a[r]![k]! - f * a[col]![k]!;
    }
  }
  return [a[0]![3]! / a[0]![0]!, a[1]![3]! / a[1]![1]!, a[2]![3]! / a[2]![2]!];
}
