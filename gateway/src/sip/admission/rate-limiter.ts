import type { Clock } from '../../clock.js';

/** Distinct sources tracked at once; beyond this, buckets that have refilled are forgotten. */
export const MAX_TRACKED_SOURCES = 10_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** Until when a refusal has already been answered (ms): later refusals in the window are not. */
  answeredUntil: number;
}

/**
 * `first` is true for the first refusal of a Retry-After window: a flood gets one answer per
 * window and source (so it cannot use us as a reflector), the rest are dropped.
 */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterS: number; first: boolean };

/**
 * Per-key token bucket (per source IP: for new INVITEs, and for every request). `burst` tokens at most, refilled at
 * `perSecond`. A refused request learns when the next token will be there, for Retry-After.
 */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #perMs: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(clock: Clock, opts: { perSecond: number; burst: number }, name = 'inviteRateLimit') {
    if (!(opts.perSecond > 0)) throw new RangeError(`${name}.perSecond must be > 0, got ${opts.perSecond}`);
    if (!(opts.burst >= 1)) throw new RangeError(`${name}.burst must be >= 1, got ${opts.burst}`);
    this.#clock = clock;
    this.#perMs = opts.perSecond / 1_000;
    this.#burst = opts.burst;
  }

  take(key: string): RateDecision {
    const now = this.#clock.now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      this.#makeRoom(now);
      bucket = { tokens: this.#burst, updatedAt: now, answeredUntil: 0 };
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
    const retryAfterS = Math.max(1, Math.ceil(waitMs / 1_000));
    const first = now >= bucket.answeredUntil;
    if (first) bucket.answeredUntil = now + retryAfterS * 1_000;
    return { allowed: false, retryAfterS, first };
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
