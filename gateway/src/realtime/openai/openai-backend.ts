/**
 * RealtimeBackend over OpenAI's GA Realtime WebSocket API.
 *
 * Lifecycle: idle -> connecting -> ready <-> reconnecting -> closed (one teardown: close()).
 * - A lost socket starts a reconnect episode: bounded attempts with exponential backoff; the session
 *   configuration and the conversation so far (as text, see conversation-log.ts) are replayed; caller
 *   audio appended meanwhile is dropped and counted. If every attempt fails: fatal error, 'closed'.
 * - The provider ends sessions at 60 minutes. After `renewAfterMs` a second socket is opened in
 *   parallel; once it is confirmed and the conversation is quiet (no response, no caller speech, or at
 *   `renewDeadlineMs` regardless) the conversation is replayed into it and it replaces the old one
 *   between two appendAudio calls, so no caller audio is dropped.
 * - Audio deltas of responses we cancelled are dropped (they were in flight when we cancelled).
 */
import { newBackendStats } from '../backend-stats.js';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import type { Clock, TimerId } from '../../clock.js';
import type { Logger } from '../../log.js';
import { audioMs } from '../audio-format.js';
import type {
  RealtimeBackend,
  RealtimeBackendEvents,
  RealtimeBackendStats,
  RealtimeConnectOptions,
  RealtimeConnectionState,
  RealtimeSessionConfig,
} from '../backend.js';
import { RealtimeError } from '../errors.js';
import { RealtimeConnection } from './connection.js';
import { ConversationLog } from './conversation-log.js';
import { resolveRealtimeEndpoint, type RealtimeEndpoint } from './endpoint.js';
import { backoffDelayMs, resolveOpenAIBackendOptions, type OpenAIBackendOptions, type ResolvedOpenAIBackendOptions } from './options.js';
import { summarizeRaw, type ParsedServerEvent } from './server-events.js';
import { toPartialSessionPayload, toSessionPayload } from './session-payload.js';
import { TurnState } from './turn-state.js';
import { routeServerEvent, type RouterContext } from './event-router.js';

/** Caller audio is dropped rather than queued once this much is stuck in the socket; bytes. */
const MAX_SOCKET_BACKLOG_BYTES = 1024 * 1024;

type BackendState = 'idle' | RealtimeConnectionState;

const AUDIO_FORMATS: ReadonlySet<string> = new Set(['pcmu', 'pcma', 'pcm16']);

/** The fields whose mistakes would otherwise surface only as a provider rejection mid-call. */
function invalidConfigField(c: RealtimeSessionConfig): string | undefined {
  if (typeof c.model !== 'string' || c.model.length === 0) return 'model must be a non-empty string';
  if (!AUDIO_FORMATS.has(c.audioFormat)) return `audioFormat must be pcmu, pcma or pcm16, got ${String(c.audioFormat)}`;
  if (typeof c.voice !== 'string' || c.voice.length === 0) return 'voice must be a non-empty string';
  if (c.speed !== undefined && !(c.speed >= 0.25 && c.speed <= 1.5)) return `speed must be 0.25..1.5, got ${c.speed}`;
  return undefined;
}

interface Renewal {
  conn: RealtimeConnection | undefined;
  ready: boolean;
}

export interface OpenAIBackendDeps {
  logger: Logger;
  callId: string;
  clock: Clock;
  /** Shared by all calls of a factory. */
  client?: OpenAI;
}

export class OpenAIRealtimeBackend extends EventEmitter<RealtimeBackendEvents> implements RealtimeBackend {
  readonly #opts: ResolvedOpenAIBackendOptions;
  readonly #endpoint: RealtimeEndpoint;
  readonly #client: OpenAI;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #log: ConversationLog;
  readonly #router: RouterContext;

  #state: BackendState = 'idle';
  #silenced = false;
  #config: RealtimeSessionConfig | undefined;
  #primary: RealtimeConnection | undefined;
  /** Being established for connect/reconnect; its events count as soon as it is ready. */
  #establishing: RealtimeConnection | undefined;
  #renewal: Renewal | undefined;
  #renewTimer: TimerId | undefined;
  #renewDeadlineTimer: TimerId | undefined;
  #renewDeadlinePassed = false;
  #sleepers = new Set<() => void>();
  #sleepTimers = new Set<TimerId>();
  #closedPromise: Promise<void> | undefined;

  readonly #turn = new TurnState();
  /** A response.create asked for while not ready; sent after the replay. */
  #responseWanted: { instructions?: string } | undefined;
  #itemSeq = 0;
  readonly #idSalt = randomBytes(3).toString('hex');

