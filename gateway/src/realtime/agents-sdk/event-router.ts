/**
 * Server events (as the SDK transport received them) -> the gateway's backend events. The same GA
 * events, validated by the same boundary parser, as the openai provider; what differs is who acts:
 * - conversation items, tool calls and history are the SDK's business (RealtimeSession keeps the
 *   history, runs the agent's tools and handoffs), so item events only feed our bookkeeping;
 * - `response.function_call_arguments.done` never becomes `functionCall` here: gateway tools reach the
 *   call layer from their SDK tool's execute (gateway-tools.ts), the agent's own tools not at all;
 * - output audio bytes arrive through the transport's `_onAudio` (decoded once, by the SDK).
 */
import { toRateLimits } from '../backend-stats.js';
import type { Logger } from '../../log.js';
import type { RealtimeBackendEvents, RealtimeBackendStats } from '../backend.js';
import type { ConsumedServerEvent } from '../openai/server-events.js';
import type { TurnState } from '../openai/turn-state.js';

export type Emit = <K extends keyof RealtimeBackendEvents>(event: K, ...args: RealtimeBackendEvents[K]) => void;

export interface FunctionCallIds {
  responseId: string;
  itemId: string;
}

export interface SdkRouterContext {
  turn: TurnState;
  stats: RealtimeBackendStats;
  logger: Logger;
  emit: Emit;
  /** The provider accepted a session.update (they are answered in order). */
  onSessionUpdated(): void;
  /** A server `error` event. Returns true when it was consumed (it rejected our session configuration). */
  onServerError(error: { code?: string; message: string; eventId?: string }): boolean;
  /** Ids of a function call, so a gateway tool's functionCall event can name them. */
  noteFunctionCall(callId: string, ids: FunctionCallIds): void;
}

export function routeSdkServerEvent(evt: ConsumedServerEvent, ctx: SdkRouterContext): void {
  switch (evt.type) {
    case 'session.created':
      return;
    case 'session.updated':
      ctx.onSessionUpdated();
      return;
    case 'error': {
      ctx.stats.serverErrors++;
      const e = evt.error;
      const details = { message: e.message, ...(e.code ? { code: e.code } : {}), ...(e.event_id ? { eventId: e.event_id } : {}) };
      ctx.logger.warn({ code: e.code, type: e.type, param: e.param, eventId: e.event_id, message: e.message }, 'realtime server error');
      if (ctx.onServerError(details)) return;
      ctx.emit('error', { ...details, fatal: false });
      return;
    }
    case 'rate_limits.updated': {
      const limits = toRateLimits(evt.rate_limits);
      ctx.stats.lastRateLimits = limits;
      ctx.emit('rateLimits', limits);
      return;
    }
    case 'input_audio_buffer.speech_started':
      ctx.turn.speaking = true;
      ctx.emit('speechStarted', { audioStartMs: evt.audio_start_ms, itemId: evt.item_id });
      return;
    case 'input_audio_buffer.speech_stopped':
      ctx.turn.speaking = false;
      ctx.emit('speechStopped', { audioEndMs: evt.audio_end_ms, itemId: evt.item_id });
      return;
    case 'conversation.item.added':
    case 'conversation.item.done':
    case 'response.output_item.added':
    case 'response.output_item.done':
      // The SDK's RealtimeSession keeps the conversation; nothing to replay (no reconnects here).
      return;
    case 'conversation.item.truncated':
      ctx.emit('truncated', { itemId: evt.item_id, audioEndMs: evt.audio_end_ms });
      return;
    case 'conversation.item.input_audio_transcription.delta':
      if (evt.delta) ctx.emit('transcript', { role: 'user', itemId: evt.item_id, text: evt.delta, final: false });
      return;
    case 'conversation.item.input_audio_transcription.completed':
      ctx.emit('transcript', { role: 'user', itemId: evt.item_id, text: evt.transcript, final: true });
      return;
    case 'response.created':
      ctx.turn.activeResponseId = evt.response.id;
      ctx.emit('responseStarted', { responseId: evt.response.id });
      return;
    case 'response.output_audio.delta':
      // Handled before routing (PhoneCallTransport): the SDK decodes the bytes and calls _onAudio.
      return;
    case 'response.output_audio.done':
      if (!ctx.turn.isCancelled(evt.response_id)) ctx.emit('audioDone', { responseId: evt.response_id, itemId: evt.item_id });
      return;
    case 'response.output_audio_transcript.delta':
    case 'response.output_text.delta':
      ctx.emit('transcript', { role: 'assistant', itemId: evt.item_id, text: evt.delta, final: false });
      return;
    case 'response.output_audio_transcript.done':
    case 'response.output_text.done': {
      const text = evt.type === 'response.output_text.done' ? evt.text : evt.transcript;
      ctx.emit('transcript', { role: 'assistant', itemId: evt.item_id, text, final: true });
      return;
    }
    case 'response.function_call_arguments.done':
      ctx.noteFunctionCall(evt.call_id, { responseId: evt.response_id, itemId: evt.item_id });
      return;
    case 'response.done': {
      const r = evt.response;
      ctx.turn.responseDone(r.id);
      ctx.emit('responseDone', {
        responseId: r.id,
        status: r.status ?? 'completed',
        ...(r.status_details === undefined ? {} : { statusDetails: r.status_details }),
        ...(r.usage === undefined ? {} : { usage: r.usage }),
      });
      return;
    }
    default: {
      const unhandled: never = evt;
      void unhandled; // compile-time: every consumed event type has a case
    }
  }
}
