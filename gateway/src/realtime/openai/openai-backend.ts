/**
 * RealtimeBackend over OpenAI's GA Realtime WebSocket API (openai's OpenAIRealtimeWS). The state
 * machine, connect guard, emit, stats and live turn are the shared core's (core/backend-core.ts) and
 * the GA events are routed by the shared router (ga/event-router.ts); what is here is this provider's
 * own: its sockets, reconnect with replay, and renewal.
 *
 * - A lost socket starts a reconnect episode: bounded attempts with exponential backoff; the session
 *   configuration and the conversation so far (as text, see conversation-log.ts) are replayed; caller
 *   audio appended meanwhile is dropped and counted. If every attempt fails: fatal error, 'closed'.
 * - The provider ends sessions at 60 minutes. After `renewAfterMs` a second socket is opened in
 *   parallel; once it is confirmed and the conversation is quiet (no response, no caller speech, or at
 *   `renewDeadlineMs` regardless) the conversation is replayed into it and it replaces the old one
 *   between two appendAudio calls, so no caller audio is dropped.
 */
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import type { Clock, TimerId } from '../../clock.js';
import type { Logger } from '../../log.js';
import type { RealtimeSessionConfig, RealtimeStreamLimits } from '../backend.js';
import { MAX_SOCKET_BACKLOG_BYTES, RealtimeBackendCore } from '../core/backend-core.js';
import { RealtimeError } from '../errors.js';
import { inputAudioAppendText } from '../ga/client-events.js';
import { GaEventRouter } from '../ga/event-router.js';
import type { ParsedServerEvent } from '../ga/server-events.js';
import { toPartialSessionPayload, toSessionPayload } from '../ga/session-payload.js';
import { lifetimePlan } from '../core/session-lifetime.js';
import { RealtimeConnection } from './connection.js';
import { ConversationLog } from './conversation-log.js';
import { OUT_OF_BAND_METADATA_KEY, OutOfBandAnswers } from './out-of-band.js';
import { ResponseQueue, type ResponseRequest } from './response-queue.js';
import { resolveRealtimeEndpoint, type RealtimeEndpoint } from './endpoint.js';
import { backoffDelayMs, resolveOpenAIBackendOptions, type OpenAIBackendOptions, type ResolvedOpenAIBackendOptions } from './options.js';
import { describeError, excerpt } from '../../describe-error.js';

/** Output tokens of an out-of-band answer unless the caller says otherwise (a JSON summary fits easily). */
const DEFAULT_OUT_OF_BAND_TOKENS = 1_024;

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
  limits?: RealtimeStreamLimits | undefined;
}

export class OpenAIRealtimeBackend extends RealtimeBackendCore {
  readonly #opts: ResolvedOpenAIBackendOptions;
  readonly #endpoint: RealtimeEndpoint;
  readonly #client: OpenAI;
  readonly #conversation: ConversationLog;
  readonly #router: GaEventRouter;
  readonly #responses: ResponseQueue;
  readonly #outOfBand = new OutOfBandAnswers();

  #primary: RealtimeConnection | undefined;
  /** Being established for connect/reconnect; its events count as soon as it is ready. */
  #establishing: RealtimeConnection | undefined;
  #renewal: Renewal | undefined;
  #renewTimer: TimerId | undefined;
  #renewDeadlineTimer: TimerId | undefined;
  #giveUpTimer: TimerId | undefined;
  #renewDeadlinePassed = false;
  #sleepers = new Set<() => void>();
  #sleepTimers = new Set<TimerId>();

  /** Reconnect episodes this call has started (bounded by limits.maxReconnects). */
  #reconnectEpisodes = 0;
  #itemSeq = 0;
  readonly #idSalt = randomBytes(3).toString('hex');

