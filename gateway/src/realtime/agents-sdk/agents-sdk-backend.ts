/**
 * RealtimeBackend that runs an agent written with the OpenAI Agents SDK (`@openai/agents-realtime`)
 * on a phone call: the SDK's RealtimeSession owns the conversation (agent, tools, handoffs,
 * guardrails, history) and talks to the provider through a PhoneCallTransport over this call's media.
 * The state machine, connect guard, emit, stats and live turn are the shared core's
 * (core/backend-core.ts); what is here is this provider's own.
 *
 * - connect(): loads the agent for this call, builds the session and resolves once the provider
 *   confirmed our session.update (session.updated), within the deadline.
 * - A lost socket is final: error (fatal) + state 'closed'. The SDK does not reconnect and this
 *   provider does not either; reconnect with conversation replay is a feature of the `openai` provider.
 * - Before the provider's maximum session duration (session.created `expires_at`) a second SDK session
 *   on the current agent is opened in standby, given the conversation so far as text
 *   (history-carry-over.ts) and swapped in at a quiet moment; if none is ready in time the backend
 *   ends itself so the call is handed back before the provider cuts it (core/session-lifetime.ts).
 * - Gateway tools (RealtimeSessionConfig.tools) surface as `functionCall` and complete with
 *   sendFunctionOutput (gateway-tools.ts); the agent's own tools run inside the SDK, unseen here.
 */
import { RealtimeAgent, RealtimeSession, UserError, type RealtimeSessionOptions } from '@openai/agents-realtime';
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import type { WebSocket } from 'ws';
import type { Clock, TimerId } from '../../clock.js';
import type { Logger } from '../../log.js';
import type { RealtimeSessionConfig, RealtimeStreamLimits } from '../backend.js';
import { describeEndpoint } from '../core/base-url.js';
import { RealtimeBackendCore } from '../core/backend-core.js';
import { lifetimePlan, sessionExpiresAtMs } from '../core/session-lifetime.js';
import { RealtimeError } from '../errors.js';
import { toPartialSessionPayload } from '../ga/session-payload.js';
import { AgentOverlays } from './agent-overlay.js';
import { AGENTS_SDK_SESSION_ERROR } from './errors.js';
import { GatewayToolBridge } from './gateway-tools.js';
import { AGENTS_SDK_CLOSE_TIMEOUT_MS, realtimeWebSocketUrl, resolveAgentsSdkOptions, type AgentsSdkFactoryOptions, type ResolvedAgentsSdkOptions } from './options.js';
import { carryOverEvents } from './history-carry-over.js';
import { PhoneCallTransport } from './phone-call-transport.js';
import { DEFAULT_TOOL_APPROVAL, ToolApprovals } from './tool-approvals.js';
import { chooseVoice, mergeSdkConfig, toSdkSessionConfig } from './session-config.js';
import { describeError, excerpt } from '../../describe-error.js';

type SessionOptions = Partial<RealtimeSessionOptions<unknown>>;

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
  limits?: RealtimeStreamLimits | undefined;
}

interface Live {
  session: RealtimeSession<unknown>;
  transport: PhoneCallTransport;
  /** The object handed to RealtimeSession, which keeps the reference and re-reads `config` on handoffs. */
  sessionOptions: SessionOptions;
  overlays: AgentOverlays;
  agent: RealtimeAgent;
}

interface Spare {
  live: Live;
  /** Configured (session.updated): it may be swapped in. */
  ready: boolean;
  expiresAtMs?: number | undefined;
}

/** Without expires_at: the provider's 60 minutes, renewed at 55, swapped by 59 at the latest. */
const DEFAULT_RENEW_AFTER_MS = 55 * 60_000;
const DEFAULT_RENEW_DEADLINE_MS = 59 * 60_000;
/** A failed renewal is tried again after this long, until the give-up point. */
const RENEWAL_RETRY_MS = 2_000;

