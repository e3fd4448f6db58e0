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
 *   `audio_interrupted`, and the response is cancelled when the SDK asks for it (interrupt_response
 *   off, or a guardrail). The truncate comes from `truncate()`, which the call layer calls with the
 *   ms actually sent as RTP; the server's `conversation.item.truncated` then makes the SDK re-read
 *   the item, so its history holds only what the caller heard.
 * - Caller audio goes out as `input_audio_buffer.append`, the event the SDK's `sendAudio` sends,
 *   base64-encoded straight from the RTP payload (no ArrayBuffer copy).
 * - Every server event the SDK receives is also validated and routed to backend events
 *   (event-router.ts).
 */
import { OpenAIRealtimeWebSocket, type RealtimeClientMessage, type TransportLayerAudio } from '@openai/agents-realtime';
import type { Logger } from '../../log.js';
import { audioMs } from '../audio-format.js';
import type { RealtimeAudioFormat, RealtimeBackendStats } from '../backend.js';
import { parseServerEvent, summarizeRaw } from '../openai/server-events.js';
import { TurnState } from '../openai/turn-state.js';
import { routeSdkServerEvent, type SdkRouterContext } from './event-router.js';

/** Caller audio is dropped rather than queued once this much is stuck in the socket; bytes. */
const MAX_SOCKET_BACKLOG_BYTES = 1024 * 1024;
/** Unanswered session.updates remembered (a provider answers each; this only bounds a broken one). */
const MAX_PENDING_UPDATES = 32;

export interface PhoneCallTransportOptions {
  /** Model for the SDK's own bookkeeping (the URL names it too). */
  model: string;
  logger: Logger;
  /** Shared with the backend: this transport counts deltas, drops and server events into it. */
  stats: RealtimeBackendStats;
  /** The session's audio format (for ms <-> bytes when clamping truncates). */
  audioFormat: () => RealtimeAudioFormat;
  /** Where routed events go. */
  events: Pick<SdkRouterContext, 'emit' | 'noteFunctionCall'> & {
    /** The provider accepted the session.update that carried our configuration (the first with `audio`). */
    onSessionConfirmed(): void;
    /** The provider answered that session.update with an error. */
    onSessionRejected(error: { code?: string; message: string }): void;
  };
}

/** A session.update sent and not yet answered (the provider answers them in order). */
interface PendingUpdate {
  eventId: string;
  /** The update carrying our configuration, which connect() waits for. */
  config: boolean;
}

interface AudioDeltaHeader {
  type: 'response.output_audio.delta';
  item_id: string;
  content_index: number;
}

function isAudioDeltaHeader(raw: unknown): raw is AudioDeltaHeader {
  if (typeof raw !== 'object' || raw === null) return false;
  const r = raw as Record<string, unknown>;
  return r.type === 'response.output_audio.delta' && typeof r.item_id === 'string' && typeof r.content_index === 'number';
}

export class PhoneCallTransport extends OpenAIRealtimeWebSocket {
  /** Live response, cancelled responses, audio bytes received per item (bounded). */
  readonly turn = new TurnState();
  readonly #logger: Logger;
  readonly #stats: RealtimeBackendStats;
  readonly #audioFormat: () => RealtimeAudioFormat;
  readonly #router: SdkRouterContext;
  readonly #events: PhoneCallTransportOptions['events'];
  /** From the raw delta that the SDK is about to hand to _onAudio. */
  #deltaItemId = '';
  #deltaContentIndex = 0;
  readonly #pendingUpdates: PendingUpdate[] = [];
  #updateSeq = 0;
  #configSent = false;

  constructor(opts: PhoneCallTransportOptions) {
    super({ model: opts.model });
    this.#logger = opts.logger;
    this.#stats = opts.stats;
    this.#audioFormat = opts.audioFormat;
    this.#events = opts.events;
    this.#router = {
      emit: opts.events.emit,
      noteFunctionCall: opts.events.noteFunctionCall,
      onSessionUpdated: () => this.#onSessionUpdated(),
      onServerError: (e) => this.#onServerError(e),
      turn: this.turn,
      stats: opts.stats,
      logger: opts.logger,
    };
    // '*' carries every server event, before the SDK acts on it (and before _onAudio for a delta).
    this.on('*', (raw: unknown) => this.#onServerEvent(raw));
  }

  // ---- caller -> model ---------------------------------------------------------------------------

  /** Caller audio in the session format. False when it was not sent (socket not open or backlogged). */
  sendCallerAudio(bytes: Uint8Array): boolean {
    const state = this.connectionState;
    if (state.status !== 'connected' || state.websocket.bufferedAmount > MAX_SOCKET_BACKLOG_BYTES) return false;
    const audio = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    return this.#send({ type: 'input_audio_buffer.append', audio });
  }

