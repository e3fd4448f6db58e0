/**
 * GA server events -> backend events, with the bookkeeping each implies (turn state, stats), once for
 * both providers. What differs between them is who keeps the conversation and who runs tools, so
 * those are hooks:
 * - the openai provider keeps a conversation log for replay (`conversation`), swaps sessions at quiet
 *   moments (`quiet`) and hands function calls to the call layer (`functionCallDone` emits);
 * - the agents-sdk provider lets the SDK keep the history and run tools (`functionCallDone` only
 *   notes the ids), and matches session.update answers itself (`sessionUpdated`, `serverError`).
 * Only events of the live session get here; sockets, replay and renewal stay with the providers.
 */
import { excerpt } from '../../describe-error.js';
import type { Logger } from '../../log.js';
import { audioMs } from '../audio-format.js';
import type { RealtimeAudioFormat, RealtimeBackendEvents, RealtimeBackendStats, RealtimeRateLimit } from '../backend.js';
import type { ConsumedServerEvent, ParsedServerEvent, WireItem } from './server-events.js';
import { summarizeRaw } from './server-events.js';
import type { TranscriptBudget } from './transcript-budget.js';
import type { TurnState } from './turn-state.js';

export type EmitBackendEvent = <K extends keyof RealtimeBackendEvents>(event: K, ...args: RealtimeBackendEvents[K]) => void;

export type FunctionCallDone = RealtimeBackendEvents['functionCall'][0];

export interface ServerErrorDetails {
  code?: string;
  message: string;
  eventId?: string;
}

/** Keeps the conversation as the server reports it (the openai provider's replay log). */
export interface ConversationObserver {
  noteItem(item: WireItem): void;
  appendText(itemId: string, delta: string): void;
  setText(itemId: string, text: string, role: 'user' | 'assistant'): void;
  truncate(itemId: string, audioEndMs: number, receivedAudioMs: number): void;
}

/** What a provider owns and the router writes to. */
export interface GaRouterContext {
  turn: TurnState;
  /** Caps on transcript text (per item, per call); its drops are counted in stats. */
  transcripts: TranscriptBudget;
  stats: RealtimeBackendStats;
  logger: Logger;
  emit: EmitBackendEvent;
  audioFormat(): RealtimeAudioFormat | undefined;
}

export interface GaRouterHooks {
  conversation?: ConversationObserver;
  /** The arguments of a function call are complete. */
  functionCallDone(call: FunctionCallDone): void;
  /** The provider accepted a session.update (they are answered in order). */
  sessionUpdated?(): void;
  /** A server `error` event; true when the provider consumed it (it rejected its configuration). */
  serverError?(error: ServerErrorDetails): boolean;
  /** A response ended or the caller stopped speaking. */
  quiet?(): void;
}

export class GaEventRouter {
  readonly #ctx: GaRouterContext;
  readonly #hooks: GaRouterHooks;

  constructor(ctx: GaRouterContext, hooks: GaRouterHooks) {
    this.#ctx = ctx;
    this.#hooks = hooks;
  }