export class AgentsSdkBackend extends RealtimeBackendCore {
  readonly #opts: ResolvedAgentsSdkOptions;
  readonly #callId: string;
  readonly #tools: GatewayToolBridge;
  readonly #approvals: ToolApprovals;

  #live: Live | undefined;
  /** When the provider will end the session (session.created expires_at), wall-clock ms. */
  #expiresAtMs: number | undefined;
  #giveUpTimer: TimerId | undefined;
  #renewTimer: TimerId | undefined;
  #forceTimer: TimerId | undefined;
  #forcePassed = false;
  /** A renewal's session, configured in parallel until it is swapped in. */
  #spare: Spare | undefined;
  #confirm: { resolve: () => void; reject: (e: RealtimeError) => void } | undefined;

  constructor(options: AgentsSdkFactoryOptions, deps: AgentsSdkBackendDeps) {
    const opts = resolveAgentsSdkOptions(options);
    super({ logger: deps.logger.child({ realtime: 'agents-sdk' }), clock: deps.clock, connectTimeoutMs: opts.connectTimeoutMs, limits: deps.limits });
    this.#opts = opts;
    this.#callId = deps.callId;
    this.#tools = new GatewayToolBridge({ emit: (event, ...args) => this.emitEvent(event, ...args), logger: this.logger });
    this.#approvals = new ToolApprovals({
      logger: this.logger,
      policy: () => this.config?.toolApproval ?? DEFAULT_TOOL_APPROVAL,
      handBack: (reason) => {
        if (this.state === 'ready') this.emitEvent('handBackRequested', { reason });
      },
    });
  }

  /** The SDK session of this call (history, usage, current agent), for observers; undefined before connect(). */
  get sdkSession(): RealtimeSession<unknown> | undefined {
    return this.#live?.session;
  }

  // ---- RealtimeBackend: this provider's part -----------------------------------------------------

  sendFunctionOutput(callId: string, output: string, opts: { respond?: boolean } = {}): void {
    const respond = opts.respond ?? true;
    const outcome = this.#tools.answer(callId, output, respond);
    if (outcome === 'answered') return; // the SDK sends it (and asks for the next response)
    if (outcome === 'duplicate') {
      this.logger.warn({ callId }, 'function output for an already answered call ignored');
      return;
    }
    // Not a call this session is waiting on: sent as the openai provider would (the provider judges it).
    if (this.state !== 'ready') return;
    this.#live?.transport.sendFunctionOutputItem(callId, output);
    if (respond) this.createResponse();
  }

  /**
   * Not offered on this provider: the SDK's RealtimeSession reads every response's output items into
   * its own history and runs its own response bookkeeping, so a `conversation: "none"` response sent
   * past it would be taken for part of the conversation. The call layer writes what the gateway itself
   * knows instead (hand-off summary fallback; docs/agents-sdk.md).
   */
  askOutOfBand(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  addUserText(text: string, opts: { respond?: boolean } = {}): void {
    const live = this.#live;
    if (this.state !== 'ready' || live === undefined) {
      this.logger.warn({ state: this.state }, 'user text dropped: no live session');
      return;
    }
    try {
      live.transport.sendMessage(text, {}, { triggerResponse: opts.respond ?? false });
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'user text not sent');
    }
  }

  addAssistantText(text: string): void {
    const live = this.#live;
    if (this.state !== 'ready' || live === undefined) {
      this.logger.warn({ state: this.state }, 'assistant text dropped: no live session');
      return;
    }
    // The SDK's history picks the item up from the server's conversation.item.added.
    live.transport.sendIfConnected({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] } });
  }

  // ---- core hooks -----------------------------------------------------------------------------------

  protected async openSession(config: Readonly<RealtimeSessionConfig>): Promise<void> {
    const agent = await this.#loadAgent(config);
    if (this.isClosed()) throw new RealtimeError('RT_ERR_CLOSED', 'closed while loading the agent', { fatal: true });
    this.#tools.setTools(config.tools);
    const overlays = new AgentOverlays({
      instructions: () => this.config?.instructions ?? '',
      toolsFor: (a) => this.#tools.toolsFor(a),
    });
    const model = this.#opts.model ?? config.model;
    const transport = new PhoneCallTransport({
      model,
      backend: this.routerContext(),
      events: {
        functionCallDone: (call) => this.#tools.noteCall(call.callId, { responseId: call.responseId, itemId: call.itemId }),
        onSessionConfirmed: () => this.#onSessionConfirmed(),
        onSessionRejected: (e) => this.#onSessionRejected(e),
        cancelResponse: () => this.cancelResponse(),
        routingFailed: (err) => this.failInternally('server event', err),
        sessionCreated: (event) => {
          this.#expiresAtMs = sessionExpiresAtMs(event, this.clock.wallNow());
        },
        quiet: () => this.#maybeSwap(),
      },
    });
    const sessionOptions: SessionOptions = {
      ...this.#opts.sessionOptions,
      transport,
      model,
      config: mergeSdkConfig(this.#opts.sessionOptions.config, toSdkSessionConfig(config, chooseVoice(agent, config))),
    };
    const session = new RealtimeSession<unknown>(overlays.overlay(agent), sessionOptions);
    this.#listen(session);
    this.#live = { session, transport, sessionOptions, overlays, agent };

    const confirmed = new Promise<void>((resolve, reject) => {
      this.#confirm = { resolve, reject };
    });
    confirmed.catch(() => undefined); // settled on every path; awaited only once the socket is open
    const url = realtimeWebSocketUrl(this.#opts.baseURL, model);
    this.logger.info({ endpoint: describeEndpoint(new URL(url)), model, format: config.audioFormat, agent: agent.name }, 'realtime connecting');
    try {
      await session.connect({ apiKey: this.#opts.apiKey, url });
    } catch (err) {
      const code = err instanceof UserError ? 'RT_ERR_CONFIG' : 'RT_ERR_CONNECT_FAILED';
      throw new RealtimeError(code, `agents-sdk connect failed: ${describeError(err)}`, { fatal: true, cause: err });
    }
    const socket = transport.connectionState.websocket;
    if (socket === undefined) throw new RealtimeError('RT_ERR_CONNECT_FAILED', 'agents-sdk connect resolved without a socket', { fatal: true });
    socket.once('close', (code: number, reason: Buffer) => this.#onSocketClosed(transport, code, reason.toString('utf8')));
    await confirmed;
    this.#scheduleLifetime();
  }

  /** Registered before connect: the SDK emits 'error' during connect too (an 'error' without a listener would throw in the socket handler). */
  #listen(session: RealtimeSession<unknown>): void {
    session.on('error', (e) => this.#onSessionError(e.error));
    // Nobody on a phone call can approve a tool: the agent definition's policy answers at once.
    session.on('tool_approval_requested', (_ctx, _agent, request) => void this.#approvals.answer(session, request));
    // The SDK cancels the response and drops later deltas; the audio already queued for the caller is
    // the call layer's: it flushes it and truncates the item at what was sent as RTP.
    session.on('guardrail_tripped', (_ctx, _agent, _error, details) => {
      if (this.state === 'ready' && this.#live?.session === session) this.emitEvent('interrupted', { reason: 'guardrail', itemId: details.itemId });
    });
  }

  protected sendCallerAudio(bytes: Uint8Array): boolean {
    return this.#live?.transport.sendCallerAudio(bytes) ?? false;
  }

  protected sendClientEvent(event: RealtimeClientEvent): void {
    if (this.state === 'ready') this.#live?.transport.sendIfConnected(event);
  }

  protected requestResponse(opts: { instructions?: string }): void {
    try {
      // The SDK's sequencer holds it until the previous response is done (no "active response" error).
      this.#live?.transport.requestResponse(opts.instructions === undefined ? undefined : { instructions: opts.instructions });
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'response.create not sent');
    }
  }

  protected applySessionUpdate(partial: Partial<RealtimeSessionConfig>, previous: RealtimeSessionConfig): void {
    const live = this.#live;
    const next = this.config;
    if (live === undefined || next === undefined) return;
    const voice = chooseVoice(live.agent, next);
    // The SDK re-sends options.config on every handoff: keep it in step with what we change now.
    live.sessionOptions.config = mergeSdkConfig(this.#opts.sessionOptions.config, toSdkSessionConfig(next, voice));
    if (this.state !== 'ready') return;

    const { instructions, tools, model, voice: askedVoice, ...audioAndTurn } = partial;
    // A partial GA session.update: the SDK's own updateSessionConfig would fill every absent field
    // with its defaults (24 kHz PCM, semantic VAD), breaking the phone leg.
    const wire = toPartialSessionPayload({ ...audioAndTurn, ...(askedVoice === undefined ? {} : { voice }) });
    if (Object.keys(wire).length > 1) live.transport.sendIfConnected({ type: 'session.update', session: wire });
    if (model !== undefined && model !== previous.model) this.logger.warn({ model }, 'the model cannot change during a session; ignored');
    if (tools !== undefined) {
      this.#tools.setTools(tools);
      live.overlays.refreshTools();
      // Re-prepares the current agent (tool dispatch table + instructions) and sends the session.update.
      // Side effect: the SDK emits agent_handoff from the current agent to itself.
      live.session.updateAgent(live.session.currentAgent as RealtimeAgent).catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'tool update failed'));
    } else if (instructions !== undefined) {
      void this.#sendInstructions(live);
    }
  }

  protected teardown(): Promise<void> {
    this.#clearLifetimeTimers();
    const spareSocket = this.#spare?.live.transport.connectionState.websocket;
    this.#dropSpare('call ended');
    this.#confirm?.reject(new RealtimeError('RT_ERR_CLOSED', 'closed while connecting', { fatal: true }));
    this.#confirm = undefined;
    this.#tools.close();
    const live = this.#live;
    const socket = live?.transport.connectionState.websocket;
    try {
      live?.session.close();
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'agents-sdk session close failed');
    }
    return Promise.all([waitForSocketClose(socket, this.clock, AGENTS_SDK_CLOSE_TIMEOUT_MS), waitForSocketClose(spareSocket, this.clock, AGENTS_SDK_CLOSE_TIMEOUT_MS)]).then(() => undefined);
  }

  // ---- connection -------------------------------------------------------------------------------

  async #loadAgent(config: Readonly<RealtimeSessionConfig>): Promise<RealtimeAgent> {
    let agent: unknown;
    try {
      agent = await this.#opts.loadAgent({ callId: this.#callId, logger: this.logger, session: config });
    } catch (err) {
      throw new RealtimeError('RT_ERR_CONFIG', `the agent could not be created: ${describeError(err)}`, { fatal: true, cause: err });
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

  #onSocketClosed(transport: PhoneCallTransport, code: number, reason: string): void {
    if (this.isClosed()) return; // our own close()
    if (this.#spare?.live.transport === transport) {
      this.logger.warn({ code, reason }, 'realtime renewal session lost before the swap');
      this.#spare = undefined;
      this.#retryRenewalLater();
      return;
    }
    if (this.#live?.transport !== transport) return; // a session we renewed away from
    const why = `socket closed (code ${code}${reason ? `, ${reason}` : ''})`;
    const confirm = this.#confirm;
    if (confirm !== undefined) {
      this.#confirm = undefined;
      confirm.reject(new RealtimeError('RT_ERR_CONNECT_FAILED', why, { fatal: true }));
      return;
    }
    this.logger.warn({ code, reason: excerpt(reason) }, 'realtime connection lost; the agents-sdk provider does not reconnect');
    this.endLiveTurn('connection_lost');
    this.emitFatal(new RealtimeError('RT_ERR_RECONNECT_EXHAUSTED', `${why}; the agents-sdk provider does not reconnect`, { fatal: true }));
    void this.close();
  }

  // ---- renewal before the provider's maximum session duration -----------------------------------

  /**
   * Timers of the live session's lifetime (core/session-lifetime.ts): a spare session opened before
   * `expires_at`, swapped in at a quiet moment (or regardless at the force point); none ready by the
   * give-up point: the backend ends itself, so the call is handed back politely (apology, ai_outcome,
   * BYE) instead of being cut off mid-sentence by the provider.
   */
  #scheduleLifetime(): void {
    this.#clearLifetimeTimers();
    this.#forcePassed = false;
    const expiresAt = this.#expiresAtMs;
    const plan = lifetimePlan(expiresAt === undefined ? undefined : expiresAt - this.clock.wallNow(), { renewAfterMs: DEFAULT_RENEW_AFTER_MS, renewDeadlineMs: DEFAULT_RENEW_DEADLINE_MS });
    this.#renewTimer = this.clock.setTimeout(() => {
      this.#renewTimer = undefined;
      void this.#startRenewal();
    }, plan.renewInMs);
    this.#forceTimer = this.clock.setTimeout(() => {
      this.#forceTimer = undefined;
      this.#forcePassed = true;
      this.#maybeSwap();
    }, plan.forceInMs);
    if (plan.giveUpInMs !== undefined) this.#giveUpTimer = this.clock.setTimeout(() => void this.#giveUp(), plan.giveUpInMs);
  }

  #clearLifetimeTimers(): void {
    for (const t of [this.#renewTimer, this.#forceTimer, this.#giveUpTimer]) this.clock.clearTimeout(t);
    this.#renewTimer = undefined;
    this.#forceTimer = undefined;
    this.#giveUpTimer = undefined;
  }

  async #giveUp(): Promise<void> {
    this.#giveUpTimer = undefined;
    await this.expireBeforeProvider(() => this.#dropSpare('renewal abandoned'));
  }

  /** A second SDK session on the current agent, configured in parallel (the conversation is carried over at the swap). */
  async #startRenewal(): Promise<void> {
    const live = this.#live;
    const config = this.config;
    if (this.state !== 'ready' || this.#spare !== undefined || live === undefined || config === undefined) return;
    const model = this.#opts.model ?? config.model;
    let expiresAtMs: number | undefined;
    let confirm: { resolve: () => void; reject: (e: RealtimeError) => void } | undefined;
    const confirmed = new Promise<void>((resolve, reject) => (confirm = { resolve, reject }));
    confirmed.catch(() => undefined);
    const transport = new PhoneCallTransport({
      model,
      backend: this.routerContext(),
      standby: true,
      events: {
        functionCallDone: (call) => this.#tools.noteCall(call.callId, { responseId: call.responseId, itemId: call.itemId }),
        onSessionConfirmed: () => confirm?.resolve(),
        onSessionRejected: (e) => confirm?.reject(new RealtimeError('RT_ERR_SESSION_REJECTED', `provider rejected the renewal session: ${e.message}`, { fatal: false })),
        cancelResponse: () => this.cancelResponse(),
        sessionCreated: (event) => {
          expiresAtMs = sessionExpiresAtMs(event, this.clock.wallNow());
        },
        quiet: () => this.#maybeSwap(),
      },
    });
    const sessionOptions: SessionOptions = { ...live.sessionOptions, transport, model };
    const session = new RealtimeSession<unknown>(live.session.currentAgent as RealtimeAgent, sessionOptions);
    this.#listen(session);
    const spare: Spare = { live: { ...live, session, transport, sessionOptions }, ready: false };
    this.#spare = spare;
    this.logger.info('realtime session renewal: opening a new session');
    try {
      await session.connect({ apiKey: this.#opts.apiKey, url: realtimeWebSocketUrl(this.#opts.baseURL, model) });
      transport.connectionState.websocket?.once('close', (code: number, reason: Buffer) => this.#onSocketClosed(transport, code, reason.toString('utf8')));
      await withTimeout(confirmed, this.clock, this.#opts.connectTimeoutMs);
    } catch (err) {
      if (this.#spare !== spare) return;
      this.#dropSpare('renewal failed');
      this.logger.warn({ err: describeError(err) }, 'realtime session renewal failed');
      this.#retryRenewalLater();
      return;
    }
    if (this.#spare !== spare || this.isClosed()) {
      closeQuietly(session, this.logger);
      return;
    }
    spare.ready = true;
    spare.expiresAtMs = expiresAtMs;
    this.#maybeSwap();
  }

  #retryRenewalLater(): void {
    if (this.state !== 'ready' || this.#renewTimer !== undefined || this.#giveUpTimer === undefined) return;
    this.#renewTimer = this.clock.setTimeout(() => {
      this.#renewTimer = undefined;
      void this.#startRenewal();
    }, RENEWAL_RETRY_MS);
  }

  /** Swaps the spare in at a quiet moment (no response, no caller speech, no tool waiting), or at the force point. */
  #maybeSwap(): void {
    const spare = this.#spare;
    const old = this.#live;
    if (spare === undefined || !spare.ready || old === undefined || this.state !== 'ready') return;
    const quiet = this.turn.quiet && this.#tools.pendingCount === 0;
    if (!quiet && !this.#forcePassed) return;
    this.#spare = undefined;
    // The conversation as it stands at the swap (a turn may have ended since the spare was ready).
    const carried = carryOverEvents(old.session.history);
    for (const event of carried) spare.live.transport.sendIfConnected(event);
    this.#live = spare.live;
    spare.live.transport.activate();
    this.endLiveTurn('session_renewed');
    this.#expiresAtMs = spare.expiresAtMs;
    this.counters.renewals++;
    this.logger.info({ carried: carried.length, quiet }, 'realtime session renewed');
    closeQuietly(old.session, this.logger);
    this.#scheduleLifetime();
  }

  #dropSpare(why: string): void {
    const spare = this.#spare;
    this.#spare = undefined;
    if (spare !== undefined) {
      this.logger.debug({ why }, 'realtime renewal session closed');
      closeQuietly(spare.live.session, this.logger);
    }
  }

  #onSessionError(error: unknown): void {
    if (isServerErrorEvent(error)) return; // already routed from the raw event (ga/event-router.ts)
    const message = describeError(error);
    this.logger.warn({ err: message }, 'agents-sdk session error');
    // While connecting, connect() reports the outcome; after close, nothing is emitted.
    if (this.state === 'ready') this.emitEvent('error', { code: AGENTS_SDK_SESSION_ERROR, message, fatal: false });
  }

  async #sendInstructions(live: Live): Promise<void> {
    try {
      const agent = live.session.currentAgent as RealtimeAgent;
      const instructions = await agent.getSystemPrompt(live.session.context);
      live.transport.sendIfConnected({ type: 'session.update', session: { type: 'realtime', instructions } });
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'instructions update failed');
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

/** Closes an SDK session; a failure is logged, never thrown (teardown and swaps go on). */
function closeQuietly(session: RealtimeSession<unknown>, logger: Logger): void {
  try {
    session.close();
  } catch (err) {
    logger.warn({ err: describeError(err) }, 'agents-sdk session close failed');
  }
}

/** `promise`, or a RealtimeError after `ms` on the injected clock. */
function withTimeout(promise: Promise<void>, clock: Clock, ms: number): Promise<void> {
  let timer: TimerId | undefined;
  const timeout = new Promise<void>((_resolve, reject) => {
    timer = clock.setTimeout(() => reject(new RealtimeError('RT_ERR_CONNECT_TIMEOUT', `renewal session not confirmed within ${ms} ms`, { fatal: false })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clock.clearTimeout(timer));
}
