/**
 * RealtimeBackend that runs an agent written with the OpenAI Agents SDK (`@openai/agents-realtime`)
 * on a phone call: the SDK's RealtimeSession owns the conversation (agent, tools, handoffs,
 * guardrails, history) and talks to the provider through a PhoneCallTransport over this call's media.
 *
 * Lifecycle: idle -> connecting -> ready -> closed (one teardown: close()).
 * - connect(): loads the agent for this call, builds the session and resolves once the provider
 *   confirmed our session.update (session.updated), within the deadline.
 * - A lost socket is final: error (fatal) + state 'closed'. The SDK does not reconnect and this
 *   provider does not either; reconnect with conversation replay and the 60-minute session renewal
 *   are features of the `openai` provider.
 * - Gateway tools (RealtimeSessionConfig.tools) surface as `functionCall` and complete with
 *   sendFunctionOutput (gateway-tools.ts); the agent's own tools run inside the SDK, unseen here.
 */
import { newBackendStats } from '../backend-stats.js';
import { EventEmitter } from 'node:events';
import { RealtimeAgent, RealtimeSession, UserError, type RealtimeSessionOptions } from '@openai/agents-realtime';
import type { WebSocket } from 'ws';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import type {
  RealtimeBackend,
  RealtimeBackendEvents,
  RealtimeBackendStats,
  RealtimeConnectOptions,
  RealtimeConnectionState,
  RealtimeSessionConfig,
} from '../backend.js';
import { RealtimeError } from '../errors.js';
import { toPartialSessionPayload } from '../openai/session-payload.js';
import { AgentOverlays } from './agent-overlay.js';
import { AGENTS_SDK_SESSION_ERROR } from './errors.js';
import { GatewayToolBridge } from './gateway-tools.js';
import { AGENTS_SDK_CLOSE_TIMEOUT_MS, describeEndpoint, realtimeWebSocketUrl, resolveAgentsSdkOptions, type AgentsSdkFactoryOptions, type ResolvedAgentsSdkOptions } from './options.js';
import { PhoneCallTransport } from './phone-call-transport.js';
import { chooseVoice, mergeSdkConfig, toSdkSessionConfig } from './session-config.js';

type BackendState = 'idle' | RealtimeConnectionState;
type SessionOptions = Partial<RealtimeSessionOptions<unknown>>;

const AUDIO_FORMATS: ReadonlySet<string> = new Set(['pcmu', 'pcma', 'pcm16']);

function invalidConfigField(c: RealtimeSessionConfig): string | undefined {
  if (typeof c.model !== 'string' || c.model.length === 0) return 'model must be a non-empty string';
  if (!AUDIO_FORMATS.has(c.audioFormat)) return `audioFormat must be pcmu, pcma or pcm16, got ${String(c.audioFormat)}`;
  if (typeof c.voice !== 'string' || c.voice.length === 0) return 'voice must be a non-empty string';
  if (c.speed !== undefined && !(c.speed >= 0.25 && c.speed <= 1.5)) return `speed must be 0.25..1.5, got ${c.speed}`;
  return undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') return (err as { message: string }).message;
  return String(err);
}

/** The SDK re-emits a server `error` event as `{type:'error', error: <the event>}`; we route those ourselves. */
function isServerErrorEvent(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; error?: unknown };
  return v.type === 'error' && typeof v.error === 'object' && v.error !== null;
}

export interface AgentsSdkBackendDeps {
  logger: Logger;
  callId: string;
  clock: Clock;
}

interface Live {
  session: RealtimeSession<unknown>;
  transport: PhoneCallTransport;
  /** The object handed to RealtimeSession, which keeps the reference and re-reads `config` on handoffs. */
  sessionOptions: SessionOptions;
  overlays: AgentOverlays;
  agent: RealtimeAgent;
}

