/**
 * The Agents SDK's WebSocket transport, bent to a phone call (as Twilio's transport in
 * @openai/agents-extensions bends it to Twilio Media Streams):
 *
 * - Output audio (`_onAudio`) still reaches the SDK session (its `audio` / `audio_start` events), and
 *   goes to the call's paced RTP queue as the backend's `audio` events, in arrival order, tagged
 *   with item and content index. Audio of responses we cancelled is dropped (it was in flight).
 * - Interruption (`_interrupt`): the SDK calls it on `speech_started` (and on a guardrail trip) with
 *   a WALL-CLOCK estimate of what was played (now - first delta). On a phone call that estimate is
 *   wrong both ways: deltas arrive faster than real time, and the RTP queue is flushed only when the
 *   call layer barges in. So this override sends no truncate. The SDK still emits
 *   `audio_interrupted`, and the response is cancelled (through the backend, so at most once) when
 *   the SDK asks for it (interrupt_response off, or a guardrail). The truncate comes from the
 *   backend's `truncate()`, which the call layer calls with the ms actually sent as RTP; the
 *   server's `conversation.item.truncated` then makes the SDK re-read the item, so its history holds
 *   only what the caller heard.
 * - Caller audio goes out as `input_audio_buffer.append`, the event the SDK's `sendAudio` sends,
 *   base64-encoded straight from the RTP payload (no ArrayBuffer copy).
 * - Every server event the SDK receives is also validated and routed to backend events by the shared
 *   GA boundary and router (ga/server-events.ts, ga/event-router.ts), as the openai provider's are.
 */
import { OpenAIRealtimeWebSocket, type RealtimeClientMessage, type TransportLayerAudio } from '@openai/agents-realtime';
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import { MAX_SOCKET_BACKLOG_BYTES } from '../core/backend-core.js';
import { inputAudioAppend } from '../ga/client-events.js';
import { GaEventRouter, type GaRouterContext, type GaRouterHooks, type ServerErrorDetails } from '../ga/event-router.js';
import { parseServerEvent } from '../ga/server-events.js';
import { describeError } from '../../describe-error.js';

/** Unanswered session.updates remembered (a provider answers each; this only bounds a broken one). */
const MAX_PENDING_UPDATES = 32;

export interface PhoneCallTransportOptions {
  /** Model for the SDK's own bookkeeping (the URL names it too). */
  model: string;
  /** The backend's turn, stats, logger and emit, which the GA event router writes to. */
  backend: GaRouterContext;
  /** Where this transport's own findings go. */
  events: Pick<GaRouterHooks, 'functionCallDone'> & {
    /** The provider accepted the session.update that carried our configuration (the first with `audio`). */
    onSessionConfirmed(): void;
    /** The provider answered that session.update with an error. */
    onSessionRejected(error: ServerErrorDetails): void;
    /** The SDK wants the live response cancelled (interruption with interrupt_response off, a guardrail). */
    cancelResponse(): void;
    /** Routing a server event threw: the backend ends itself (its core's contain()); optional for tests. */
    routingFailed?(err: unknown): void;
    /** The provider's session.created (its `expires_at` says when the provider will end the session). */
    sessionCreated(event: unknown): void;
    /** No response in progress and the caller not speaking (a moment to swap sessions). */
    quiet?(): void;
  };
  /**
   * A renewal's spare session: until `activate()` only the answers to our session.updates are routed
   * (the live session still serves the call); the SDK itself sees everything, so its history fills.
   */
  standby?: boolean;
}

/** A session.update sent and not yet answered (the provider answers them in order). */
interface PendingUpdate {
  eventId: string;
  /** The update carrying our configuration, which connect() waits for. */
  config: boolean;
}

export class PhoneCallTransport extends OpenAIRealtimeWebSocket {
  readonly #backend: GaRouterContext;
  readonly #router: GaEventRouter;
  readonly #events: PhoneCallTransportOptions['events'];
  /** From the raw delta that the SDK is about to hand to _onAudio. */
  #deltaItemId = '';
  #deltaContentIndex = 0;
  readonly #pendingUpdates: PendingUpdate[] = [];
  #updateSeq = 0;
  #configSent = false;
  #standby: boolean;

