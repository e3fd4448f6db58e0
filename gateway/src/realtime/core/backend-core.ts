/**
 * What every RealtimeBackend shares, whatever carries the GA protocol (openai's OpenAIRealtimeWS or
 * the Agents SDK's transport), written once:
 * - the connection state machine: idle -> connecting -> ready (<-> reconnecting, for a provider that
 *   reconnects) -> closed, with one idempotent teardown (close());
 * - typed safe emit: a throwing listener is logged, an 'error' without a listener is dropped, and
 *   nothing is emitted after 'closed';
 * - connect(): state and config checks, the deadline/abort guard, the failure path (fatal error event,
 *   close, reject with a RealtimeError), and a response asked for while connecting sent once ready;
 * - the stats counters, the live turn (cancel once, truncate clamped to the audio received) and the
 *   context the GA event router writes to.
 * Providers supply how a session is opened, how client events and caller audio are sent, how a
 * response is requested, how a live session change is applied, and their teardown.
 */
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { SafeEmitter } from '../../safe-emitter.js';
import {
  DEFAULT_REALTIME_STREAM_LIMITS,
  type RealtimeStreamLimits,
  type RealtimeBackend,
  type RealtimeBackendEvents,
  type RealtimeBackendStats,
  type RealtimeConnectOptions,
  type RealtimeConnectionState,
  type RealtimeSessionConfig,
} from '../backend.js';
import { RealtimeError } from '../errors.js';
import type { GaRouterContext } from '../ga/event-router.js';
import { TranscriptBudget } from '../ga/transcript-budget.js';
import { TurnState } from '../ga/turn-state.js';
import { newBackendStats, snapshotStats } from './backend-stats.js';
import { startConnectGuard } from './connect-guard.js';
import { invalidSessionConfigField } from './session-config-check.js';
import { describeError, excerpt } from '../../describe-error.js';

export type BackendState = 'idle' | RealtimeConnectionState;

/** Caller audio is dropped rather than queued once this much is stuck in the socket; bytes. */
export const MAX_SOCKET_BACKLOG_BYTES = 1024 * 1024;

export interface BackendCoreDeps {
  /** The call's logger, already a child naming the provider. */
  logger: Logger;
  clock: Clock;
  /** connect()'s deadline when the caller passes none; undefined: none (attempt timeouts still apply). */
  connectTimeoutMs?: number;
  /** What the call's AI stream may cost; default DEFAULT_REALTIME_STREAM_LIMITS. */
  limits?: RealtimeStreamLimits | undefined;
}

export abstract class RealtimeBackendCore extends SafeEmitter<RealtimeBackendEvents> implements RealtimeBackend {
  protected readonly logger: Logger;
  protected readonly clock: Clock;
  /** The live turn of the current session (reset when a session is replaced or lost). */
  protected readonly turn = new TurnState();
  /** Counted by the core, the router and the provider; stats() hands out copies. */
  protected readonly counters: RealtimeBackendStats = newBackendStats();
  protected readonly limits: Readonly<RealtimeStreamLimits>;
  readonly #transcripts: TranscriptBudget;

  readonly #connectTimeoutMs: number | undefined;
  #state: BackendState = 'idle';
  #eventsStopped = false;
  #config: RealtimeSessionConfig | undefined;
  /** A response.create asked for while not ready; sent once ready. */
  #responseWanted: { instructions?: string } | undefined;
  #closed: Promise<void> | undefined;

  constructor(deps: BackendCoreDeps) {
    super((event, err) => deps.logger.error({ event, err: describeError(err) }, 'realtime event listener threw'));
    this.logger = deps.logger;
    this.clock = deps.clock;
    this.#connectTimeoutMs = deps.connectTimeoutMs;
    this.limits = deps.limits ?? DEFAULT_REALTIME_STREAM_LIMITS;
    this.#transcripts = new TranscriptBudget(this.limits);
  }

  // ---- RealtimeBackend ---------------------------------------------------------------------------

