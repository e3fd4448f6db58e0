import type { Clock } from '../../clock.js';

/** Distinct sources tracked at once; beyond this, buckets that have refilled are forgotten. */
export const MAX_TRACKED_SOURCES = 10_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterS: number };

/**
 * Per-key token bucket (here: per source IP, for new INVITEs). `burst` tokens at most, refilled at
 * `perSecond`. A refused request learns when the next token will be there, for Retry-After.
 */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #perMs: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(clock: Clock, opts: { perSecond: number; burst: number }) {
    if (!(opts.perSecond > 0)) throw new RangeError(`inviteRateLimit.perSecond must be > 0, got ${opts.perSecond}`);
    if (!(opts.burst >= 1)) throw new RangeError(`inviteRateLimit.burst must be >= 1, got ${opts.burst}`);
    this.#clock = clock;
    this.#perMs = opts.perSecond / 1_000;
    this.#burst = opts.burst;
  }

  take(key: string): RateDecision {
    const now = this.#clock.now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      this.#makeRoom(now);
      bucket = { tokens: this.#burst, updatedAt: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.updatedAt) * this.#perMs);
      bucket.updatedAt = now;
      // Re-insert so Map order is least-recently-used first.
      this.#buckets.delete(key);
      this.#buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitMs = (1 - bucket.tokens) / this.#perMs;
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil(waitMs / 1_000)) };
  }

  get trackedSources(): number {
    return this.#buckets.size;
  }

  /** A full bucket carries no information: forget those first, then the least recently used. */
  #makeRoom(now: number): void {
    if (this.#buckets.size < MAX_TRACKED_SOURCES) return;
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.updatedAt) * this.#perMs >= this.#burst) this.#buckets.delete(key);
    }
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size < MAX_TRACKED_SOURCES) break;
      this.#buckets.delete(key);
    }
  }
}
