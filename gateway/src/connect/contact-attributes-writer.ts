/**
 * Writes user-defined contact attributes through Amazon Connect's UpdateContactAttributes
 * (`POST /contact/attributes`, SigV4-signed REST-JSON), the way the gateway hands data back to the
 * contact flow before its BYE. One writer per process; it keeps one SDK client per region.
 *
 * Bounded in every direction: the request is checked against Connect's limits before it is sent; each
 * HTTP attempt has a timeout; retries follow BoundedRetryStrategy; the whole write has a deadline; the
 * caller may abort. `update()` never throws or rejects: the answer is a ConnectResult.
 *
 * Credentials come from the SDK's default provider chain unless given explicitly. Logs carry the
 * instance, contact, attribute *names* and sizes — never values (summaries are caller data) and never
 * credentials.
 */
import { ConnectClient, UpdateContactAttributesCommand, type ConnectClientConfig, type UpdateContactAttributesRequest } from '@aws-sdk/client-connect';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { err, ok } from '../result.js';
import { checkContactAttributes, checkInitialContactId, checkInstanceId, contactAttributesBytes } from './attribute-limits.js';
import { BoundedRetryStrategy, type BoundedRetryOptions } from './bounded-retry-strategy.js';
import { classifySdkError } from './classify-sdk-error.js';
import { AWS_REGION_PATTERN, DEFAULT_CONNECT_ATTEMPT_TIMEOUT_MS, DEFAULT_CONNECT_MAX_ATTEMPTS, DEFAULT_CONNECT_TIMEOUT_MS } from './connect-api-config.js';
import { connectFailure, type ConnectResult } from './errors.js';

export interface ContactAttributesWriterOptions {
  /** Region used when an update names none (AWS_REGION). */
  region?: string | undefined;
  /** Endpoint override (AMAZON_CONNECT_ENDPOINT); the lab points it at its fake. */
  endpoint?: string | undefined;
  /** HTTP attempts per update, retries included (default 3). */
  maxAttempts?: number;
  /** Per-attempt timeout, ms (default 1500). */
  attemptTimeoutMs?: number;
  /** Deadline for the whole update including backoff, ms (default 4000). */
  totalTimeoutMs?: number;
  /** Explicit credentials instead of the SDK's default chain (embedders, tests). */
  credentials?: ConnectClientConfig['credentials'];
  /** Backoff tuning; the defaults suit a caller waiting for the BYE. */
  retry?: Omit<BoundedRetryOptions, 'maxAttempts'>;
  clock?: Clock;
  logger?: Logger;
}

export interface ContactAttributesUpdate {
  instanceId: string;
  /** The initial contact id (see resolveHandBackTarget). */
  initialContactId: string;
  attributes: Readonly<Record<string, string>>;
  /** Region of the instance; defaults to the writer's region. */
  region?: string;
}

/** What a hand-back needs: one attribute write that never rejects (the writer below, or a test double). */
export interface ContactAttributesUpdater {
  update(req: ContactAttributesUpdate, opts?: { signal?: AbortSignal }): Promise<ConnectResult>;
}

/** Regions we keep a client for; a contact from yet another region gets a one-off client. */
const MAX_CACHED_CLIENTS = 8;

export class ContactAttributesWriter implements ContactAttributesUpdater {
  readonly #opts: ContactAttributesWriterOptions;
  readonly #clock: Clock;
  readonly #retry: BoundedRetryStrategy;
  readonly #clients = new Map<string, ConnectClient>();
  readonly #maxAttempts: number;
  readonly #attemptTimeoutMs: number;
  readonly #totalTimeoutMs: number;
  #closed = false;

