/**
 * Hostile "model" streams for security tests (issue 9): what a compromised, buggy or impersonated
 * Realtime service could send a gateway. Each mode starts `afterMs` after the session's first
 * session.updated (so a lab call is answered by then) and writes raw frames straight to the socket:
 * nothing here is recorded event by event, so a flood cannot grow the fake's own memory.
 *
 * - hugeTranscript: one announced item whose transcript comes as `deltas` deltas of `chars` each
 *   (70 x 8 MiB threw `RangeError: Invalid string length` into the gateway's process handler).
 * - oversizedFrame: one frame of `bytes` on every session (over the client's max payload: the client
 *   closes with 1009 and reconnects, and gets the same frame again).
 * - unannouncedAudio: `deltas` audio deltas for an item no `response.output_item.added` announced.
 * - audioFlood: one announced response with `seconds` of audio sent at once, far faster than real
 *   time, in `chunkMs` deltas; then response.done.
 * - neverEndingResponse: an announced response whose audio trickles in real time for ever: no
 *   output_audio.done, no response.done (the gateway must still close and shut down in bounded time).
 */
import type { RealtimeAudioFormat, TimerId } from 'connect-realtime-gateway';
import { z } from 'zod';
import { formatBytesPerMs } from './audio.js';

export interface FakeHostileMode {
  /** Start this long after the first session.updated of a session; ms (default 500). */
  afterMs?: number;
  hugeTranscript?: { deltas: number; chars: number };
  oversizedFrame?: { bytes: number };
  unannouncedAudio?: { deltas: number };
  audioFlood?: { seconds: number; chunkMs?: number };
  neverEndingResponse?: boolean;
}

export const DEFAULT_HOSTILE_AFTER_MS = 500;
/** Between two huge transcript deltas, ms. */
const HUGE_DELTA_GAP_MS = 5;
/** Keeps a scenario file from asking the fake itself for gigabytes. */
const MAX_HOSTILE_BYTES = 1024 * 1024 * 1024;

export const hostileModeSchema = z
  .strictObject({
    afterMs: z.number().nonnegative().optional(),
    hugeTranscript: z.strictObject({ deltas: z.number().int().positive(), chars: z.number().int().positive() }).optional(),
    oversizedFrame: z.strictObject({ bytes: z.number().int().positive().max(MAX_HOSTILE_BYTES) }).optional(),
    unannouncedAudio: z.strictObject({ deltas: z.number().int().positive().max(100_000) }).optional(),
    audioFlood: z.strictObject({ seconds: z.number().positive().max(36_000), chunkMs: z.number().positive().optional() }).optional(),
    neverEndingResponse: z.boolean().optional(),
  })
  .refine((m) => (m.hugeTranscript === undefined ? 0 : m.hugeTranscript.chars) <= MAX_HOSTILE_BYTES, 'hugeTranscript.chars too large');

/** What a hostile stream needs from its session. */
export interface HostileSessionHooks {
  /** Session index (0-based). */
  index: number;
  /** A raw frame to the client. */
  sendRaw(text: string): void;
  eventId(): string;
  newId(prefix: 'item' | 'resp'): string;
  /** A session timer (cleared when the socket closes). */
  after(ms: number, fn: () => void): TimerId;
  outputFormat(): RealtimeAudioFormat;
}

/** Arms the configured modes on a session whose first session.updated was just sent. */
export function startHostileMode(mode: FakeHostileMode, h: HostileSessionHooks): void {
  h.after(mode.afterMs ?? DEFAULT_HOSTILE_AFTER_MS, () => {
    if (mode.oversizedFrame !== undefined) sendOversized(h, mode.oversizedFrame.bytes);
    if (h.index !== 0) return; // the other modes once per server run's first session
    if (mode.hugeTranscript !== undefined) sendHugeTranscript(h, mode.hugeTranscript);
    if (mode.unannouncedAudio !== undefined) sendUnannouncedAudio(h, mode.unannouncedAudio.deltas);
    if (mode.audioFlood !== undefined) sendAudioFlood(h, mode.audioFlood);
    if (mode.neverEndingResponse === true) startNeverEnding(h);
  });
}

