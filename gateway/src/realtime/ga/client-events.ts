import type { InputAudioBufferAppendEvent } from 'openai/resources/realtime/realtime';

/**
 * Caller audio as the GA `input_audio_buffer.append` event: base64 straight from the caller's bytes
 * (a view, not a copy). No event_id: appends are the hot path, and ids serve to match a server error
 * to a request we must react to, which an append is not.
 */
export function inputAudioAppend(bytes: Uint8Array): InputAudioBufferAppendEvent {
  return { type: 'input_audio_buffer.append', audio: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}
