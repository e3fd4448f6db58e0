/**
 * GA server events -> backend events, plus the bookkeeping each implies (turn state, conversation log,
 * stats). Only events of the live session get here; the backend's lifecycle (sockets, replay,
 * renewal) stays in openai-backend.ts.
 */
import { toRateLimits } from '../backend-stats.js';
import type { Logger } from '../../log.js';
import { audioMs } from '../audio-format.js';
import type { RealtimeAudioFormat, RealtimeBackendEvents, RealtimeBackendStats } from '../backend.js';
import type { ConversationLog } from './conversation-log.js';
import type { ConsumedServerEvent } from './server-events.js';
import type { TurnState } from './turn-state.js';

export type Emit = <K extends keyof RealtimeBackendEvents>(event: K, ...args: RealtimeBackendEvents[K]) => void;

export interface RouterContext {
  turn: TurnState;
  log: ConversationLog;
  stats: RealtimeBackendStats;
  logger: Logger;
  audioFormat: () => RealtimeAudioFormat | undefined;
  emit: Emit;
  /** A response ended or the caller stopped: a pending session swap may go ahead. */
  onQuietChance: () => void;
}

export function routeServerEvent(evt: ConsumedServerEvent, ctx: RouterContext): void {
  switch (evt.type) {
    case 'session.created':
    case 'session.updated':
      return;
    case 'error': {
      ctx.stats.serverErrors++;
      const e = evt.error;
      ctx.logger.warn({ code: e.code, type: e.type, param: e.param, eventId: e.event_id, message: e.message }, 'realtime server error');
      ctx.emit('error', {
        message: e.message,
        fatal: false,
        ...(e.code ? { code: e.code } : {}),
        ...(e.event_id ? { eventId: e.event_id } : {}),
      });
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
      ctx.onQuietChance();
      return;
    case 'conversation.item.added':
    case 'conversation.item.done':
    case 'response.output_item.added':
    case 'response.output_item.done':
      ctx.log.noteItem(evt.item);
      return;
    case 'conversation.item.truncated': {
      const bytes = ctx.turn.itemAudioBytes(evt.item_id) ?? 0;
      const format = ctx.audioFormat();
      ctx.log.truncate(evt.item_id, evt.audio_end_ms, format === undefined ? 0 : audioMs(format, bytes));
      ctx.emit('truncated', { itemId: evt.item_id, audioEndMs: evt.audio_end_ms });
      return;
    }
    case 'conversation.item.input_audio_transcription.delta':
      if (evt.delta) ctx.emit('transcript', { role: 'user', itemId: evt.item_id, text: evt.delta, final: false });
      return;
    case 'conversation.item.input_audio_transcription.completed':
      ctx.log.setText(evt.item_id, evt.transcript, 'user');
      ctx.emit('transcript', { role: 'user', itemId: evt.item_id, text: evt.transcript, final: true });
      return;
    case 'response.created':
      ctx.turn.activeResponseId = evt.response.id;
      ctx.emit('responseStarted', { responseId: evt.response.id });
      return;
    case 'response.output_audio.delta': {
      if (ctx.turn.isCancelled(evt.response_id)) {
        ctx.stats.lateDeltasDropped++;
        return;
      }
      const audio = Buffer.from(evt.delta, 'base64');
      ctx.turn.addItemAudio(evt.item_id, audio.length);
      ctx.stats.deltasReceived++;
      ctx.stats.deltaBytes += audio.length;
      ctx.emit('audio', { responseId: evt.response_id, itemId: evt.item_id, contentIndex: evt.content_index, audio });
      return;
    }
    case 'response.output_audio.done':
      if (!ctx.turn.isCancelled(evt.response_id)) ctx.emit('audioDone', { responseId: evt.response_id, itemId: evt.item_id });
      return;
    case 'response.output_audio_transcript.delta':
    case 'response.output_text.delta':
      ctx.log.appendText(evt.item_id, evt.delta);
      ctx.emit('transcript', { role: 'assistant', itemId: evt.item_id, text: evt.delta, final: false });
      return;
    case 'response.output_audio_transcript.done':
    case 'response.output_text.done': {
      const text = evt.type === 'response.output_text.done' ? evt.text : evt.transcript;
      ctx.log.setText(evt.item_id, text, 'assistant');
      ctx.emit('transcript', { role: 'assistant', itemId: evt.item_id, text, final: true });
      return;
    }
    case 'response.function_call_arguments.done':
      ctx.log.noteItem({ id: evt.item_id, type: 'function_call', call_id: evt.call_id, name: evt.name, arguments: evt.arguments });
      ctx.emit('functionCall', { callId: evt.call_id, name: evt.name, arguments: evt.arguments, responseId: evt.response_id, itemId: evt.item_id });
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
      ctx.onQuietChance();
      return;
    }
    default: {
      const unhandled: never = evt;
      void unhandled; // compile-time: every consumed event type has a case
    }
  }
}