export class AgentsSdkBackend extends EventEmitter<RealtimeBackendEvents> implements RealtimeBackend {
  readonly #opts: ResolvedAgentsSdkOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #callId: string;
  readonly #tools: GatewayToolBridge;

  #state: BackendState = 'idle';
  #silenced = false;
  #config: RealtimeSessionConfig | undefined;
  #live: Live | undefined;
  #confirm: { resolve: () => void; reject: (e: RealtimeError) => void } | undefined;
  #responseWanted: { instructions?: string } | undefined;
  #closedPromise: Promise<void> | undefined;

  readonly #stats: RealtimeBackendStats = newBackendStats();

  constructor(options: AgentsSdkFactoryOptions, deps: AgentsSdkBackendDeps) {
    super();
    this.#opts = resolveAgentsSdkOptions(options);
    this.#logger = deps.logger.child({ realtime: 'agents-sdk' });
    this.#clock = deps.clock;
    this.#callId = deps.callId;
    this.#tools = new GatewayToolBridge({ emit: (event, ...args) => this.#emit(event, ...args), logger: this.#logger });
  }

  /** The SDK session of this call (history, usage, current agent), for observers; undefined before connect(). */
  get sdkSession(): RealtimeSession<unknown> | undefined {
    return this.#live?.session;
  }

  // ---- public API -----------------------------------------------------------------------------

