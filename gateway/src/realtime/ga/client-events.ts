import type { InputAudioBufferAppendEvent } from 'openai/resources/realtime/realtime';

/**
 * Caller audio as the GA `input_audio_buffer.append` event: base64 straight from the caller's bytes
 * (a view, not a copy). No event_id: appends are the hot path, and ids serve to match a server error
 * to a request we must react to, which an append is not.
 */
export function inputAudioAppend(bytes: Uint8Array): InputAudioBufferAppendEvent {
  return { type: 'input_audio_buffer.append', audio: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

const APPEND_HEAD = Buffer.from('{"type":"input_audio_buffer.append","audio":"', 'latin1');
const APPEND_TAIL = Buffer.from('"}', 'latin1');
const BASE64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');
const PAD = 0x3d; // '='

/**
 * The same event as the UTF-8 bytes of `JSON.stringify(inputAudioAppend(bytes))`, ready to go out as
 * one WebSocket text frame. Appends are the most frequent message a call sends, and the string route
 * costs a base64 string, a JSON string and their UTF-8 re-encoding each time; here the base64 (RFC 4648
 * §4, padded) is written straight into the frame's bytes. Nothing in it needs JSON escaping.
 *
 * The result is a fresh buffer (from Node's shared pool for an ordinary append), not a reused one:
 * `ws` keeps a reference to what it is given while an earlier frame is still being written.
 */
export function inputAudioAppendText(bytes: Uint8Array): Buffer {
  const n = bytes.byteLength;
  const out = Buffer.allocUnsafe(APPEND_HEAD.length + 4 * Math.ceil(n / 3) + APPEND_TAIL.length);
  let o = APPEND_HEAD.copy(out, 0);
  let i = 0;
  for (const whole = n - (n % 3); i < whole; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = BASE64[v >>> 18]!;
    out[o++] = BASE64[(v >>> 12) & 63]!;
    out[o++] = BASE64[(v >>> 6) & 63]!;
    out[o++] = BASE64[v & 63]!;
  }
  if (i < n) {
    const two = i + 1 < n;
    const v = (bytes[i]! << 16) | (two ? bytes[i + 1]! << 8 : 0);
    out[o++] = BASE64[v >>> 18]!;
    out[o++] = BASE64[(v >>> 12) & 63]!;
    out[o++] = two ? BASE64[(v >>> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  APPEND_TAIL.copy(out, o);
  return out;
}
