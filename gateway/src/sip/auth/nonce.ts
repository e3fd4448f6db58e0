import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';

/** Nonces are valid this long by default (ms). */
export const DEFAULT_NONCE_TTL_MS = 300_000;
/** Nonces whose nc we remember for replay checks; the oldest are forgotten first. */
export const MAX_TRACKED_NONCES = 10_000;

const TS_BYTES = 8;
const RAND_BYTES = 8;
const MAC_BYTES = 16;
const BODY_BYTES = TS_BYTES + RAND_BYTES;

export type NonceCheck = { status: 'valid'; issuedAt: number } | { status: 'stale' } | { status: 'invalid' };

/**
 * Stateless nonces (RFC 7616 §3.3 suggests "time-stamp H(time-stamp ":" ETag ":" secret)"):
 * base64url( issue-time(8) ‖ random(8) ‖ HMAC-SHA256(secret, those 16 bytes)[0..16] ). Expiry and
 * authenticity need no table; only the nc replay check below keeps state.
 */
export class NonceIssuer {
  readonly #secret: Buffer;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(clock: Clock, ttlMs = DEFAULT_NONCE_TTL_MS, secret: Buffer = randomBytes(32)) {
    if (!(ttlMs > 0)) throw new RangeError(`auth.nonceTtlMs must be > 0, got ${ttlMs}`);
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#secret = secret;
  }

  issue(): string {
    const body = Buffer.alloc(BODY_BYTES);
    body.writeBigUInt64BE(BigInt(Math.floor(this.#clock.wallNow())), 0);
    randomBytes(RAND_BYTES).copy(body, TS_BYTES);
    return Buffer.concat([body, this.#mac(body)]).toString('base64url');
  }

  check(nonce: string): NonceCheck {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(nonce)) return { status: 'invalid' };
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== BODY_BYTES + MAC_BYTES) return { status: 'invalid' };
    const body = raw.subarray(0, BODY_BYTES);
    if (!timingSafeEqual(raw.subarray(BODY_BYTES), this.#mac(body))) return { status: 'invalid' };
    const issuedAt = Number(body.readBigUInt64BE(0));
    const age = this.#clock.wallNow() - issuedAt;
    if (age < -1_000) return { status: 'invalid' }; // from the future: not ours (or a clock jump)
    if (age > this.#ttlMs) return { status: 'stale' };
    return { status: 'valid', issuedAt };
  }

  #mac(body: Buffer): Buffer {
    return createHmac('sha256', this.#secret).update(body).digest().subarray(0, MAC_BYTES);
  }
}

/**
 * nc replay protection (RFC 7616 §3.4.5 / §5.5): per nonce, each accepted request must carry a
 * higher nonce-count than the last. Bounded: when full, the oldest nonces are forgotten and every
 * nonce issued no later than the newest forgotten one is treated as stale, so forgetting can never
 * re-open a replay window.
 */
export class NonceCounter {
  readonly #seen = new Map<string, { nc: number; issuedAt: number }>();
  readonly #max: number;
  #forgottenUpTo = -Infinity;

  constructor(max = MAX_TRACKED_NONCES) {
    this.#max = max;
  }

  /** 'ok' records nc; 'replay' means nc did not increase; 'forgotten' means ask for a fresh nonce. */
  accept(nonce: string, issuedAt: number, nc: number): 'ok' | 'replay' | 'forgotten' {
    const entry = this.#seen.get(nonce);
    if (entry === undefined) {
      if (issuedAt <= this.#forgottenUpTo) return 'forgotten';
      if (nc < 1) return 'replay';
      this.#seen.set(nonce, { nc, issuedAt });
      this.#evict();
      return 'ok';
    }
    if (nc <= entry.nc) return 'replay';
    entry.nc = nc;
    return 'ok';
  }

  /** Drops nonces issued before `cutoff` (expired anyway). */
  prune(cutoff: number): void {
    for (const [nonce, entry] of this.#seen) {
      if (entry.issuedAt < cutoff) this.#seen.delete(nonce);
    }
  }

  get size(): number {
    return this.#seen.size;
  }

  #evict(): void {
    // Map iteration is insertion order: the first entries are the oldest first uses.
    for (const [nonce, entry] of this.#seen) {
      if (this.#seen.size <= this.#max) break;
      this.#forgottenUpTo = Math.max(this.#forgottenUpTo, entry.issuedAt);
      this.#seen.delete(nonce);
    }
  }
}