  constructor(options: OpenAIBackendOptions, deps: OpenAIBackendDeps) {
    super({ logger: deps.logger.child({ realtime: 'openai' }), clock: deps.clock, limits: deps.limits });
    this.#opts = resolveOpenAIBackendOptions(options);
    this.#endpoint = resolveRealtimeEndpoint(this.#opts.baseURL);
    this.#client = deps.client ?? new OpenAI({ apiKey: this.#opts.apiKey, baseURL: this.#endpoint.sdkBaseURL, maxRetries: 0 });
    this.#conversation = new ConversationLog(this.#opts.maxReplayItems);
    this.#router = new GaEventRouter(this.routerContext(), {
      conversation: this.#conversation,
      functionCallDone: (call) => this.emitEvent('functionCall', call),
      quiet: () => this.#maybeSwap(),
      // Our response.create collided with a response the service started: it waits again, unreported.
      serverError: (e) => e.code === 'conversation_already_has_active_response' && e.eventId !== undefined && this.#responses.refused(e.eventId),
    });
    this.#responses = new ResponseQueue({ send: (req) => this.#sendResponseCreate(req), clock: this.clock, logger: this.logger });
  }

  // ---- RealtimeBackend: this provider's part -----------------------------------------------------

  sendFunctionOutput(callId: string, output: string, opts: { respond?: boolean } = {}): void {
    const id = this.#newItemId();
    // Logged first: if we are between sockets, the replay delivers it.
    this.#conversation.addLocal({ kind: 'function_call_output', id, callId, output });
    if (this.state === 'ready') this.sendClientEvent({ type: 'conversation.item.create', item: { id, type: 'function_call_output', call_id: callId, output } });
    if (opts.respond ?? true) this.createResponse();
  }

  addUserText(text: string, opts: { respond?: boolean } = {}): void {
    const id = this.#newItemId();
    this.#conversation.addLocal({ kind: 'message', id, role: 'user', text });
    if (this.state === 'ready') {
      this.sendClientEvent({ type: 'conversation.item.create', item: { id, type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
    }
    if (opts.respond ?? false) this.createResponse();
  }

  addAssistantText(text: string): void {
    const id = this.#newItemId();
    // Logged first, so a replay after a reconnect or renewal still tells the new session.
    this.#conversation.addLocal({ kind: 'message', id, role: 'assistant', text });
    if (this.state === 'ready') {
      this.sendClientEvent({ type: 'conversation.item.create', item: { id, type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] } });
    }
  }

  // ---- core hooks -----------------------------------------------------------------------------------

  protected async openSession(config: Readonly<RealtimeSessionConfig>): Promise<void> {
    this.logger.info({ endpoint: this.#endpoint.describe, model: config.model, format: config.audioFormat }, 'realtime connecting');
    const conn = await this.#establish('connect');
    if (this.isClosed()) {
      // close() raced the last step of the handshake.
      void conn.close('backend closed');
      throw new RealtimeError('RT_ERR_CLOSED', 'closed while connecting', { fatal: true });
    }
    this.#primary = conn;
    this.#establishing = undefined;
    this.#scheduleRenewal();
  }

  protected override forgetItem(itemId: string): void {
    // A replay after a reconnect must not bring back what the caller never heard.
    this.#conversation.remove(itemId);
  }

  protected sendCallerAudio(bytes: Uint8Array): boolean {
    const conn = this.#primary;
    if (conn === undefined || !conn.ready || conn.bufferedAmount > MAX_SOCKET_BACKLOG_BYTES) return false;
    return conn.sendText(inputAudioAppendText(bytes));
  }

  protected sendClientEvent(event: RealtimeClientEvent): void {
    const conn = this.state === 'ready' ? this.#primary : undefined;
    if (conn === undefined) {
      this.logger.debug({ type: event.type }, 'realtime event not sent: no live session');
      return;
    }
    conn.send({ ...event, event_id: conn.nextEventId() });
  }

  protected requestResponse(opts: { instructions?: string }): void {
    this.#responses.request(opts);
  }

  askOutOfBand(instructions: string, opts: { maxOutputTokens?: number } = {}): Promise<string | undefined> {
    if (this.state !== 'ready') return Promise.resolve(undefined);
    return this.#outOfBand.ask(instructions, opts.maxOutputTokens ?? DEFAULT_OUT_OF_BAND_TOKENS, (q) =>
      this.#responses.request({ instructions: q.instructions, outOfBand: { tag: q.tag, maxOutputTokens: q.maxOutputTokens } }),
    );
  }

  #sendResponseCreate(opts: ResponseRequest): string | undefined {
    const conn = this.state === 'ready' ? this.#primary : undefined;
    if (conn === undefined) return undefined;
    const eventId = conn.nextEventId();
    const oob = opts.outOfBand;
    const response =
      oob !== undefined
        ? {
            conversation: 'none' as const,
            output_modalities: ['text' as const],
            instructions: opts.instructions ?? '',
            max_output_tokens: oob.maxOutputTokens,
            metadata: { [OUT_OF_BAND_METADATA_KEY]: oob.tag },
          }
        : opts.instructions === undefined
          ? undefined
          : { instructions: opts.instructions };
    const sent = conn.send({ type: 'response.create', event_id: eventId, ...(response === undefined ? {} : { response }) });
    return sent ? eventId : undefined;
  }

  protected applySessionUpdate(partial: Partial<RealtimeSessionConfig>): void {
    // Kept in the config for reconnects and renewals; sent now only to a live session.
    if (this.state === 'ready') this.sendClientEvent({ type: 'session.update', session: toPartialSessionPayload(partial) });
  }

  protected teardown(): Promise<void> {
    this.#responses.close();
    this.#outOfBand.close();
    this.#clearRenewalTimers();
    for (const t of this.#sleepTimers) this.clock.clearTimeout(t);
    this.#sleepTimers.clear();
    for (const wake of this.#sleepers) wake();
    this.#sleepers.clear();
    const conns = [this.#primary, this.#establishing, this.#renewal?.conn].filter((c): c is RealtimeConnection => c !== undefined);
    this.#primary = undefined;
    this.#establishing = undefined;
    this.#renewal = undefined;
    return Promise.all(conns.map((c) => c.close('call ended'))).then(() => undefined);
  }

  // ---- connections ------------------------------------------------------------------------------

  #newConnection(): RealtimeConnection {
    return new RealtimeConnection({
      client: this.#client,
      endpoint: this.#endpoint,
      model: this.#configOrThrow().model,
      logger: this.logger,
      clock: this.clock,
      maxMessageBytes: this.#opts.maxMessageBytes,
      onEvent: (conn, parsed) => this.#onConnEvent(conn, parsed),
      onClosed: (conn, info) => this.#onConnClosed(conn, info),
    });
  }

  /**
   * Bounded attempts with backoff. Resolves with a confirmed connection; rejects with a fatal
   * RealtimeError. `backoffFrom` starts the backoff further up: the n-th reconnect of a call waits
   * before its first attempt too, so a service that keeps dropping us is not hammered.
   */
  async #establish(purpose: 'connect' | 'reconnect' | 'renew', backoffFrom = 0): Promise<RealtimeConnection> {
    let last: RealtimeError | undefined;
    for (let attempt = 0; attempt < this.#opts.maxAttempts; attempt++) {
      const delay = backoffDelayMs(attempt + backoffFrom, this.#opts);
      if (delay > 0) await this.#sleep(delay);
      if (this.isClosed()) throw new RealtimeError('RT_ERR_CLOSED', 'backend closed', { fatal: true });
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
        const e = RealtimeError.is(err) ? err : new RealtimeError('RT_ERR_CONNECT_FAILED', describeError(err), { fatal: false, cause: err });
        if (e.fatal || this.isClosed()) throw e;
        last = e;
        this.logger.warn({ purpose, attempt: attempt + 1, of: this.#opts.maxAttempts, err: excerpt(e.message) }, 'realtime connection attempt failed');
      }
    }
    const code = purpose === 'connect' ? 'RT_ERR_CONNECT_FAILED' : 'RT_ERR_RECONNECT_EXHAUSTED';
    throw new RealtimeError(code, `${this.#opts.maxAttempts} attempts failed; last: ${last?.message ?? 'none'}`, { fatal: true, cause: last });
  }

  #configOrThrow(): RealtimeSessionConfig {
    const config = this.config;
    if (config === undefined) throw new RealtimeError('RT_ERR_STATE', 'no session config', { fatal: true });
    return config;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#sleepers.delete(done);
        this.#sleepTimers.delete(timer);
        resolve();
      };
      const timer = this.clock.setTimeout(done, ms);
      this.#sleepers.add(done);
      this.#sleepTimers.add(timer);
    });
  }

  #onConnClosed(conn: RealtimeConnection, info: { code: number; reason: string; intentional: boolean; lastError?: string }): void {
    // Only a confirmed spare matters here; attempts that fail while opening are the retry loop's business.
    if (this.#renewal?.conn === conn && this.#renewal.ready && !info.intentional) {
      // The spare socket died before the swap; the live one is unaffected. Try again later.
      this.logger.warn({ code: info.code, err: info.lastError === undefined ? undefined : excerpt(info.lastError) }, 'realtime renewal socket lost before swap');
      this.#renewal = undefined;
      this.#retryRenewalLater();
      return;
    }
    if (conn !== this.#primary || info.intentional || this.state !== 'ready') return;
    this.#primary = undefined;
    const reason = info.lastError ?? `socket closed (code ${info.code}${info.reason ? `, ${info.reason}` : ''})`;
    void this.#reconnect(reason);
  }

  async #reconnect(reason: string): Promise<void> {
    if (this.#reconnectEpisodes >= this.limits.maxReconnects) {
      // A service (or a stream) that keeps killing the socket: the call's AI-lost policy, not a loop.
      this.logger.error({ reason: excerpt(reason), reconnects: this.#reconnectEpisodes }, 'realtime connection lost again: reconnects for this call are spent');
      this.emitFatal(new RealtimeError('RT_ERR_RECONNECT_EXHAUSTED', `connection lost after ${this.#reconnectEpisodes} reconnects: ${excerpt(reason)}`, { fatal: true }));
      await this.close();
      return;
    }
    const episode = this.#reconnectEpisodes++;
    this.logger.warn({ reason: excerpt(reason), reconnect: episode + 1, of: this.limits.maxReconnects }, 'realtime connection lost; reconnecting');
    this.setState('reconnecting', excerpt(reason));
    this.#abandonRenewal();
    this.#responses.reset();
    this.#outOfBand.abandon();
    this.endLiveTurn('connection_lost');
    let conn: RealtimeConnection;
    try {
      conn = await this.#establish('reconnect', episode);
    } catch (err) {
      if (this.isClosed()) return;
      const e = RealtimeError.is(err) ? err : new RealtimeError('RT_ERR_RECONNECT_EXHAUSTED', describeError(err), { fatal: true, cause: err });
      this.emitFatal(e);
      await this.close();
      return;
    }
    this.#establishing = undefined;
    if (this.isClosed()) {
      void conn.close('backend closed');
      return;
    }
    const replayed = this.#replayInto(conn);
    this.#primary = conn;
    this.counters.reconnects++;
    this.logger.info({ replayed }, 'realtime reconnected');
    // Timers first: a 'ready' listener may close the backend, whose teardown must find them.
    this.#scheduleRenewal();
    this.setState('ready');
    this.#responses.pump();
    this.flushWantedResponse();
  }

  #replayInto(conn: RealtimeConnection): number {
    const events = this.#conversation.replayEvents(() => this.#newItemId());
    for (const ev of events) conn.send({ ...ev, event_id: conn.nextEventId() });
    return events.length;
  }

  // ---- renewal ----------------------------------------------------------------------------------

  /** Timers of the live session's renewal, from its expires_at when the provider sent one (core/session-lifetime.ts). */
  #scheduleRenewal(): void {
    this.#clearRenewalTimers();
    this.#renewDeadlinePassed = false;
    const expiresAt = this.#primary?.expiresAtMs;
    const plan = lifetimePlan(expiresAt === undefined ? undefined : expiresAt - this.clock.wallNow(), this.#opts);
    this.#renewTimer = this.clock.setTimeout(() => void this.#startRenewal(), plan.renewInMs);
    this.#renewDeadlineTimer = this.clock.setTimeout(() => {
      this.#renewDeadlinePassed = true;
      this.#maybeSwap();
    }, plan.forceInMs);
    if (plan.giveUpInMs !== undefined) this.#giveUpTimer = this.clock.setTimeout(() => void this.#giveUp(), plan.giveUpInMs);
  }

  #clearRenewalTimers(): void {
    this.clock.clearTimeout(this.#renewTimer);
    this.clock.clearTimeout(this.#renewDeadlineTimer);
    this.clock.clearTimeout(this.#giveUpTimer);
    this.#renewTimer = undefined;
    this.#renewDeadlineTimer = undefined;
    this.#giveUpTimer = undefined;
  }

  async #giveUp(): Promise<void> {
    this.#giveUpTimer = undefined;
    await this.expireBeforeProvider(() => this.#abandonRenewal());
  }

  async #startRenewal(): Promise<void> {
    this.#renewTimer = undefined;
    if (this.state !== 'ready' || this.#renewal !== undefined) return;
    const renewal: Renewal = { conn: undefined, ready: false };
    this.#renewal = renewal;
    this.logger.info('realtime session renewal: opening a new session');
    try {
      await this.#establish('renew');
    } catch (err) {
      if (this.#renewal !== renewal || this.isClosed()) return;
      this.#renewal = undefined;
      this.logger.warn({ err: describeError(err) }, 'realtime session renewal failed');
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
    // With a known end, retries go on until the give-up point; without one, until the forced swap.
    if (this.state !== 'ready' || this.#renewTimer !== undefined) return;
    if (this.#renewDeadlinePassed && this.#giveUpTimer === undefined) return;
    this.#renewTimer = this.clock.setTimeout(() => void this.#startRenewal(), this.#opts.maxBackoffMs);
  }

  #maybeSwap(): void {
    const r = this.#renewal;
    if (r === undefined || !r.ready || r.conn === undefined || this.state !== 'ready') return;
    const quiet = this.turn.quiet;
    if (!quiet && !this.#renewDeadlinePassed) return;
    const next = r.conn;
    const old = this.#primary;
    this.#renewal = undefined;
    const replayed = this.#replayInto(next);
    this.#responses.reset();
    this.#outOfBand.abandon();
    this.endLiveTurn('session_renewed');
    this.#primary = next;
    this.counters.renewals++;
    this.logger.info({ replayed, quiet }, 'realtime session renewed');
    void old?.close('session renewed');
    this.#responses.pump();
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
    this.contain('server event', () => {
      const evt = this.#router.screen(parsed);
      if (evt === undefined) return;
      const live = conn === this.#primary || (conn === this.#establishing && conn.ready);
      if (!live) {
        if (evt.type === 'error') this.logger.warn({ conn: conn.id, code: evt.error.code, message: excerpt(evt.error.message) }, 'realtime error on standby session');
        return;
      }
      if (evt.type === 'response.created') this.#responses.responseCreated(evt.response.id);
      if (this.#outOfBand.claim(evt)) {
        if (evt.type === 'response.done') this.#responses.responseDone(evt.response.id);
        return;
      }
      this.#router.route(evt);
      // After the call layer heard of the end (it may ask for the next response itself).
      if (evt.type === 'response.done') this.#responses.responseDone(evt.response.id);
    });
  }

  #newItemId(): string {
    // Client-chosen ids are allowed (max 32 chars); ours are recognisable in provider logs.
    return `item_gw${this.#idSalt}${(++this.#itemSeq).toString(36)}`;
  }
}
