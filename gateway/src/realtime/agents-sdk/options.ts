/**
 * Options of the agents-sdk provider: one typed object, validated once by `resolveAgentsSdkOptions`
 * (RangeError naming the field), plus the pure base URL -> WebSocket URL mapping.
 */
import type { RealtimeAgent, RealtimeSessionOptions } from '@openai/agents-realtime';
import type { Logger } from '../../log.js';
import type { RealtimeSessionConfig } from '../backend.js';
import { resolveBaseURL } from '../core/base-url.js';

/** connect(): socket open + our session.update confirmed, unless the call layer passes its own deadline. */
export const DEFAULT_AGENTS_SDK_CONNECT_TIMEOUT_MS = 10_000;
/** close(): how long the WebSocket close handshake may take before the socket is destroyed. */
export const AGENTS_SDK_CLOSE_TIMEOUT_MS = 2_000;

/** What the deployment's agent factory learns about the call it builds an agent for. */
export interface AgentLoadContext {
  /** SIP Call-ID. */
  callId: string;
  /** The call's logger (bound to the Call-ID). */
  logger: Logger;
  /** The session the call layer asked for (instructions carry the Connect call context). */
  session: Readonly<RealtimeSessionConfig>;
}

/** Called once per call, at connect(). May return one shared agent: the provider never mutates it. */
export type AgentLoader = (ctx: AgentLoadContext) => Promise<RealtimeAgent> | RealtimeAgent;

/**
 * RealtimeSession options the deployment may set (context, outputGuardrails, tracingDisabled,
 * workflowName, historyStoreAudio, config.toolChoice, ...). The transport, key and model are ours.
 * In `config`, whatever the gateway's session config names (formats, voice, turn detection,
 * transcription, noise reduction, speed) wins, because the media bridge depends on it.
 */
export type AgentsSdkSessionOptions = Omit<Partial<RealtimeSessionOptions<unknown>>, 'transport' | 'apiKey' | 'model'>;

export interface AgentsSdkFactoryOptions {
  loadAgent: AgentLoader;
  /** Never logged. */
  apiKey: string;
  /** API base as for the openai provider: https://api.openai.com/v1 (default) or http://127.0.0.1:8081/v1. */
  baseURL?: string;
  /** Overrides the session config's model for this provider. */
  model?: string;
  sessionOptions?: AgentsSdkSessionOptions;
  /** Used when connect() is called without `timeoutMs`; ms. */
  connectTimeoutMs?: number;
}

export interface ResolvedAgentsSdkOptions {
  loadAgent: AgentLoader;
  apiKey: string;
  baseURL: string;
  model: string | undefined;
  sessionOptions: AgentsSdkSessionOptions;
  connectTimeoutMs: number;
}

export function resolveAgentsSdkOptions(opts: AgentsSdkFactoryOptions): ResolvedAgentsSdkOptions {
  if (typeof opts.loadAgent !== 'function') throw new RangeError('agents-sdk option loadAgent must be a function');
  if (typeof opts.apiKey !== 'string' || opts.apiKey.length === 0) throw new RangeError('agents-sdk option apiKey must be a non-empty string');
  const baseURL = resolveBaseURL('agents-sdk option', opts.baseURL);
  if (opts.model !== undefined && (typeof opts.model !== 'string' || opts.model.length === 0)) {
    throw new RangeError('agents-sdk option model must be a non-empty string when given');
  }
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_AGENTS_SDK_CONNECT_TIMEOUT_MS;
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new RangeError(`agents-sdk option connectTimeoutMs must be a positive number, got ${String(opts.connectTimeoutMs)}`);
  }
  return {
    loadAgent: opts.loadAgent,
    apiKey: opts.apiKey,
    baseURL,
    model: opts.model,
    sessionOptions: opts.sessionOptions ?? {},
    connectTimeoutMs,
  };
}

/**
 * `http://127.0.0.1:8081/v1` -> `ws://127.0.0.1:8081/v1/realtime?model=<model>`; https/wss -> wss.
 * The same endpoint the openai provider reaches, but handed to the SDK as a finished URL: the SDK
 * opens exactly what it is given (no scheme forcing), so the lab's plaintext fake works as is.
 * Credentials in the base URL are dropped: the key travels only in the Authorization header.
 */
export function realtimeWebSocketUrl(baseURL: string, model: string): string {
  const url = new URL(baseURL);
  url.username = '';
  url.password = '';
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/realtime`;
  url.searchParams.set('model', model);
  return url.toString();
}