  constructor(opts: ContactAttributesWriterOptions = {}) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#maxAttempts = opts.maxAttempts ?? DEFAULT_CONNECT_MAX_ATTEMPTS;
    this.#attemptTimeoutMs = opts.attemptTimeoutMs ?? DEFAULT_CONNECT_ATTEMPT_TIMEOUT_MS;
    this.#totalTimeoutMs = opts.totalTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    for (const [name, v] of [['attemptTimeoutMs', this.#attemptTimeoutMs], ['totalTimeoutMs', this.#totalTimeoutMs]] as const) {
      if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be > 0, got ${v}`);
    }
    this.#retry = new BoundedRetryStrategy({ ...opts.retry, maxAttempts: this.#maxAttempts, wallNow: () => this.#clock.wallNow() });
  }

  /** Never rejects. */
  async update(req: ContactAttributesUpdate, opts: { signal?: AbortSignal } = {}): Promise<ConnectResult> {
    if (this.#closed) return connectFailure('CONNECT_ERR_ABORTED', 'writer is closed');
    const problems = [checkInstanceId(req.instanceId), checkInitialContactId(req.initialContactId), ...checkContactAttributes(req.attributes)].filter(
      (p): p is string => p !== undefined,
    );
    if (problems.length > 0) return connectFailure('CONNECT_ERR_INVALID_REQUEST', problems.join('; '));
    const region = req.region ?? this.#opts.region;
    if (region === undefined) return connectFailure('CONNECT_ERR_NO_TARGET', 'no AWS region: set AWS_REGION or pass the contact ARN region');
    if (!AWS_REGION_PATTERN.test(region)) return connectFailure('CONNECT_ERR_INVALID_REQUEST', `region: not an AWS region name: ${JSON.stringify(region.slice(0, 40))}`);
    if (opts.signal?.aborted) return connectFailure('CONNECT_ERR_ABORTED', 'aborted before the request was sent');

    const { client, oneOff } = this.#clientFor(region);
    const controller = new AbortController();
    let deadlineHit = false;
    const deadline = this.#clock.setTimeout(() => {
      deadlineHit = true;
      controller.abort();
    }, this.#totalTimeoutMs);
    const onCallerAbort = (): void => controller.abort();
    opts.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const input: UpdateContactAttributesRequest = { InstanceId: req.instanceId, InitialContactId: req.initialContactId, Attributes: { ...req.attributes } };
    const logFields = { instanceId: req.instanceId, initialContactId: req.initialContactId, region, keys: Object.keys(req.attributes), bytes: contactAttributesBytes(req.attributes) };
    try {
      const out = await client.send(new UpdateContactAttributesCommand(input), { abortSignal: controller.signal });
      const attempts = out.$metadata.attempts ?? 1;
      this.#opts.logger?.info({ ...logFields, attempts }, 'contact attributes written');
      return ok({ attempts });
    } catch (cause) {
      const error = classifySdkError(cause);
      if (deadlineHit) {
        error.code = 'CONNECT_ERR_TIMEOUT';
        error.retryable = true;
        error.message = `no answer within the ${this.#totalTimeoutMs} ms deadline (${error.message})`;
      } else if (error.code === 'CONNECT_ERR_ABORTED') {
        error.retryable = false;
      }
      this.#opts.logger?.warn({ ...logFields, code: error.code, retryable: error.retryable, attempts: error.attempts, httpStatus: error.httpStatus }, `contact attributes not written: ${error.message}`);
      return err(error);
    } finally {
      this.#clock.clearTimeout(deadline);
      opts.signal?.removeEventListener('abort', onCallerAbort);
      if (oneOff) client.destroy();
    }
  }

  /** Retry tokens left in the shared budget (for metrics). */
  get retryBudget(): number {
    return this.#retry.budget;
  }

  /** Idempotent: closes every client's sockets. Later updates answer CONNECT_ERR_ABORTED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }

  #clientFor(region: string): { client: ConnectClient; oneOff: boolean } {
    const cached = this.#clients.get(region);
    if (cached !== undefined) return { client: cached, oneOff: false };
    const client = new ConnectClient({
      region,
      ...(this.#opts.endpoint !== undefined ? { endpoint: this.#opts.endpoint } : {}),
      ...(this.#opts.credentials !== undefined ? { credentials: this.#opts.credentials } : {}),
      maxAttempts: this.#maxAttempts,
      retryStrategy: this.#retry,
      // throwOnRequestTimeout: without it the handler only logs a warning when requestTimeout passes.
      requestHandler: { requestTimeout: this.#attemptTimeoutMs, throwOnRequestTimeout: true, connectionTimeout: this.#attemptTimeoutMs },
    });
    if (this.#clients.size >= MAX_CACHED_CLIENTS) return { client, oneOff: true };
    this.#clients.set(region, client);
    return { client, oneOff: false };
  }
}
