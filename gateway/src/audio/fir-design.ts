/**
 * Windowed-sinc FIR design (Kaiser window), computed once at module load so the coefficients are
 * derived from three readable numbers instead of pasted from a tool.
 */

/**
 * Linear-phase lowpass: ideal sinc at `cutoffHz` (the −6 dB point) shaped by a Kaiser window of
 * shape `beta`, scaled so the taps sum to `dcGain`. `taps` should be odd so the filter has an
 * integer group delay of (taps − 1) / 2 samples.
 */
export function kaiserLowpass(taps: number, cutoffHz: number, rateHz: number, beta: number, dcGain = 1): Float64Array {
  const h = new Float64Array(taps);
  const centre = (taps - 1) / 2;
  const fc = cutoffHz / rateHz; // cycles per sample
  const i0Beta = besselI0(beta);
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const t = i - centre;
    const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const r = centre === 0 ? 0 : t / centre;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    h[i] = sinc * window;
    sum += h[i] as number;
  }
  for (let i = 0; i < taps; i++) h[i] = ((h[i] as number) * dcGain) / sum;
  return h;
}

/** Zeroth-order modified Bessel function of the first kind, by its power series (converges fast for β ≤ 20). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  // Terms shrink geometrically once k > x/2; 64 terms reach double precision for x ≤ 40.
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}