  /**
   * Truncates an agent item at what the caller actually heard (ms sent as RTP), clamped to the audio
   * the provider sent for it (the provider rejects more). Items not seen on this session are ignored.
   */
  truncate(itemId: string, contentIndex: number, audioEndMs: number): void {
    const received = this.turn.itemAudioBytes(itemId);
    if (received === undefined) {
      this.#logger.debug({ itemId }, 'truncate for unknown item ignored');
      return;
    }
    const maxMs = Math.floor(audioMs(this.#audioFormat(), received));
    const heard = Number.isFinite(audioEndMs) ? audioEndMs : 0;
    const endMs = Math.min(maxMs, Math.max(0, Math.floor(heard)));
    this.#send({ type: 'conversation.item.truncate', item_id: itemId, content_index: contentIndex, audio_end_ms: endMs });
  }

  /** Without an id: the live response. Each response is cancelled at most once; later deltas are dropped. */
  cancelResponse(responseId?: string): void {
    const id = responseId ?? this.turn.activeResponseId;
    if (id === undefined || this.turn.isCancelled(id)) return;
    this.turn.markCancelled(id);
    // Only the live response can be cancelled; cancelling a finished one is a provider error.
    if (id === this.turn.activeResponseId) this.#send({ type: 'response.cancel', response_id: id });
  }

  /** A function output for a call the SDK does not own (the call layer answered an unknown call id). */
  sendFunctionOutputItem(callId: string, output: string): void {
    this.#send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } });
  }

  /** Sends a client event; false (logged) when the socket is gone, instead of the SDK's throw. */
  sendIfConnected(event: { type: string; [key: string]: unknown }): boolean {
    return this.#send(event);
  }

  // ---- SDK overrides -------------------------------------------------------------------------------

  /**
   * Every session.update (the SDK's and ours) gets an event_id and joins the answer queue, so the
   * session.updated (or error) that answers OUR configuration is told apart from the one answering
   * the SDK's tracing update, which the SDK sends as soon as session.created arrives, often first.
   */
  override sendEvent(event: RealtimeClientMessage): void {
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
      this.#stats.droppedEvents++;
      const message = err instanceof Error ? err.message : String(err);
      this.#logger.warn({ err: message.replace(/\s+/g, ' ').slice(0, 300) }, 'agents-sdk could not process a server event; skipped');
    }
  }

  protected override _onAudio(audioEvent: TransportLayerAudio): void {
    if (this.turn.isCancelled(audioEvent.responseId)) {
      this.#stats.lateDeltasDropped++;
      return;
    }
    super._onAudio(audioEvent);
    const audio = Buffer.from(audioEvent.data);
    const itemId = this.currentItemId ?? this.#deltaItemId;
    this.turn.addItemAudio(itemId, audio.length);
    this.#stats.deltasReceived++;
    this.#stats.deltaBytes += audio.length;
    this.#router.emit('audio', { responseId: audioEvent.responseId, itemId, contentIndex: this.#deltaContentIndex, audio });
  }

  /** See the file comment: no wall-clock truncate; the call layer's truncate() carries the RTP truth. */
  override _interrupt(_elapsedWallClockMs: number, cancelOngoingResponse = true): void {
    if (cancelOngoingResponse) this.cancelResponse();
    this.emit('audio_interrupted');
  }

  // ---- server events -------------------------------------------------------------------------------

  #onServerEvent(raw: unknown): void {
    try {
      if (isAudioDeltaHeader(raw)) {
        // The bytes come through _onAudio right after this (decoded once, by the SDK).
        this.#deltaItemId = raw.item_id;
        this.#deltaContentIndex = raw.content_index;
        return;
      }
      const parsed = parseServerEvent(raw);
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
      routeSdkServerEvent(parsed.event, this.#router);
    } catch (err) {
      // Never into the SDK's socket handler: a routing bug must not take the call down.
      this.#logger.error({ err: err instanceof Error ? err.message : String(err) }, 'agents-sdk: server event routing failed');
    }
  }

  #onSessionUpdated(): void {
    const answered = this.#pendingUpdates.shift();
    if (answered?.config === true) this.#events.onSessionConfirmed();
  }

  /** An error answering one of our session.updates takes it off the queue; true when it was the configuration. */
  #onServerError(e: { code?: string; message: string; eventId?: string }): boolean {
    const at = e.eventId === undefined ? -1 : this.#pendingUpdates.findIndex((u) => u.eventId === e.eventId);
    if (at < 0) return false;
    const [rejected] = this.#pendingUpdates.splice(at, 1);
    if (rejected?.config !== true) return false;
    this.#events.onSessionRejected(e);
    return true;
  }

  #send(event: { type: string; [key: string]: unknown }): boolean {
    if (this.connectionState.status !== 'connected') {
      this.#logger.debug({ type: event.type }, 'realtime event not sent: socket not open');
      return false;
    }
    try {
      this.sendEvent(event);
      return true;
    } catch (err) {
      this.#logger.warn({ type: event.type, err: err instanceof Error ? err.message : String(err) }, 'realtime event not sent');
      return false;
    }
  }
}
