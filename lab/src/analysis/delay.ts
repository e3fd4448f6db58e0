/**
 * Delay between two recordings of the same signal at the same rate, by cross-correlation (computed
 * with the FFT, so minutes of audio are cheap) refined to a fraction of a sample by fitting a
 * parabola through the peak and its two neighbours.
 */
import { fftInPlace, nextPowerOfTwo } from './fft.js';

/**
 * Lag (in samples, fractional) by which `processed` trails `reference`: positive when `processed` is
 * late. Only lags within ±`maxLag` are considered (default: the full overlap), and none below
 * `minLag` when given (e.g. 0 when `processed` cannot lead).
 */
export function estimateDelaySamples(
  reference: ArrayLike<number>,
  processed: ArrayLike<number>,
  maxLag: number = Math.max(reference.length, processed.length),
  minLag?: number,
): number {
  const size = nextPowerOfTwo(reference.length + processed.length);
  const ar = new Float64Array(size);
  const ai = new Float64Array(size);
  const br = new Float64Array(size);
  const bi = new Float64Array(size);
  for (let i = 0; i < reference.length; i++) ar[i] = reference[i] as number;
  for (let i = 0; i < processed.length; i++) br[i] = processed[i] as number;
  fftInPlace(ar, ai);
  fftInPlace(br, bi);
  // corr[lag] = Σ ref[n]·proc[n+lag]  <=>  IFFT(conj(REF)·PROC)
  for (let k = 0; k < size; k++) {
    const xr = ar[k] as number;
    const xi = -(ai[k] as number);
    const yr = br[k] as number;
    const yi = bi[k] as number;
    ar[k] = xr * yr - xi * yi;
    ai[k] = xr * yi + xi * yr;
  }
  fftInPlace(ar, ai, true);
  const at = (lag: number): number => ar[(lag + size) % size] as number;
  const limit = Math.min(Math.floor(maxLag), processed.length - 1, size / 2 - 1);
  const lowest = Math.max(-Math.min(Math.floor(maxLag), reference.length - 1, size / 2 - 1), minLag === undefined ? -Infinity : Math.ceil(minLag));
  let best = 0;
  let bestValue = -Infinity;
  for (let lag = lowest; lag <= limit; lag++) {
    const v = at(lag);
    if (v > bestValue) {
      bestValue = v;
      best = lag;
    }
  }
  const l = at(best - 1);
  const c = at(best);
  const r = at(best + 1);
  const denom = l - 2 * c + r;
  return denom < 0 ? best + (0.5 * (l - r)) / denom : best;
}