  constructor(opts: PhoneCallTransportOptions) {
    super({ model: opts.model });
    this.#backend = opts.backend;
    this.#events = opts.events;
    this.#standby = opts.standby ?? false;
    this.#router = new GaEventRouter(opts.backend, {
      functionCallDone: opts.events.functionCallDone,
      sessionUpdated: () => this.#onSessionUpdated(),
      serverError: (e) => this.#onServerError(e),
      quiet: () => this.#events.quiet?.(),
    });
    // '*' carries every server event, before the SDK acts on it (and before _onAudio for a delta).
    this.on('*', (raw: unknown) => this.#onServerEvent(raw));
  }

  /** The spare becomes the call's session: from now on every event is routed. */
  activate(): void {
    this.#standby = false;
  }

  // ---- caller -> model ---------------------------------------------------------------------------

  /** Caller audio in the session format. False when it was not sent (socket not open or backlogged). */
  sendCallerAudio(bytes: Uint8Array): boolean {
    const state = this.connectionState;
    if (state.status !== 'connected' || state.websocket.bufferedAmount > MAX_SOCKET_BACKLOG_BYTES) return false;
    return this.#send(inputAudioAppend(bytes));
  }

  /** A function output for a call the SDK does not own (the call layer answered an unknown call id). */
  sendFunctionOutputItem(callId: string, output: string): void {
    this.#send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } });
  }

  /** Sends a client event; false (logged) when the socket is gone, instead of the SDK's throw. */
  sendIfConnected(event: RealtimeClientEvent | RealtimeClientMessage): boolean {
    return this.#send(event);
  }

  // ---- SDK overrides -------------------------------------------------------------------------------

  /**
   * Every session.update (the SDK's and ours) gets an event_id and joins the answer queue, so the
   * session.updated (or error) that answers OUR configuration is told apart from the one answering
   * the SDK's tracing update, which the SDK sends as soon as session.created arrives, often first.
   */
  override sendEvent(event: RealtimeClientMessage): void {
    if (event.type === 'response.cancel') {
      // The SDK's own cancel (a text guardrail trip) goes through the backend, so it is sent at most once.
      this.#events.cancelResponse();
      return;
    }
    if (event.type !== 'session.update') {
      super.sendEvent(event);
      return;
    }
    const eventId = typeof event.event_id === 'string' ? event.event_id : `gw_session_update_${++this.#updateSeq}`;
    const session: unknown = event.session;
    const config = !this.#configSent && typeof session === 'object' && session !== null && 'audio' in session;
    if (config) this.#configSent = true;
    super.sendEvent({ ...event, event_id: eventId });
    this.#pendingUpdates.push({ eventId, config });
    if (this.#pendingUpdates.length > MAX_PENDING_UPDATES) this.#pendingUpdates.shift();
  }

  /**
   * The SDK's message handler, guarded: its own item parsing throws on a server item that does not
   * match its schema, and a throw here would escape from the socket's event handler and end the
   * process (every call). The event was already routed to the gateway through '*'.
   */
  protected override _onMessage(event: Parameters<OpenAIRealtimeWebSocket['_onMessage']>[0]): void {
    try {
      super._onMessage(event);
    } catch (err) {
      this.#backend.stats.droppedEvents++;
      this.#backend.logger.warn({ err: describeError(err).replace(/\s+/g, ' ').slice(0, 300) }, 'agents-sdk could not process a server event; skipped');
    }
  }

  protected override _onAudio(audioEvent: TransportLayerAudio): void {
    if (this.#standby || this.#router.isLate(audioEvent.responseId)) return;
    super._onAudio(audioEvent);
    const itemId = this.currentItemId ?? this.#deltaItemId;
    this.#router.deliverAudio(audioEvent.responseId, itemId, this.#deltaContentIndex, Buffer.from(audioEvent.data));
  }

  /** See the file comment: no wall-clock truncate; the call layer's truncate() carries the RTP truth. */
  override _interrupt(_elapsedWallClockMs: number, cancelOngoingResponse = true): void {
    if (cancelOngoingResponse) this.#events.cancelResponse();
    this.emit('audio_interrupted');
  }

  // ---- server events -------------------------------------------------------------------------------

  #onServerEvent(raw: unknown): void {
    try {
      const evt = this.#router.screen(parseServerEvent(raw));
      if (evt === undefined) return;
      if (evt.type === 'session.created') this.#events.sessionCreated(evt);
      if (this.#standby) {
        if (evt.type === 'session.updated' || evt.type === 'error') this.#router.route(evt);
        return;
      }
      if (evt.type === 'response.output_audio.delta') {
        // The bytes come through _onAudio right after this (decoded once, by the SDK).
        this.#deltaItemId = evt.item_id;
        this.#deltaContentIndex = evt.content_index;
        return;
      }
      this.#router.route(evt);
    } catch (err) {
      // Never into the SDK's socket handler (that would reach the process handler): the backend
      // decides, and ends this session only (fatal RT_ERR_INTERNAL, the call's AI-lost policy).
      if (this.#events.routingFailed !== undefined) this.#events.routingFailed(err);
      else this.#backend.logger.error({ err: describeError(err) }, 'agents-sdk: server event routing failed');
    }
  }

  #onSessionUpdated(): void {
    const answered = this.#pendingUpdates.shift();
    if (answered?.config === true) this.#events.onSessionConfirmed();
  }

  /** An error answering one of our session.updates takes it off the queue; true when it was the configuration. */
  #onServerError(e: ServerErrorDetails): boolean {
    const at = e.eventId === undefined ? -1 : this.#pendingUpdates.findIndex((u) => u.eventId === e.eventId);
    if (at < 0) return false;
    const [rejected] = this.#pendingUpdates.splice(at, 1);
    if (rejected?.config !== true) return false;
    this.#events.onSessionRejected(e);
    return true;
  }

  #send(event: RealtimeClientEvent | RealtimeClientMessage): boolean {
    if (this.connectionState.status !== 'connected') {
      this.#backend.logger.debug({ type: event.type }, 'realtime event not sent: socket not open');
      return false;
    }
    try {
      // The GA event types are interfaces, which TS does not see as index-signature objects.
      // Our own response.cancel (from the backend, already deduplicated) skips the SDK's interception.
      if (event.type === 'response.cancel') super.sendEvent(event as RealtimeClientMessage);
      else this.sendEvent(event as RealtimeClientMessage);
      return true;
    } catch (err) {
      this.#backend.logger.warn({ type: event.type, err: describeError(err) }, 'realtime event not sent');
      return false;
    }
  }
}
