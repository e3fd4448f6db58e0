/** Test signals and measurements: tones, levels, cross-correlation. */

/** A sine at `dbov` RMS for `ms` at 8 kHz. */
export function tone(ms: number, hz: number, dbov: number): Int16Array {
  const n = Math.round(ms * 8);
  const peak = 32768 * Math.SQRT2 * 10 ** (dbov / 20);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(peak * Math.sin((2 * Math.PI * hz * i) / 8000));
  return out;
}

/** Deterministic noise (xorshift32) at roughly `dbov` RMS: no periodicity, so one correlation peak. */
export function noise(ms: number, dbov: number, seed = 0x1234567): Int16Array {
  const n = Math.round(ms * 8);
  const out = new Int16Array(n);
  let x = seed >>> 0 || 1;
  const rms = 32768 * 10 ** (dbov / 20);
  // Uniform in [-a, a] has RMS a/√3.
  const a = rms * Math.sqrt(3);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = Math.round(((x / 0xffffffff) * 2 - 1) * a);
  }
  return out;
}

export function rmsDbov(x: Int16Array | Float64Array, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (x[i] as number) ** 2;
  return 10 * Math.log10(sum / Math.max(1, to - from) / 32768 ** 2);
}

/**
 * Lag (in samples) in [minLag, maxLag] maximising the normalised cross-correlation of y against x
 * (y[i + lag] ≈ g·x[i]), and the peak's correlation coefficient.
 */
export function bestLag(x: Float64Array, y: Float64Array, minLag: number, maxLag: number): { lag: number; r: number } {
  let best = { lag: minLag, r: -Infinity };
  for (let lag = minLag; lag <= maxLag; lag++) {
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < x.length; i++) {
      const j = i + lag;
      if (j < 0 || j >= y.length) continue;
      const a = x[i] as number;
      const b = y[j] as number;
      sxy += a * b;
      sxx += a * a;
      syy += b * b;
    }
    const r = sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    if (r > best.r) best = { lag, r };
  }
  return best;
}