  /** Counts and logs what failed the boundary; the event to act on otherwise (ignored ones: none). */
  screen(parsed: ParsedServerEvent): ConsumedServerEvent | undefined {
    if (parsed.kind === 'event') return parsed.event;
    if (parsed.kind === 'ignored') return undefined;
    this.#ctx.stats.droppedEvents++;
    const level = parsed.kind === 'invalid' ? 'warn' : 'debug';
    this.#ctx.logger[level](
      { type: parsed.type, ...(parsed.kind === 'invalid' ? { issues: parsed.issues } : {}), raw: summarizeRaw(parsed.raw) },
      `realtime server event ${parsed.kind}`,
    );
    return undefined;
  }

  /** Audio of a response we cancelled (it was in flight): counted; the caller drops it. */
  isLate(responseId: string): boolean {
    if (!this.#ctx.turn.isCancelled(responseId)) return false;
    this.#ctx.stats.lateDeltasDropped++;
    return true;
  }

  /**
   * Decoded output audio of a live response, to the call layer in arrival order. Audio for an item
   * the service never announced (no response.output_item.added) is dropped and counted: the call
   * plays only what belongs to a response it knows.
   */
  deliverAudio(responseId: string, itemId: string, contentIndex: number, audio: Buffer): void {
    const { turn, stats } = this.#ctx;
    if (!turn.isAnnounced(itemId)) {
      if (stats.unknownItemDeltasDropped++ === 0) this.#ctx.logger.warn({ itemId: excerpt(itemId, 64), responseId: excerpt(responseId, 64) }, 'realtime audio for an unannounced item dropped');
      return;
    }
    turn.addItemAudio(itemId, audio.length);
    stats.deltasReceived++;
    stats.deltaBytes += audio.length;
    this.#ctx.emit('audio', { responseId, itemId, contentIndex, audio });
  }

  route(evt: ConsumedServerEvent): void {
    const { turn, emit } = this.#ctx;
    const log = this.#hooks.conversation;
    switch (evt.type) {
      case 'session.created':
        return;
      case 'session.updated':
        this.#hooks.sessionUpdated?.();
        return;
      case 'error':
        this.#serverError(evt.error);
        return;
      case 'rate_limits.updated': {
        const limits = toRateLimits(evt.rate_limits);
        this.#ctx.stats.lastRateLimits = limits;
        emit('rateLimits', limits);
        return;
      }
      case 'input_audio_buffer.speech_started':
        turn.speaking = true;
        emit('speechStarted', { audioStartMs: evt.audio_start_ms, itemId: evt.item_id });
        return;
      case 'input_audio_buffer.speech_stopped':
        turn.speaking = false;
        emit('speechStopped', { audioEndMs: evt.audio_end_ms, itemId: evt.item_id });
        this.#hooks.quiet?.();
        return;
      case 'response.output_item.added':
        if (evt.item.id !== undefined) turn.announceItem(evt.item.id);
        log?.noteItem(evt.item);
        return;
      case 'conversation.item.added':
      case 'conversation.item.done':
      case 'response.output_item.done':
        log?.noteItem(evt.item);
        return;
      case 'conversation.item.truncated': {
        if (log !== undefined) {
          const format = this.#ctx.audioFormat();
          const received = format === undefined ? 0 : audioMs(format, turn.itemAudioBytes(evt.item_id) ?? 0);
          log.truncate(evt.item_id, evt.audio_end_ms, received);
        }
        emit('truncated', { itemId: evt.item_id, audioEndMs: evt.audio_end_ms });
        return;
      }
      case 'conversation.item.input_audio_transcription.delta': {
        const text = this.#admitDelta(evt.item_id, evt.delta ?? '');
        if (text) emit('transcript', { role: 'user', itemId: evt.item_id, text, final: false });
        return;
      }
      case 'conversation.item.input_audio_transcription.completed': {
        const text = this.#admitFinal(evt.item_id, evt.transcript);
        log?.setText(evt.item_id, text, 'user');
        emit('transcript', { role: 'user', itemId: evt.item_id, text, final: true });
        return;
      }
      case 'conversation.item.input_audio_transcription.failed': {
        const message = excerpt(evt.error.message ?? 'transcription failed');
        this.#ctx.logger.info({ itemId: excerpt(evt.item_id, 64), code: evt.error.code, message }, 'caller speech not transcribed');
        emit('transcriptionFailed', { itemId: evt.item_id, message, ...(evt.error.code ? { code: evt.error.code } : {}) });
        return;
      }
      case 'input_audio_buffer.timeout_triggered':
        emit('inputTimeout', { itemId: evt.item_id, audioStartMs: evt.audio_start_ms, audioEndMs: evt.audio_end_ms });
        return;
      case 'response.created':
        turn.activeResponseId = evt.response.id;
        emit('responseStarted', { responseId: evt.response.id });
        return;
      case 'response.output_audio.delta':
        // The agents-sdk transport takes deltas before routing (the SDK decodes them once, for both).
        if (!this.isLate(evt.response_id)) this.deliverAudio(evt.response_id, evt.item_id, evt.content_index, Buffer.from(evt.delta, 'base64'));
        return;
      case 'response.output_audio.done':
        if (!turn.isCancelled(evt.response_id)) emit('audioDone', { responseId: evt.response_id, itemId: evt.item_id });
        return;
      case 'response.output_audio_transcript.delta':
      case 'response.output_text.delta': {
        const text = this.#admitDelta(evt.item_id, evt.delta);
        if (text === '') return;
        log?.appendText(evt.item_id, text);
        emit('transcript', { role: 'assistant', itemId: evt.item_id, text, final: false });
        return;
      }
      case 'response.output_audio_transcript.done':
      case 'response.output_text.done': {
        const text = this.#admitFinal(evt.item_id, evt.type === 'response.output_text.done' ? evt.text : evt.transcript);
        log?.setText(evt.item_id, text, 'assistant');
        emit('transcript', { role: 'assistant', itemId: evt.item_id, text, final: true });
        return;
      }
      case 'response.function_call_arguments.done':
        log?.noteItem({ id: evt.item_id, type: 'function_call', call_id: evt.call_id, name: evt.name, arguments: evt.arguments });
        this.#hooks.functionCallDone({ callId: evt.call_id, name: evt.name, arguments: evt.arguments, responseId: evt.response_id, itemId: evt.item_id });
        return;
      case 'response.done': {
        const r = evt.response;
        turn.responseDone(r.id);
        emit('responseDone', {
          responseId: r.id,
          status: r.status ?? 'completed',
          ...(r.status_details === undefined ? {} : { statusDetails: r.status_details }),
          ...(r.usage === undefined ? {} : { usage: r.usage }),
        });
        this.#hooks.quiet?.();
        return;
      }
      default: {
        const unhandled: never = evt;
        void unhandled; // compile-time: every consumed event type has a case
      }
    }
  }

  #admitDelta(itemId: string, delta: string): string {
    const text = this.#ctx.transcripts.admitDelta(itemId, delta);
    if (text.length < delta.length) this.#noteDropped(itemId);
    return text;
  }

  #admitFinal(itemId: string, final: string): string {
    const text = this.#ctx.transcripts.admitFinal(itemId, final);
    if (text.length < final.length) this.#noteDropped(itemId);
    return text;
  }

  /** Counted on every drop, logged on the first of the call. */
  #noteDropped(itemId: string): void {
    const { stats, transcripts } = this.#ctx;
    const first = stats.transcriptCharsDropped === 0;
    stats.transcriptCharsDropped = transcripts.dropped;
    if (first) this.#ctx.logger.warn({ itemId: excerpt(itemId, 64), dropped: transcripts.dropped }, 'realtime transcript over its cap: the rest is dropped');
  }

  #serverError(e: Extract<ConsumedServerEvent, { type: 'error' }>['error']): void {
    this.#ctx.stats.serverErrors++;
    this.#ctx.logger.warn(
      { code: remote(e.code, 64), type: excerpt(e.type, 64), param: remote(e.param, 128), eventId: remote(e.event_id, 64), message: excerpt(e.message) },
      'realtime server error',
    );
    const details: ServerErrorDetails = { message: e.message, ...(e.code ? { code: e.code } : {}), ...(e.event_id ? { eventId: e.event_id } : {}) };
    if (this.#hooks.serverError?.(details) === true) return;
    this.#ctx.emit('error', { ...details, fatal: false });
  }
}

/** GA `rate_limits.updated` entries, with the optional fields made definite. */
export function toRateLimits(
  limits: ReadonlyArray<{ name?: string | undefined; limit?: number | undefined; remaining?: number | undefined; reset_seconds?: number | undefined }>,
): RealtimeRateLimit[] {
  return limits.map((r) => ({ name: r.name ?? 'unknown', limit: r.limit ?? 0, remaining: r.remaining ?? 0, resetSeconds: r.reset_seconds ?? 0 }));
}

/** An optional remote string, cut for a log line. */
function remote(text: string | null | undefined, max: number): string | null | undefined {
  return typeof text === 'string' ? excerpt(text, max) : text;
}