  async connect(config: RealtimeSessionConfig, opts: RealtimeConnectOptions = {}): Promise<void> {
    if (this.#state !== 'idle') throw new RealtimeError('RT_ERR_STATE', `connect() in state ${this.#state}`, { fatal: false });
    const invalid = invalidConfigField(config);
    if (invalid !== undefined) throw new RealtimeError('RT_ERR_CONFIG', `invalid session config: ${invalid}`, { fatal: true });
    this.#config = { ...config };
    this.#setState('connecting');

    const timeoutMs = opts.timeoutMs ?? this.#opts.connectTimeoutMs;
    let stopGuard = (): void => undefined;
    const guard = new Promise<never>((_, reject) => {
      const onAbort = (): void => reject(new RealtimeError('RT_ERR_ABORTED', 'connect aborted', { fatal: true }));
      if (opts.signal?.aborted) onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = this.#clock.setTimeout(
        () => reject(new RealtimeError('RT_ERR_CONNECT_TIMEOUT', `no confirmed session within ${timeoutMs} ms`, { fatal: true })),
        timeoutMs,
      );
      stopGuard = () => {
        opts.signal?.removeEventListener('abort', onAbort);
        this.#clock.clearTimeout(timer);
      };
    });
    try {
      await Promise.race([this.#open(config), guard]);
      if (this.#isClosed()) throw new RealtimeError('RT_ERR_CLOSED', 'closed while connecting', { fatal: true });
      this.#setState('ready');
      this.#flushWantedResponse();
    } catch (err) {
      const e = this.#isClosed()
        ? new RealtimeError('RT_ERR_CLOSED', 'closed while connecting', { fatal: true, cause: err })
        : RealtimeError.is(err)
          ? err
          : new RealtimeError('RT_ERR_CONNECT_FAILED', describe(err), { fatal: true, cause: err });
      if (!this.#isClosed()) {
        this.#emitError(e);
        await this.close();
      }
      throw e;
    } finally {
      stopGuard();
    }
  }

  appendAudio(bytes: Uint8Array): void {
    const transport = this.#state === 'ready' ? this.#live?.transport : undefined;
    if (transport === undefined || !transport.sendCallerAudio(bytes)) {
      this.#stats.droppedAudioBytes += bytes.byteLength;
      return;
    }
    this.#stats.appendedBytes += bytes.byteLength;
  }

  truncate(itemId: string, contentIndex: number, audioEndMs: number): void {
    if (this.#state === 'ready') this.#live?.transport.truncate(itemId, contentIndex, audioEndMs);
  }

  cancelResponse(responseId?: string): void {
    if (this.#state === 'ready') this.#live?.transport.cancelResponse(responseId);
  }

  createResponse(opts: { instructions?: string } = {}): void {
    if (this.#isClosed()) return;
    const live = this.#live;
    if (this.#state !== 'ready' || live === undefined) {
      this.#responseWanted = opts;
      return;
    }
    try {
      // The SDK's sequencer holds it until the previous response is done (no "active response" error).
      live.transport.requestResponse(opts.instructions === undefined ? undefined : { instructions: opts.instructions });
    } catch (err) {
      this.#logger.warn({ err: describe(err) }, 'response.create not sent');
    }
  }

  sendFunctionOutput(callId: string, output: string, opts: { respond?: boolean } = {}): void {
    const respond = opts.respond ?? true;
    const outcome = this.#tools.answer(callId, output, respond);
    if (outcome === 'answered') return; // the SDK sends it (and asks for the next response)
    if (outcome === 'duplicate') {
      this.#logger.warn({ callId }, 'function output for an already answered call ignored');
      return;
    }
    // Not a call this session is waiting on: sent as the openai provider would (the provider judges it).
    if (this.#state !== 'ready') return;
    this.#live?.transport.sendFunctionOutputItem(callId, output);
    if (respond) this.createResponse();
  }

  addUserText(text: string, opts: { respond?: boolean } = {}): void {
    const live = this.#live;
    if (this.#state !== 'ready' || live === undefined) {
      this.#logger.warn({ state: this.#state }, 'user text dropped: no live session');
      return;
    }
    try {
      live.transport.sendMessage(text, {}, { triggerResponse: opts.respond ?? false });
    } catch (err) {
      this.#logger.warn({ err: describe(err) }, 'user text not sent');
    }
  }

  updateSession(partial: Partial<RealtimeSessionConfig>): void {
    const current = this.#config;
    if (current === undefined || this.#isClosed()) return;
    const next = { ...current, ...partial };
    this.#config = next;
    const live = this.#live;
    if (live === undefined) return;
    const voice = chooseVoice(live.agent, next);
    // The SDK re-sends options.config on every handoff: keep it in step with what we change now.
    live.sessionOptions.config = mergeSdkConfig(this.#opts.sessionOptions.config, toSdkSessionConfig(next, voice));
    if (this.#state !== 'ready') return;

    const { instructions, tools, model, voice: askedVoice, ...audioAndTurn } = partial;
    // A partial GA session.update: the SDK's own updateSessionConfig would fill every absent field
    // with its defaults (24 kHz PCM, semantic VAD), breaking the phone leg.
    const wire = toPartialSessionPayload({ ...audioAndTurn, ...(askedVoice === undefined ? {} : { voice }) });
    if (Object.keys(wire).length > 1) live.transport.sendIfConnected({ type: 'session.update', session: wire });
    if (model !== undefined && model !== current.model) this.#logger.warn({ model }, 'the model cannot change during a session; ignored');
    if (tools !== undefined) {
      this.#tools.setTools(tools);
      live.overlays.refreshTools();
      // Re-prepares the current agent (tool dispatch table + instructions) and sends the session.update.
      // Side effect: the SDK emits agent_handoff from the current agent to itself.
      live.session.updateAgent(live.session.currentAgent as RealtimeAgent).catch((err: unknown) => this.#logger.warn({ err: describe(err) }, 'tool update failed'));
    } else if (instructions !== undefined) {
      void this.#sendInstructions(live);
    }
  }

  stats(): RealtimeBackendStats {
    return { ...this.#stats, ...(this.#stats.lastRateLimits ? { lastRateLimits: [...this.#stats.lastRateLimits] } : {}) };
  }

  close(): Promise<void> {
    if (this.#closedPromise !== undefined) return this.#closedPromise;
    this.#setState('closed');
    this.#silenced = true; // nothing after 'closed'
    this.#confirm?.reject(new RealtimeError('RT_ERR_CLOSED', 'closed while connecting', { fatal: true }));
    this.#confirm = undefined;
    this.#tools.close();
    const live = this.#live;
    const socket = live?.transport.connectionState.websocket;
    try {
      live?.session.close();
    } catch (err) {
      this.#logger.warn({ err: describe(err) }, 'agents-sdk session close failed');
    }
    this.#closedPromise = waitForSocketClose(socket, this.#clock, AGENTS_SDK_CLOSE_TIMEOUT_MS);
    this.#logger.info({ stats: this.stats() }, 'realtime closed');
    return this.#closedPromise;
  }

  // ---- connection -------------------------------------------------------------------------------

  async #open(config: RealtimeSessionConfig): Promise<void> {
    const agent = await this.#loadAgent(config);
    if (this.#isClosed()) throw new RealtimeError('RT_ERR_CLOSED', 'closed while loading the agent', { fatal: true });
    this.#tools.setTools(config.tools);
    const overlays = new AgentOverlays({
      instructions: () => this.#config?.instructions ?? '',
      toolsFor: (a) => this.#tools.toolsFor(a),
    });
    const model = this.#opts.model ?? config.model;
    const transport = new PhoneCallTransport({
      model,
      logger: this.#logger,
      stats: this.#stats,
      audioFormat: () => this.#config?.audioFormat ?? config.audioFormat,
      events: {
        emit: (event, ...args) => this.#emit(event, ...args),
        onSessionConfirmed: () => this.#onSessionConfirmed(),
        onSessionRejected: (e) => this.#onSessionRejected(e),
        noteFunctionCall: (callId, ids) => this.#tools.noteCall(callId, ids),
      },
    });
    const sessionOptions: SessionOptions = {
      ...this.#opts.sessionOptions,
      transport,
      model,
      config: mergeSdkConfig(this.#opts.sessionOptions.config, toSdkSessionConfig(config, chooseVoice(agent, config))),
    };
    const session = new RealtimeSession<unknown>(overlays.overlay(agent), sessionOptions);
    // Registered before connect: the SDK emits 'error' during connect too, and an EventEmitter
    // 'error' without a listener would throw inside the socket handler.
    session.on('error', (e) => this.#onSessionError(e.error));
    this.#live = { session, transport, sessionOptions, overlays, agent };

    const confirmed = new Promise<void>((resolve, reject) => {
      this.#confirm = { resolve, reject };
    });
    confirmed.catch(() => undefined); // settled on every path; awaited only once the socket is open
    const url = realtimeWebSocketUrl(this.#opts.baseURL, model);
    this.#logger.info({ endpoint: describeEndpoint(url), model, format: config.audioFormat, agent: agent.name }, 'realtime connecting');
    try {
      await session.connect({ apiKey: this.#opts.apiKey, url });
    } catch (err) {
      const code = err instanceof UserError ? 'RT_ERR_CONFIG' : 'RT_ERR_CONNECT_FAILED';
      throw new RealtimeError(code, `agents-sdk connect failed: ${describe(err)}`, { fatal: true, cause: err });
    }
    const socket = transport.connectionState.websocket;
    if (socket === undefined) throw new RealtimeError('RT_ERR_CONNECT_FAILED', 'agents-sdk connect resolved without a socket', { fatal: true });
    socket.once('close', (code: number, reason: Buffer) => this.#onSocketClosed(code, reason.toString('utf8')));
    await confirmed;
  }

  async #loadAgent(config: RealtimeSessionConfig): Promise<RealtimeAgent> {
    let agent: unknown;
    try {
      agent = await this.#opts.loadAgent({ callId: this.#callId, logger: this.#logger, session: config });
    } catch (err) {
      throw new RealtimeError('RT_ERR_CONFIG', `the agent could not be created: ${describe(err)}`, { fatal: true, cause: err });
    }
    if (!(agent instanceof RealtimeAgent)) {
      throw new RealtimeError('RT_ERR_CONFIG', `loadAgent returned ${agent === null ? 'null' : typeof agent}, not a RealtimeAgent`, { fatal: true });
    }
    return agent;
  }

  #onSessionConfirmed(): void {
    const confirm = this.#confirm;
    this.#confirm = undefined;
    confirm?.resolve();
  }

  /** The provider answered our configuration's session.update with an error: connect() fails. */
  #onSessionRejected(e: { code?: string; message: string }): void {
    const confirm = this.#confirm;
    this.#confirm = undefined;
    confirm?.reject(
      new RealtimeError('RT_ERR_SESSION_REJECTED', `provider rejected the session: ${e.message}`, { fatal: true, ...(e.code === undefined ? {} : { providerCode: e.code }) }),
    );
  }

  #onSocketClosed(code: number, reason: string): void {
    if (this.#isClosed()) return; // our own close()
    const why = `socket closed (code ${code}${reason ? `, ${reason}` : ''})`;
    const confirm = this.#confirm;
    if (confirm !== undefined) {
      this.#confirm = undefined;
      confirm.reject(new RealtimeError('RT_ERR_CONNECT_FAILED', why, { fatal: true }));
      return;
    }
    this.#logger.warn({ code, reason }, 'realtime connection lost; the agents-sdk provider does not reconnect');
    const active = this.#live?.transport.turn.reset();
    if (active !== undefined) {
      this.#emit('responseDone', { responseId: active, status: 'failed', statusDetails: { type: 'failed', error: { code: 'connection_lost' } } });
    }
    this.#emitError(new RealtimeError('RT_ERR_RECONNECT_EXHAUSTED', `${why}; the agents-sdk provider does not reconnect`, { fatal: true }));
    void this.close();
  }

  #onSessionError(error: unknown): void {
    if (isServerErrorEvent(error)) return; // already routed from the raw event (event-router.ts)
    const message = describe(error);
    this.#logger.warn({ err: message }, 'agents-sdk session error');
    // While connecting, connect() reports the outcome; after close, nothing is emitted.
    if (this.#state === 'ready') this.#emit('error', { code: AGENTS_SDK_SESSION_ERROR, message, fatal: false });
  }

  async #sendInstructions(live: Live): Promise<void> {
    try {
      const agent = live.session.currentAgent as RealtimeAgent;
      const instructions = await agent.getSystemPrompt(live.session.context);
      live.transport.sendIfConnected({ type: 'session.update', session: { type: 'realtime', instructions } });
    } catch (err) {
      this.#logger.warn({ err: describe(err) }, 'instructions update failed');
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  #flushWantedResponse(): void {
    const wanted = this.#responseWanted;
    this.#responseWanted = undefined;
    if (wanted !== undefined) this.createResponse(wanted);
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

  #emitError(e: RealtimeError): void {
    this.#logger.error({ code: e.code, err: e.message }, 'realtime backend error');
    this.#emit('error', { code: e.code, message: e.message, fatal: true });
  }

  /** Listeners cannot break the backend; an 'error' without a listener is logged, not thrown. */
  #emit<K extends keyof RealtimeBackendEvents>(event: K, ...args: RealtimeBackendEvents[K]): void {
    if (this.#silenced) return;
    if (event === 'error' && this.listenerCount('error') === 0) return;
    try {
      (this.emit as (e: K, ...a: RealtimeBackendEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.#logger.error({ event, err: describe(err) }, 'realtime event listener threw');
    }
  }
}

/** Resolves once the socket is closed; a close handshake that stalls is cut after `timeoutMs`. */
function waitForSocketClose(socket: WebSocket | undefined, clock: Clock, timeoutMs: number): Promise<void> {
  if (socket === undefined || socket.readyState === socket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => {
      socket.terminate();
      resolve();
    }, timeoutMs);
    socket.once('close', () => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}
