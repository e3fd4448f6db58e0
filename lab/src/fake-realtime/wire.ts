/**
 * The fake's conversation items and their GA wire form (`ConversationItem`, `RealtimeResponse`).
 * Pure: building events is the session's and responder's business.
 */
import type { ConversationItem, RealtimeAudioFormats, RealtimeResponse } from 'openai/resources/realtime/realtime';
import type { RealtimeAudioFormat } from 'connect-realtime-gateway';

export interface FakeItem {
  id: string;
  type: ConversationItem['type'];
  role?: 'user' | 'assistant' | 'system';
  status: 'completed' | 'incomplete' | 'in_progress';
  /** Text, or the transcript of an audio item (cut on truncation, like the service). */
  text: string;
  hasAudio: boolean;
  /** Format the item's audio was sent in (agent items). */
  audioFormat?: RealtimeAudioFormat;
  audioSentBytes: number;
  callId?: string;
  name?: string;
  arguments?: string;
  output?: string;
}

export function formatOf(f: RealtimeAudioFormats | undefined): RealtimeAudioFormat {
  if (f?.type === 'audio/pcmu') return 'pcmu';
  if (f?.type === 'audio/pcma') return 'pcma';
  return 'pcm16';
}

export function toWireItem(item: FakeItem): ConversationItem {
  const common = { id: item.id, object: 'realtime.item' as const, status: item.status };
  switch (item.type) {
    case 'function_call':
      return { ...common, type: 'function_call', call_id: item.callId ?? '', name: item.name ?? '', arguments: item.arguments ?? '' };
    case 'function_call_output':
      return { ...common, type: 'function_call_output', call_id: item.callId ?? '', output: item.output ?? '' };
    default:
      if (item.role === 'assistant') {
        return {
          ...common,
          type: 'message',
          role: 'assistant',
          content: item.hasAudio ? [{ type: 'output_audio', transcript: item.text }] : [{ type: 'output_text', text: item.text }],
        };
      }
      if (item.role === 'system') return { ...common, type: 'message', role: 'system', content: [{ type: 'input_text', text: item.text }] };
      return {
        ...common,
        type: 'message',
        role: 'user',
        // The real service sends the transcript key even before transcription (SDK parsers require it).
        content: item.hasAudio ? [{ type: 'input_audio', transcript: item.text }] : [{ type: 'input_text', text: item.text }],
      };
  }
}

export function toWireResponse(
  id: string,
  status: NonNullable<RealtimeResponse['status']>,
  output: ConversationItem[],
  audio: { format: RealtimeAudioFormats; voice: string },
  conversationId: string,
): RealtimeResponse {
  return {
    id,
    object: 'realtime.response',
    status,
    output,
    output_modalities: ['audio'],
    conversation_id: conversationId,
    audio: { output: audio },
    // Fixed figures: the gateway only passes usage through.
    ...(status === 'in_progress' ? {} : { usage: { total_tokens: 250, input_tokens: 150, output_tokens: 100 } }),
  };
}

/** A copy of a wire event for logs: base64 audio replaced by its decoded length. */
export function elideAudio(event: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(event as Record<string, unknown>) };
  const key = out.type === 'input_audio_buffer.append' ? 'audio' : out.type === 'response.output_audio.delta' ? 'delta' : undefined;
  if (key !== undefined && typeof out[key] === 'string') out[key] = `<${Buffer.byteLength(out[key] as string, 'base64')} bytes>`;
  return out;
}
