const SINC_HALF = 24;

/**
 * `signal[i + lag]` for i in [0, n), with band-limited (Blackman-windowed sinc) interpolation, so a
 * recording can be lined up with its reference to a fraction of a sample (resampling chains delay by
 * non-integer amounts). Samples outside the signal read as 0.
 */
export function fractionalRead(signal: ArrayLike<number>, lag: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const whole = Math.floor(lag);
  const frac = lag - whole;
  if (frac === 0) {
    for (let i = 0; i < n; i++) out[i] = (signal[i + whole] as number | undefined) ?? 0;
    return out;
  }
  const taps = new Float64Array(2 * SINC_HALF);
  for (let k = -SINC_HALF + 1; k <= SINC_HALF; k++) {
    const x = k - frac;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / SINC_HALF) + 0.08 * Math.cos((2 * Math.PI * x) / SINC_HALF);
    taps[k + SINC_HALF - 1] = Math.abs(x) < SINC_HALF ? sinc * w : 0;
  }
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = -SINC_HALF + 1; k <= SINC_HALF; k++) acc += ((signal[i + whole + k] as number | undefined) ?? 0) * taps[k + SINC_HALF - 1]!;
    out[i] = acc;
  }
  return out;
}