  readonly #stats: RealtimeBackendStats = newBackendStats();

  constructor(options: OpenAIBackendOptions, deps: OpenAIBackendDeps) {
    super();
    this.#opts = resolveOpenAIBackendOptions(options);
    this.#endpoint = resolveRealtimeEndpoint(this.#opts.baseURL);
    this.#client = deps.client ?? new OpenAI({ apiKey: this.#opts.apiKey, baseURL: this.#endpoint.sdkBaseURL, maxRetries: 0 });
    this.#logger = deps.logger.child({ realtime: 'openai' });
    this.#clock = deps.clock;
    this.#log = new ConversationLog(this.#opts.maxReplayItems);
    this.#router = {
      turn: this.#turn,
      log: this.#log,
      stats: this.#stats,
      logger: this.#logger,
      audioFormat: () => this.#config?.audioFormat,
      emit: (event, ...args) => this.#emit(event, ...args),
      onQuietChance: () => this.#maybeSwap(),
    };
  }

  // ---- public API -----------------------------------------------------------------------------

  async connect(config: RealtimeSessionConfig, opts: RealtimeConnectOptions = {}): Promise<void> {
    if (this.#state !== 'idle') {
      throw new RealtimeError('RT_ERR_STATE', `connect() in state ${this.#state}`, { fatal: false });
    }
    const invalid = invalidConfigField(config);
    if (invalid !== undefined) throw new RealtimeError('RT_ERR_CONFIG', `invalid session config: ${invalid}`, { fatal: true });
    this.#config = { ...config };
    this.#setState('connecting');
    this.#logger.info({ endpoint: this.#endpoint.describe, model: config.model, format: config.audioFormat }, 'realtime connecting');

    let stopGuard = (): void => undefined;
    const guard = new Promise<never>((_, reject) => {
      const onAbort = (): void => reject(new RealtimeError('RT_ERR_ABORTED', 'connect aborted', { fatal: true }));
      if (opts.signal?.aborted) onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const timer =
        opts.timeoutMs === undefined
          ? undefined
          : this.#clock.setTimeout(() => reject(new RealtimeError('RT_ERR_CONNECT_TIMEOUT', `not connected within ${opts.timeoutMs} ms`, { fatal: true })), opts.timeoutMs);
      stopGuard = () => {
        opts.signal?.removeEventListener('abort', onAbort);
        this.#clock.clearTimeout(timer);
      };
    });
    try {
      const conn = await Promise.race([this.#establish('connect'), guard]);
      if (this.#isClosed()) {
        // close() raced the last step of the handshake.
        void conn.close('backend closed');
        throw new RealtimeError('RT_ERR_CLOSED', 'closed while connecting', { fatal: true });
      }
      this.#primary = conn;
      this.#establishing = undefined;
      this.#setState('ready');
      this.#scheduleRenewal();
      this.#flushWantedResponse();
    } catch (err) {
      const e = RealtimeError.is(err) ? err : new RealtimeError('RT_ERR_CONNECT_FAILED', String(err), { fatal: true, cause: err });
      if (!this.#isClosed()) {
        this.#emitError(e, true);
        await this.close();
      }
      throw e;
    } finally {
      stopGuard();
    }
  }

  appendAudio(bytes: Uint8Array): void {
    const conn = this.#state === 'ready' ? this.#primary : undefined;
    if (conn === undefined || !conn.ready || conn.bufferedAmount > MAX_SOCKET_BACKLOG_BYTES) {
      this.#stats.droppedAudioBytes += bytes.byteLength;
      return;
    }
    const audio = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    if (conn.send({ type: 'input_audio_buffer.append', audio })) this.#stats.appendedBytes += bytes.byteLength;
    else this.#stats.droppedAudioBytes += bytes.byteLength;
  }

  truncate(itemId: string, contentIndex: number, audioEndMs: number): void {
    const received = this.#turn.itemAudioBytes(itemId);
    if (received === undefined || this.#config === undefined) {
      // Not an item of the live session (e.g. from before a reconnect): the provider would reject it.
      this.#logger.debug({ itemId }, 'truncate for unknown item ignored');
      return;
    }
    // The provider rejects audio_end_ms beyond the audio it sent; the player may overestimate.
    const maxMs = Math.floor(audioMs(this.#config.audioFormat, received));
    const played = Number.isFinite(audioEndMs) ? audioEndMs : 0;
    const endMs = Math.min(maxMs, Math.max(0, Math.floor(played)));
    this.#send({ type: 'conversation.item.truncate', item_id: itemId, content_index: contentIndex, audio_end_ms: endMs });
  }

  cancelResponse(responseId?: string): void {
    const id = responseId ?? this.#turn.activeResponseId;
    if (id === undefined || this.#turn.isCancelled(id)) return;
    this.#turn.markCancelled(id);
    // Only the live response can be cancelled; cancelling a finished one is a provider error.
    if (id === this.#turn.activeResponseId) this.#send({ type: 'response.cancel', response_id: id });
  }

  createResponse(opts: { instructions?: string } = {}): void {
    if (this.#state !== 'ready') {
      this.#responseWanted = opts;
      return;
    }
    this.#send({ type: 'response.create', ...(opts.instructions === undefined ? {} : { response: { instructions: opts.instructions } }) });
  }

  sendFunctionOutput(callId: string, output: string, opts: { respond?: boolean } = {}): void {
    const id = this.#newItemId();
    // Logged first: if we are between sockets, the replay delivers it.
    this.#log.addLocal({ kind: 'function_call_output', id, callId, output });
    if (this.#state === 'ready') this.#send({ type: 'conversation.item.create', item: { id, type: 'function_call_output', call_id: callId, output } });
    if (opts.respond ?? true) this.createResponse();
  }

  addUserText(text: string, opts: { respond?: boolean } = {}): void {
    const id = this.#newItemId();
    this.#log.addLocal({ kind: 'message', id, role: 'user', text });
    if (this.#state === 'ready') {
      this.#send({ type: 'conversation.item.create', item: { id, type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
    }
    if (opts.respond ?? false) this.createResponse();
  }

  updateSession(partial: Partial<RealtimeSessionConfig>): void {
    if (this.#config === undefined || this.#isClosed()) return;
    this.#config = { ...this.#config, ...partial };
    if (this.#state === 'ready') this.#send({ type: 'session.update', session: toPartialSessionPayload(partial) });
  }

  stats(): RealtimeBackendStats {
    return { ...this.#stats, ...(this.#stats.lastRateLimits ? { lastRateLimits: [...this.#stats.lastRateLimits] } : {}) };
  }

  close(): Promise<void> {
    if (this.#closedPromise !== undefined) return this.#closedPromise;
    this.#setState('closed');
    this.#silenced = true; // nothing after 'closed'
    this.#clearRenewalTimers();
    for (const t of this.#sleepTimers) this.#clock.clearTimeout(t);
    this.#sleepTimers.clear();
    for (const wake of this.#sleepers) wake();
    this.#sleepers.clear();
    const conns = [this.#primary, this.#establishing, this.#renewal?.conn].filter((c): c is RealtimeConnection => c !== undefined);
    this.#primary = undefined;
    this.#establishing = undefined;
    this.#renewal = undefined;
    this.#closedPromise = Promise.all(conns.map((c) => c.close('call ended'))).then(() => undefined);
    this.#logger.info({ stats: this.stats() }, 'realtime closed');
    return this.#closedPromise;
  }

  // ---- connections ------------------------------------------------------------------------------

  #newConnection(): RealtimeConnection {
    if (this.#config === undefined) throw new RealtimeError('RT_ERR_STATE', 'no session config', { fatal: true });
    return new RealtimeConnection({
      client: this.#client,
      endpoint: this.#endpoint,
      model: this.#config.model,
      logger: this.#logger,
      clock: this.#clock,
      maxMessageBytes: this.#opts.maxMessageBytes,
      onEvent: (conn, parsed) => this.#onConnEvent(conn, parsed),
      onClosed: (conn, info) => this.#onConnClosed(conn, info),
    });
  }

  /** Bounded attempts with backoff. Resolves with a confirmed connection; rejects with a fatal RealtimeError. */
  async #establish(purpose: 'connect' | 'reconnect' | 'renew'): Promise<RealtimeConnection> {
    let last: RealtimeError | undefined;
    for (let attempt = 0; attempt < this.#opts.maxAttempts; attempt++) {
      const delay = backoffDelayMs(attempt, this.#opts);
      if (delay > 0) await this.#sleep(delay);
      if (this.#isClosed()) throw new RealtimeError('RT_ERR_CLOSED', 'backend closed', { fatal: true });
      const conn = this.#newConnection();
      if (purpose === 'renew') {
        if (this.#renewal === undefined) {
          void conn.close('renewal abandoned');
          throw new RealtimeError('RT_ERR_CLOSED', 'renewal abandoned', { fatal: true });
        }
        this.#renewal.conn = conn;
      } else {
        this.#establishing = conn;
      }
      try {
        await conn.open(toSessionPayload(this.#configOrThrow()), this.#opts.connectAttemptTimeoutMs);
        return conn;
      } catch (err) {
        void conn.close('attempt failed');
        const e = RealtimeError.is(err) ? err : new RealtimeError('RT_ERR_CONNECT_FAILED', String(err), { fatal: false, cause: err });
        if (e.fatal || this.#isClosed()) throw e;
        last = e;
        this.#logger.warn({ purpose, attempt: attempt + 1, of: this.#opts.maxAttempts, err: e.message }, 'realtime connection attempt failed');
      }
    }
    const code = purpose === 'connect' ? 'RT_ERR_CONNECT_FAILED' : 'RT_ERR_RECONNECT_EXHAUSTED';
    throw new RealtimeError(code, `${this.#opts.maxAttempts} attempts failed; last: ${last?.message ?? 'none'}`, { fatal: true, cause: last });
  }

  #configOrThrow(): RealtimeSessionConfig {
    if (this.#config === undefined) throw new RealtimeError('RT_ERR_STATE', 'no session config', { fatal: true });
    return this.#config;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#sleepers.delete(done);
        this.#sleepTimers.delete(timer);
        resolve();
      };
      const timer = this.#clock.setTimeout(done, ms);
      this.#sleepers.add(done);
      this.#sleepTimers.add(timer);
    });
  }

  #onConnClosed(conn: RealtimeConnection, info: { code: number; reason: string; intentional: boolean; lastError?: string }): void {
    // Only a confirmed spare matters here; attempts that fail while opening are the retry loop's business.
    if (this.#renewal?.conn === conn && this.#renewal.ready && !info.intentional) {
      // The spare socket died before the swap; the live one is unaffected. Try again later.
      this.#logger.warn({ code: info.code, err: info.lastError }, 'realtime renewal socket lost before swap');
      this.#renewal = undefined;
      this.#retryRenewalLater();
      return;
    }
    if (conn !== this.#primary || info.intentional || this.#state !== 'ready') return;
    this.#primary = undefined;
    const reason = info.lastError ?? `socket closed (code ${info.code}${info.reason ? `, ${info.reason}` : ''})`;
    void this.#reconnect(reason);
  }

  async #reconnect(reason: string): Promise<void> {
    this.#logger.warn({ reason }, 'realtime connection lost; reconnecting');
    this.#setState('reconnecting', reason);
    this.#abandonRenewal();
    this.#endLiveTurn('connection_lost');
    let conn: RealtimeConnection;
    try {
      conn = await this.#establish('reconnect');
    } catch (err) {
      if (this.#isClosed()) return;
      const e = RealtimeError.is(err) ? err : new RealtimeError('RT_ERR_RECONNECT_EXHAUSTED', String(err), { fatal: true, cause: err });
      this.#emitError(e, true);
      await this.close();
      return;
    }
    this.#establishing = undefined;
    if (this.#isClosed()) {
      void conn.close('backend closed');
      return;
    }
    const replayed = this.#replayInto(conn);
    this.#primary = conn;
    this.#stats.reconnects++;
    this.#logger.info({ replayed }, 'realtime reconnected');
    this.#setState('ready');
    this.#scheduleRenewal();
    this.#flushWantedResponse();
  }

  #replayInto(conn: RealtimeConnection): number {
    const events = this.#log.replayEvents(() => this.#newItemId());
    for (const ev of events) conn.send({ ...ev, event_id: conn.nextEventId() });
    return events.length;
  }

  /** The response and caller turn in flight die with their socket; tell the call layer. */
  #endLiveTurn(code: string): void {
    const id = this.#turn.reset();
    if (id !== undefined) {
      this.#emit('responseDone', { responseId: id, status: 'failed', statusDetails: { type: 'failed', error: { code } } });
    }
  }

  // ---- renewal ----------------------------------------------------------------------------------

  #scheduleRenewal(): void {
    this.#clearRenewalTimers();
    this.#renewDeadlinePassed = false;
    this.#renewTimer = this.#clock.setTimeout(() => void this.#startRenewal(), this.#opts.renewAfterMs);
    this.#renewDeadlineTimer = this.#clock.setTimeout(() => {
      this.#renewDeadlinePassed = true;
      this.#maybeSwap();
    }, this.#opts.renewDeadlineMs);
  }

  #clearRenewalTimers(): void {
    this.#clock.clearTimeout(this.#renewTimer);
    this.#clock.clearTimeout(this.#renewDeadlineTimer);
    this.#renewTimer = undefined;
    this.#renewDeadlineTimer = undefined;
  }

  async #startRenewal(): Promise<void> {
    this.#renewTimer = undefined;
    if (this.#state !== 'ready' || this.#renewal !== undefined) return;
    const renewal: Renewal = { conn: undefined, ready: false };
    this.#renewal = renewal;
    this.#logger.info('realtime session renewal: opening a new session');
    try {
      await this.#establish('renew');
    } catch (err) {
      if (this.#renewal !== renewal || this.#isClosed()) return;
      this.#renewal = undefined;
      this.#logger.warn({ err: RealtimeError.is(err) ? err.message : String(err) }, 'realtime session renewal failed');
      this.#retryRenewalLater();
      return;
    }
    if (this.#renewal !== renewal) {
      void renewal.conn?.close('renewal abandoned');
      return;
    }
    renewal.ready = true;
    this.#maybeSwap();
  }

  #retryRenewalLater(): void {
    if (this.#state !== 'ready' || this.#renewDeadlinePassed || this.#renewTimer !== undefined) return;
    this.#renewTimer = this.#clock.setTimeout(() => void this.#startRenewal(), this.#opts.maxBackoffMs);
  }

  #maybeSwap(): void {
    const r = this.#renewal;
    if (r === undefined || !r.ready || r.conn === undefined || this.#state !== 'ready') return;
    const quiet = this.#turn.quiet;
    if (!quiet && !this.#renewDeadlinePassed) return;
    const next = r.conn;
    const old = this.#primary;
    this.#renewal = undefined;
    const replayed = this.#replayInto(next);
    this.#endLiveTurn('session_renewed');
    this.#primary = next;
    this.#stats.renewals++;
    this.#logger.info({ replayed, quiet }, 'realtime session renewed');
    void old?.close('session renewed');
    this.#scheduleRenewal();
  }

  #abandonRenewal(): void {
    this.#clearRenewalTimers();
    const r = this.#renewal;
    this.#renewal = undefined;
    void r?.conn?.close('renewal abandoned');
  }

  // ---- server events ----------------------------------------------------------------------------

  #onConnEvent(conn: RealtimeConnection, parsed: ParsedServerEvent): void {
    if (parsed.kind === 'invalid' || parsed.kind === 'unknown') {
      this.#stats.droppedEvents++;
      const level = parsed.kind === 'invalid' ? 'warn' : 'debug';
      this.#logger[level](
        { type: parsed.type, ...(parsed.kind === 'invalid' ? { issues: parsed.issues } : {}), raw: summarizeRaw(parsed.raw) },
        `realtime server event ${parsed.kind}`,
      );
      return;
    }
    if (parsed.kind === 'ignored') return;
    const live = conn === this.#primary || (conn === this.#establishing && conn.ready);
    if (!live) {
      if (parsed.event.type === 'error') this.#logger.warn({ conn: conn.id, error: parsed.event.error }, 'realtime error on standby session');
      return;
    }
    routeServerEvent(parsed.event, this.#router);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  #send(event: RealtimeClientEvent): void {
    const conn = this.#state === 'ready' ? this.#primary : undefined;
    if (conn === undefined) {
      this.#logger.debug({ type: event.type }, 'realtime event not sent: no live session');
      return;
    }
    conn.send(event.type === 'input_audio_buffer.append' ? event : { ...event, event_id: conn.nextEventId() });
  }

  #flushWantedResponse(): void {
    const wanted = this.#responseWanted;
    this.#responseWanted = undefined;
    if (wanted !== undefined) this.createResponse(wanted);
  }

  #newItemId(): string {
    // Client-chosen ids are allowed (max 32 chars); ours are recognisable in provider logs.
    return `item_gw${this.#idSalt}${(++this.#itemSeq).toString(36)}`;
  }

  /** A method, not an inline comparison: the state changes across awaits, which TS narrowing ignores. */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #setState(state: RealtimeConnectionState, reason?: string): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit('state', reason === undefined ? { state } : { state, reason });
  }

  #emitError(e: RealtimeError, fatal: boolean): void {
    this.#logger.error({ code: e.code, err: e.message }, 'realtime backend error');
    this.#emit('error', { code: e.code, message: e.message, fatal });
  }

  /** Listeners cannot break the backend; an 'error' without a listener is logged, not thrown. */
  #emit<K extends keyof RealtimeBackendEvents>(event: K, ...args: RealtimeBackendEvents[K]): void {
    if (this.#silenced) return;
    if (event === 'error' && this.listenerCount('error') === 0) return;
    try {
      (this.emit as (e: K, ...a: RealtimeBackendEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.#logger.error({ event, err: err instanceof Error ? err.message : String(err) }, 'realtime event listener threw');
    }
  }
}
