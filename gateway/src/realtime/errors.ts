import { describeError } from '../describe-error.js';
/**
 * Errors of the realtime layer. Codes are stable strings (logged, counted, used in call-end reports);
 * `fatal` says whether the backend is finished (the call must end or fall back) or merely reporting.
 */
export type RealtimeErrorCode =
  /** connect() called in the wrong state (twice, or after close). */
  | 'RT_ERR_STATE'
  /** connect() gave up: every attempt failed (refused, timed out, socket error). */
  | 'RT_ERR_CONNECT_FAILED'
  /** connect() deadline passed. */
  | 'RT_ERR_CONNECT_TIMEOUT'
  /** connect() aborted through its AbortSignal. */
  | 'RT_ERR_ABORTED'
  /** The provider rejected our session configuration (an error event answering our session.update). */
  | 'RT_ERR_SESSION_REJECTED'
  /** The socket dropped and every reconnect attempt failed, or the call's reconnects are spent. */
  | 'RT_ERR_RECONNECT_EXHAUSTED'
  /** Handling the service's events threw (a stream the backend cannot handle): the session is ended. */
  | 'RT_ERR_INTERNAL'
  /** The session is about to reach the provider's maximum duration and no new session could replace it. */
  | 'RT_ERR_SESSION_EXPIRING'
  /** A server `error` event (non-fatal; the provider keeps the session). */
  | 'RT_ERR_SERVER'
  /** close() happened while connect() was pending. */
  | 'RT_ERR_CLOSED'
  /** Options failed validation at construction. */
  | 'RT_ERR_CONFIG';

export type RealtimeErrorClass = 'provider-unavailable' | 'provider-rejected' | 'local';

const BRAND = Symbol.for('connect-realtime-gateway.RealtimeError');

export class RealtimeError extends Error {
  readonly code: RealtimeErrorCode;
  readonly fatal: boolean;
  /** Provider error code when the provider sent one (e.g. 'invalid_value'). */
  readonly providerCode: string | undefined;
  readonly [BRAND] = true;

  constructor(code: RealtimeErrorCode, message: string, opts: { fatal: boolean; providerCode?: string; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.fatal = opts.fatal;
    this.providerCode = opts.providerCode;
  }

  /** Works across duplicate copies of this module (brand, not prototype). */
  static is(value: unknown): value is RealtimeError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** For call-end reporting: whose fault and whether a retry later could help. */
  classify(): RealtimeErrorClass {
    switch (this.code) {
      case 'RT_ERR_CONNECT_FAILED':
      case 'RT_ERR_CONNECT_TIMEOUT':
      case 'RT_ERR_RECONNECT_EXHAUSTED':
      case 'RT_ERR_SESSION_EXPIRING':
        return 'provider-unavailable';
      case 'RT_ERR_SESSION_REJECTED':
      case 'RT_ERR_SERVER':
      case 'RT_ERR_INTERNAL':
        return 'provider-rejected';
      case 'RT_ERR_STATE':
      case 'RT_ERR_ABORTED':
      case 'RT_ERR_CLOSED':
      case 'RT_ERR_CONFIG':
        return 'local';
    }
  }
}
