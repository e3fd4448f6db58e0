/**
 * Options of the OpenAI Realtime backend: one typed object, named defaults with units, validated once
 * at startup by `resolveOpenAIBackendOptions` (RangeError naming the field).
 */
import { resolveBaseURL } from '../core/base-url.js';

/** Per connection attempt: socket open + session.created + our session.update confirmed. */
export const DEFAULT_CONNECT_ATTEMPT_TIMEOUT_MS = 10_000;
/** Attempts for the first connect and for each reconnect episode (the first try counts). */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Backoff before the 2nd attempt; doubles per attempt up to the max. */
export const DEFAULT_INITIAL_BACKOFF_MS = 250;
export const DEFAULT_MAX_BACKOFF_MS = 5_000;
/** The provider ends sessions at 60 min; renew well before (a fresh socket, conversation replayed). */
export const DEFAULT_RENEW_AFTER_MS = 55 * 60_000;
/** Renewal waits for a quiet moment (no response, no caller speech) but not past this age. */
export const DEFAULT_RENEW_DEADLINE_MS = 59 * 60_000;
/** Conversation items kept for replay (oldest dropped first). */
export const DEFAULT_MAX_REPLAY_ITEMS = 200;
/** Cap on one incoming WebSocket message, bytes (audio deltas are a few KiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface OpenAIBackendOptions {
  /** Never logged. */
  apiKey: string;
  /**
   * API base, e.g. https://api.openai.com/v1 (default) or http://127.0.0.1:8081/v1 for the lab's fake.
   * http/https/ws/wss are all accepted (see endpoint.ts).
   */
  baseURL?: string;
  connectAttemptTimeoutMs?: number;
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  renewAfterMs?: number;
  renewDeadlineMs?: number;
  maxReplayItems?: number;
  maxMessageBytes?: number;
  /** Backoff jitter source in [0,1); injected so tests are deterministic. */
  random?: () => number;
}

export interface ResolvedOpenAIBackendOptions {
  apiKey: string;
  baseURL: string;
  connectAttemptTimeoutMs: number;
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  renewAfterMs: number;
  renewDeadlineMs: number;
  maxReplayItems: number;
  maxMessageBytes: number;
  random: () => number;
}

function positive(name: string, value: number | undefined, fallback: number, integer = false): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new RangeError(`realtime option ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`);
  }
  return v;
}

export function resolveOpenAIBackendOptions(opts: OpenAIBackendOptions): ResolvedOpenAIBackendOptions {
  if (typeof opts.apiKey !== 'string' || opts.apiKey.length === 0) {
    throw new RangeError('realtime option apiKey must be a non-empty string');
  }
  const baseURL = resolveBaseURL('realtime option', opts.baseURL);
  const renewAfterMs = positive('renewAfterMs', opts.renewAfterMs, DEFAULT_RENEW_AFTER_MS);
  const renewDeadlineMs = positive('renewDeadlineMs', opts.renewDeadlineMs, Math.max(DEFAULT_RENEW_DEADLINE_MS, renewAfterMs));
  if (renewDeadlineMs < renewAfterMs) {
    throw new RangeError(`realtime option renewDeadlineMs (${renewDeadlineMs}) must be >= renewAfterMs (${renewAfterMs})`);
  }
  const initialBackoffMs = positive('initialBackoffMs', opts.initialBackoffMs, DEFAULT_INITIAL_BACKOFF_MS);
  const maxBackoffMs = positive('maxBackoffMs', opts.maxBackoffMs, Math.max(DEFAULT_MAX_BACKOFF_MS, initialBackoffMs));
  if (maxBackoffMs < initialBackoffMs) {
    throw new RangeError(`realtime option maxBackoffMs (${maxBackoffMs}) must be >= initialBackoffMs (${initialBackoffMs})`);
  }
  return {
    apiKey: opts.apiKey,
    baseURL,
    connectAttemptTimeoutMs: positive('connectAttemptTimeoutMs', opts.connectAttemptTimeoutMs, DEFAULT_CONNECT_ATTEMPT_TIMEOUT_MS),
    maxAttempts: positive('maxAttempts', opts.maxAttempts, DEFAULT_MAX_ATTEMPTS, true),
    initialBackoffMs,
    maxBackoffMs,
    renewAfterMs,
    renewDeadlineMs,
    maxReplayItems: positive('maxReplayItems', opts.maxReplayItems, DEFAULT_MAX_REPLAY_ITEMS, true),
    maxMessageBytes: positive('maxMessageBytes', opts.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, true),
    random: opts.random ?? Math.random,
  };
}

/**
 * Delay before attempt `attempt` (0-based; attempt 0 is immediate). Exponential with "equal jitter":
 * half fixed, half random, so retries of many calls after a provider blip do not synchronise.
 */
export function backoffDelayMs(attempt: number, o: Pick<ResolvedOpenAIBackendOptions, 'initialBackoffMs' | 'maxBackoffMs' | 'random'>): number {
  if (attempt <= 0) return 0;
  const ceiling = Math.min(o.maxBackoffMs, o.initialBackoffMs * 2 ** (attempt - 1));
  return ceiling / 2 + (ceiling / 2) * o.random();
}