  async connect(config: RealtimeSessionConfig, opts: RealtimeConnectOptions = {}): Promise<void> {
    if (this.#state !== 'idle') throw new RealtimeError('RT_ERR_STATE', `connect() in state ${this.#state}`, { fatal: false });
    const invalid = invalidSessionConfigField(config);
    if (invalid !== undefined) throw new RealtimeError('RT_ERR_CONFIG', `invalid session config: ${invalid}`, { fatal: true });
    this.#config = { ...config };
    this.setState('connecting');
    const guard = startConnectGuard(this.clock, opts.timeoutMs ?? this.#connectTimeoutMs, opts.signal);
    try {
      await guard.race(this.openSession(this.#config));
      if (this.isClosed()) throw new RealtimeError('RT_ERR_CLOSED', 'closed while connecting', { fatal: true });
      this.setState('ready');
      this.flushWantedResponse();
    } catch (err) {
      const e = this.isClosed()
        ? new RealtimeError('RT_ERR_CLOSED', 'closed while connecting', { fatal: true, cause: err })
        : RealtimeError.is(err)
          ? err
          : new RealtimeError('RT_ERR_CONNECT_FAILED', describeError(err), { fatal: true, cause: err });
      if (!this.isClosed()) {
        this.emitFatal(e);
        await this.close();
      }
      throw e;
    } finally {
      guard.stop();
    }
  }

  appendAudio(bytes: Uint8Array): void {
    if (this.#state === 'ready' && this.sendCallerAudio(bytes)) this.counters.appendedBytes += bytes.byteLength;
    else this.counters.droppedAudioBytes += bytes.byteLength;
  }

  truncate(itemId: string, contentIndex: number, audioEndMs: number): void {
    const format = this.#config?.audioFormat;
    const endMs = format === undefined ? undefined : this.turn.truncateMs(itemId, audioEndMs, format);
    if (endMs === undefined) {
      // Not an item of the live session (e.g. from before a reconnect): the provider would reject it.
      this.logger.debug({ itemId }, 'truncate for unknown item ignored');
      return;
    }
    this.sendClientEvent({ type: 'conversation.item.truncate', item_id: itemId, content_index: contentIndex, audio_end_ms: endMs });
  }

  deleteItem(itemId: string): void {
    if (this.turn.itemAudioBytes(itemId) === undefined) {
      this.logger.debug({ itemId }, 'delete of an item not on the live session ignored');
      return;
    }
    this.forgetItem(itemId);
    this.sendClientEvent({ type: 'conversation.item.delete', item_id: itemId });
  }

  cancelResponse(responseId?: string): void {
    const id = this.turn.cancel(responseId);
    if (id !== undefined) this.sendClientEvent({ type: 'response.cancel', response_id: id });
  }

  createResponse(opts: { instructions?: string } = {}): void {
    if (this.isClosed()) return;
    if (this.#state !== 'ready') {
      this.#responseWanted = opts;
      return;
    }
    this.requestResponse(opts);
  }

  updateSession(partial: Partial<RealtimeSessionConfig>): void {
    const previous = this.#config;
    if (previous === undefined || this.isClosed()) return;
    this.#config = { ...previous, ...partial };
    this.applySessionUpdate(partial, previous);
  }

  stats(): RealtimeBackendStats {
    return snapshotStats(this.counters);
  }

  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    let settle: (done: Promise<void>) => void = () => undefined;
    // Set before anything is emitted, so a 'closed' listener that calls close() again gets this one.
    this.#closed = new Promise<void>((resolve) => (settle = resolve));
    this.setState('closed');
    this.#eventsStopped = true; // nothing after 'closed'
    try {
      settle(this.teardown());
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'realtime teardown failed');
      settle(Promise.resolve());
    }
    this.logger.info({ stats: this.stats() }, 'realtime closed');
    return this.#closed;
  }

  abstract sendFunctionOutput(callId: string, output: string, opts?: { respond?: boolean }): void;
  abstract addUserText(text: string, opts?: { respond?: boolean }): void;
  abstract askOutOfBand(instructions: string, opts?: { maxOutputTokens?: number }): Promise<string | undefined>;
  abstract addAssistantText(text: string): void;

  // ---- what each provider supplies -----------------------------------------------------------------

  /** Opens the provider session and resolves once it confirmed `config`; rejects with a RealtimeError. */
  protected abstract openSession(config: Readonly<RealtimeSessionConfig>): Promise<void>;
  /** Caller audio to the live session; false when it could not be sent (counted as dropped). */
  protected abstract sendCallerAudio(bytes: Uint8Array): boolean;
  /** A GA client event to the live session; not sent (and logged) when there is none. */
  protected abstract sendClientEvent(event: RealtimeClientEvent): void;
  /** Asks for a response on the ready session. */
  protected abstract requestResponse(opts: { instructions?: string }): void;
  /** `partial` was merged into the config (this.config); apply it to the live session. */
  protected abstract applySessionUpdate(partial: Partial<RealtimeSessionConfig>, previous: RealtimeSessionConfig): void;
  /** The item is being deleted from the conversation: the provider forgets what it keeps of it. */
  protected forgetItem(_itemId: string): void {}
  /** Releases sockets and timers; resolves when they are gone. Called once, after state 'closed'. */
  protected abstract teardown(): Promise<void>;

  // ---- for providers ------------------------------------------------------------------------------

  protected get state(): BackendState {
    return this.#state;
  }

  /** The session config as connected, with every updateSession() since merged in. */
  protected get config(): RealtimeSessionConfig | undefined {
    return this.#config;
  }

  /** A method, not an inline comparison: the state changes across awaits, which TS narrowing ignores. */
  protected isClosed(): boolean {
    return this.#state === 'closed';
  }

  protected setState(state: RealtimeConnectionState, reason?: string): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emitEvent('state', reason === undefined ? { state } : { state, reason });
  }

  /** Listeners cannot break the backend; an 'error' without a listener is dropped, not thrown. */
  protected emitEvent<K extends keyof RealtimeBackendEvents & string>(event: K, ...args: RealtimeBackendEvents[K]): void {
    if (this.#eventsStopped) return;
    if (event === 'error' && this.listenerCount('error') === 0) return;
    this.safeEmit(event, ...args);
  }

  /**
   * Runs a socket or timer callback of this backend (server events, above all). An exception in it
   * is this backend's bug or a stream it cannot handle: it is counted, logged, and ends the backend
   * (a fatal error, then 'closed', so the call's AI-lost policy applies); it never reaches the socket
   * library and from there the process handler, where it would hang every call.
   */
  protected contain(label: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.failInternally(label, err);
    }
  }

  /** What contain() does with an exception, for a provider whose transport catches it itself. */
  protected failInternally(label: string, err: unknown): void {
    this.counters.internalErrors++;
    if (this.isClosed()) return;
    this.logger.error({ in: label, err: describeError(err, { stack: true }) }, 'realtime event handling failed: ending the session');
    this.emitFatal(new RealtimeError('RT_ERR_INTERNAL', `${label}: ${describeError(err, { firstLine: true })}`, { fatal: true, cause: err }));
    void this.close();
  }

  /**
   * The provider is about to end the session and no new one is ready to take over: end the backend
   * now (fatal, closed), so the call layer apologises and hands the caller back before the provider
   * cuts the conversation off mid-sentence. `abandon` drops the provider's half-open renewal.
   */
  protected async expireBeforeProvider(abandon: () => void): Promise<void> {
    if (this.state !== 'ready') return;
    this.logger.error('realtime session about to reach its maximum duration and no new session is ready: ending it');
    abandon();
    this.endLiveTurn('session_expiring');
    this.emitFatal(new RealtimeError('RT_ERR_SESSION_EXPIRING', 'the session reached its maximum duration and could not be renewed', { fatal: true }));
    await this.close();
  }

  /** The backend is finished: logged, and told to the call layer as a fatal `error`. */
  protected emitFatal(e: RealtimeError): void {
    this.logger.error({ code: e.code, err: excerpt(e.message) }, 'realtime backend error');
    this.emitEvent('error', { code: e.code, message: e.message, fatal: true });
  }

  /** The response and caller turn in flight die with their session; tell the call layer. */
  protected endLiveTurn(code: string): void {
    const id = this.turn.reset();
    if (id !== undefined) this.emitEvent('responseDone', { responseId: id, status: 'failed', statusDetails: { type: 'failed', error: { code } } });
  }

  /** A createResponse() that came while not ready, now (the provider calls this when ready again). */
  protected flushWantedResponse(): void {
    const wanted = this.#responseWanted;
    this.#responseWanted = undefined;
    if (wanted !== undefined) this.createResponse(wanted);
  }

  /** What the GA event router of this backend writes to. */
  protected routerContext(): GaRouterContext {
    return {
      turn: this.turn,
      transcripts: this.#transcripts,
      stats: this.counters,
      logger: this.logger,
      emit: (event, ...args) => this.emitEvent(event, ...args),
      audioFormat: () => this.#config?.audioFormat,
    };
  }
}
