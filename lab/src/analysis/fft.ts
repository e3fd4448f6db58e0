/**
 * Radix-2 FFT. Analysis code, not the media path: clarity over speed, but O(n log n) so that
 * second-long cross-correlations stay cheap in tests.
 */

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * In-place iterative Cooley–Tukey transform of (re, im), both of the same power-of-two length.
 * `inverse` computes the unscaled inverse (divide by n yourself).
 */
export function fftInPlace(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (im.length !== n || !isPowerOfTwo(n)) throw new RangeError(`fft length must be a power of two, got ${n}/${im.length}`);
  // Bit-reversal permutation.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i] as number;
      re[i] = re[j] as number;
      re[j] = tr;
      const ti = im[i] as number;
      im[i] = im[j] as number;
      im[j] = ti;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size *= 2) {
    const half = size / 2;
    const step = (sign * 2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = Math.cos(step * k);
        const wi = Math.sin(step * k);
        const a = start + k;
        const b = a + half;
        const br = re[b] as number;
        const bi = im[b] as number;
        const tr = wr * br - wi * bi;
        const ti = wr * bi + wi * br;
        re[b] = (re[a] as number) - tr;
        im[b] = (im[a] as number) - ti;
        re[a] = (re[a] as number) + tr;
        im[a] = (im[a] as number) + ti;
      }
    }
  }
}

/** Spectrum of a real signal: bins 0..size/2 of the DFT of `signal` zero-padded (or cut) to `size`. */
export function realFft(signal: ArrayLike<number>, size: number = nextPowerOfTwo(signal.length)): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const n = Math.min(size, signal.length);
  for (let i = 0; i < n; i++) re[i] = signal[i] as number;
  fftInPlace(re, im);
  return { re: re.slice(0, size / 2 + 1), im: im.slice(0, size / 2 + 1) };
}
