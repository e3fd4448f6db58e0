/**
 * The retry strategy we hand the AWS SDK (its `retryStrategy` client option, the V2 interface its
 * retry middleware drives). The SDK still decides *what* failed — it classifies each error as
 * THROTTLING, TRANSIENT (timeouts, resets, 500/502/503/504), SERVER_ERROR or CLIENT_ERROR — and this
 * decides *whether and when* to try again, with tighter bounds than the SDK default: a hand-back runs
 * while the caller waits for the BYE, so the SDK's 1 s × 2^n throttling backoff is far too slow.
 *
 * - at most `maxAttempts` HTTP attempts;
 * - exponential backoff with full jitter, capped at `maxDelayMs` (Retry-After honoured up to the cap);
 * - a retry budget shared by all calls on one client, so an outage does not turn every hand-back into
 *   `maxAttempts` requests (the token-bucket idea of the SDK's standard mode, smaller numbers).
 */
import type { ConnectClientConfig } from '@aws-sdk/client-connect';

/** The SDK's RetryStrategyV2, named through the client config so we depend on the client package only. */
export type SdkRetryStrategyV2 = Extract<NonNullable<ConnectClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;
type SdkRetryToken = Awaited<ReturnType<SdkRetryStrategyV2['acquireInitialRetryToken']>>;
type SdkRetryErrorInfo = Parameters<SdkRetryStrategyV2['refreshRetryTokenForRetry']>[1];

export interface BoundedRetryOptions {
  /** HTTP attempts in all, the first included (>= 1). */
  maxAttempts: number;
  /** Backoff base for transient errors, ms (default 50). */
  baseDelayMs?: number;
  /** Backoff base after throttling, ms (default 200). */
  throttlingBaseDelayMs?: number;
  /** Longest single wait, ms (default 800). */
  maxDelayMs?: number;
  /** Retry tokens available (default 100); each retry costs `RETRY_COST`, a success refunds. */
  budget?: number;
  /** 0 <= x < 1; injectable so tests can pin the jitter. */
  random?: () => number;
  /** Wall-clock ms, to turn a Retry-After date into a wait. */
  wallNow?: () => number;
}

export const DEFAULT_RETRY_BASE_DELAY_MS = 50;
export const DEFAULT_THROTTLING_BASE_DELAY_MS = 200;
export const DEFAULT_MAX_RETRY_DELAY_MS = 800;
export const DEFAULT_RETRY_BUDGET = 100;
export const RETRY_COST = 5;
/** Timeouts cost more: a slow service is the case where piling on hurts most. */
export const TIMEOUT_RETRY_COST = 10;

class BoundedRetryToken implements SdkRetryToken {
  constructor(
    readonly count: number,
    readonly delay: number,
    readonly cost: number,
  ) {}

  getRetryCount(): number {
    return this.count;
  }

  getRetryDelay(): number {
    return this.delay;
  }
}

export class BoundedRetryStrategy implements SdkRetryStrategyV2 {
  readonly maxAttempts: number;
  readonly #base: number;
  readonly #throttlingBase: number;
  readonly #maxDelay: number;
  readonly #capacity: number;
  readonly #random: () => number;
  readonly #wallNow: () => number;
  #available: number;

  constructor(opts: BoundedRetryOptions) {
    if (!Number.isInteger(opts.maxAttempts) || opts.maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1, got ${opts.maxAttempts}`);
    this.maxAttempts = opts.maxAttempts;
    this.#base = opts.baseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
    this.#throttlingBase = opts.throttlingBaseDelayMs ?? DEFAULT_THROTTLING_BASE_DELAY_MS;
    this.#maxDelay = opts.maxDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
    this.#capacity = opts.budget ?? DEFAULT_RETRY_BUDGET;
    this.#available = this.#capacity;
    this.#random = opts.random ?? Math.random;
    this.#wallNow = opts.wallNow ?? Date.now;
  }

  /** Retry tokens left in the shared budget. */
  get budget(): number {
    return this.#available;
  }

  async acquireInitialRetryToken(_scope: string): Promise<SdkRetryToken> {
    return new BoundedRetryToken(0, 0, 0);
  }

  /** Throws (the SDK then rethrows the request's own error) when no retry is allowed. */
  async refreshRetryTokenForRetry(token: SdkRetryToken, info: SdkRetryErrorInfo): Promise<SdkRetryToken> {
    const attemptsMade = token.getRetryCount() + 1;
    if (info.errorType !== 'THROTTLING' && info.errorType !== 'TRANSIENT') throw new Error(`not retryable (${info.errorType})`);
    if (attemptsMade >= this.maxAttempts) throw new Error(`no attempts left (${attemptsMade} of ${this.maxAttempts})`);
    const cost = info.error?.name === 'TimeoutError' ? TIMEOUT_RETRY_COST : RETRY_COST;
    if (this.#available < cost) throw new Error('retry budget exhausted');
    this.#available -= cost;
    return new BoundedRetryToken(attemptsMade, this.delayFor(attemptsMade, info), cost);
  }

  recordSuccess(token: SdkRetryToken): void {
    const cost = token instanceof BoundedRetryToken ? token.cost : 0;
    this.#available = Math.min(this.#capacity, this.#available + Math.max(1, cost));
  }

  /** Full-jitter exponential backoff before retry number `retry` (1 = first retry). */
  delayFor(retry: number, info: Pick<SdkRetryErrorInfo, 'errorType' | 'retryAfterHint'>): number {
    const base = info.errorType === 'THROTTLING' ? this.#throttlingBase : this.#base;
    const ceiling = Math.min(this.#maxDelay, base * 2 ** (retry - 1));
    let delay = Math.floor(this.#random() * ceiling);
    if (info.retryAfterHint instanceof Date) {
      const asked = info.retryAfterHint.getTime() - this.#wallNow();
      if (asked > delay) delay = Math.min(this.#maxDelay, Math.ceil(asked));
    }
    return Math.max(0, delay);
  }
}
