/**
 * Fixed-bin histogram of send lateness (ms) for the pacer: recording is O(1) and allocates nothing,
 * percentiles are computed on demand. 0.05 ms bins up to 100 ms; later values land in the last bin
 * (the exact maximum is kept separately).
 */
const BIN_MS = 0.05;
const BINS = 2000;

export interface LatenessSummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LatenessHistogram {
  readonly #bins = new Uint32Array(BINS);
  #count = 0;
  #max = 0;

  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    let bin = Math.floor(v / BIN_MS);
    if (bin >= BINS) bin = BINS - 1;
    this.#bins[bin] = (this.#bins[bin] as number) + 1;
    this.#count++;
    if (v > this.#max) this.#max = v;
  }

  /** Upper edge of the bin holding the q-quantile (0..1). */
  quantile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.ceil(q * this.#count);
    let seen = 0;
    for (let i = 0; i < BINS; i++) {
      seen += this.#bins[i] as number;
      if (seen >= rank) return Math.min((i + 1) * BIN_MS, this.#max);
    }
    return this.#max;
  }

  summary(): LatenessSummary {
    return { count: this.#count, p50Ms: this.quantile(0.5), p99Ms: this.quantile(0.99), maxMs: this.#max };
  }

  reset(): void {
    this.#bins.fill(0);
    this.#count = 0;
    this.#max = 0;
  }
}