function send(h: HostileSessionHooks, event: Record<string, unknown>): void {
  h.sendRaw(JSON.stringify({ ...event, event_id: h.eventId() }));
}

/** response.created + output_item.added + content_part.added, as the service announces output. */
function announce(h: HostileSessionHooks): { responseId: string; itemId: string } {
  const responseId = h.newId('resp');
  const itemId = h.newId('item');
  send(h, { type: 'response.created', response: { id: responseId, object: 'realtime.response', status: 'in_progress', output: [] } });
  send(h, {
    type: 'response.output_item.added',
    response_id: responseId,
    output_index: 0,
    item: { id: itemId, object: 'realtime.item', type: 'message', role: 'assistant', status: 'in_progress', content: [] },
  });
  send(h, { type: 'response.content_part.added', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, part: { type: 'audio', transcript: '' } });
  return { responseId, itemId };
}

function silence(format: RealtimeAudioFormat, ms: number): string {
  const fill = format === 'pcmu' ? 0xff : format === 'pcma' ? 0xd5 : 0;
  return Buffer.alloc(Math.round(ms * formatBytesPerMs(format)), fill).toString('base64');
}

function audioDelta(responseId: string, itemId: string, delta: string): Record<string, unknown> {
  return { type: 'response.output_audio.delta', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta };
}

function sendOversized(h: HostileSessionHooks, bytes: number): void {
  // A syntactically valid event, padded: the size alone is the attack.
  const head = JSON.stringify({ type: 'response.output_audio_transcript.delta', event_id: h.eventId(), response_id: 'resp_x', item_id: 'item_x', output_index: 0, content_index: 0, delta: '' });
  h.sendRaw(`${head.slice(0, -2)}${'a'.repeat(Math.max(0, bytes - head.length))}"}`);
}

function sendHugeTranscript(h: HostileSessionHooks, m: { deltas: number; chars: number }): void {
  const { responseId, itemId } = announce(h);
  const text = 'x'.repeat(m.chars);
  // Built once (one event id for all: the client does not deduplicate); one delta per tick, so the
  // fake's own socket buffer holds one frame at a time, not the whole 560 MiB.
  const frame = JSON.stringify({ type: 'response.output_audio_transcript.delta', event_id: h.eventId(), response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta: text });
  let sent = 0;
  const next = (): void => {
    h.sendRaw(frame);
    if (++sent < m.deltas) h.after(HUGE_DELTA_GAP_MS, next);
    else send(h, { type: 'response.output_audio_transcript.done', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, transcript: text });
  };
  next();
}

function sendUnannouncedAudio(h: HostileSessionHooks, deltas: number): void {
  const responseId = h.newId('resp');
  const itemId = h.newId('item');
  const chunk = silence(h.outputFormat(), 20);
  for (let i = 0; i < deltas; i++) send(h, audioDelta(responseId, itemId, chunk));
}

function sendAudioFlood(h: HostileSessionHooks, m: { seconds: number; chunkMs?: number }): void {
  const { responseId, itemId } = announce(h);
  const chunkMs = m.chunkMs ?? 100;
  const chunk = silence(h.outputFormat(), chunkMs);
  const n = Math.ceil((m.seconds * 1000) / chunkMs);
  for (let i = 0; i < n; i++) send(h, audioDelta(responseId, itemId, chunk));
  send(h, { type: 'response.output_audio.done', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 });
  send(h, { type: 'response.done', response: { id: responseId, object: 'realtime.response', status: 'completed', output: [] } });
}

function startNeverEnding(h: HostileSessionHooks): void {
  const { responseId, itemId } = announce(h);
  const chunk = silence(h.outputFormat(), 100);
  const tick = (): void => {
    send(h, audioDelta(responseId, itemId, chunk));
    h.after(100, tick);
  };
  tick();
}
