/**
 * Client events as the fake accepts them: one zod schema per GA client event (the fields the real
 * service requires), checked at compile time to cover exactly openai's `RealtimeClientEvent` union,
 * so a new SDK event type or a renamed one breaks the build instead of drifting silently.
 */
import { z } from 'zod';
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';

const eventId = z.string().optional();

const content = z.looseObject({
  type: z.string().optional(),
  text: z.string().optional(),
  transcript: z.string().nullish(),
  audio: z.string().optional(),
});

const item = z.looseObject({
  id: z.string().max(32).optional(),
  type: z.enum(['message', 'function_call', 'function_call_output', 'mcp_approval_response', 'mcp_list_tools', 'mcp_call', 'mcp_approval_request']),
  role: z.enum(['user', 'assistant', 'system']).optional(),
  content: z.array(content).optional(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
  output: z.string().optional(),
});
export type ClientItem = z.infer<typeof item>;

const schemas = [
  z.looseObject({ type: z.literal('session.update'), event_id: eventId, session: z.looseObject({ type: z.enum(['realtime', 'transcription']) }) }),
  z.looseObject({ type: z.literal('input_audio_buffer.append'), event_id: eventId, audio: z.string() }),
  z.looseObject({ type: z.literal('input_audio_buffer.commit'), event_id: eventId }),
  z.looseObject({ type: z.literal('input_audio_buffer.clear'), event_id: eventId }),
  z.looseObject({ type: z.literal('output_audio_buffer.clear'), event_id: eventId }),
  z.looseObject({ type: z.literal('conversation.item.create'), event_id: eventId, previous_item_id: z.string().nullish(), item }),
  z.looseObject({ type: z.literal('conversation.item.retrieve'), event_id: eventId, item_id: z.string() }),
  z.looseObject({
    type: z.literal('conversation.item.truncate'),
    event_id: eventId,
    item_id: z.string(),
    content_index: z.number().int().nonnegative(),
    audio_end_ms: z.number().int().nonnegative(),
  }),
  z.looseObject({ type: z.literal('conversation.item.delete'), event_id: eventId, item_id: z.string() }),
  z.looseObject({
    type: z.literal('response.create'),
    event_id: eventId,
    response: z
      .looseObject({
        instructions: z.string().optional(),
        conversation: z.string().optional(),
        // "audio and text cannot both be requested"; metadata: 16 pairs, keys ≤ 64, values ≤ 512 characters.
        output_modalities: z.array(z.enum(['text', 'audio'])).max(1).optional(),
        metadata: z
          .record(z.string().max(64), z.string().max(512))
          .refine((m) => Object.keys(m).length <= 16, { error: 'at most 16 metadata pairs' })
          .nullish(),
      })
      .optional(),
  }),
  z.looseObject({ type: z.literal('response.cancel'), event_id: eventId, response_id: z.string().optional() }),
] as const;

export const clientEventSchema = z.discriminatedUnion('type', schemas);
export type ParsedClientEvent = z.infer<typeof clientEventSchema>;

// Compile-time coverage: the schema's types are exactly the SDK's client event types.
type Same<A extends B, B extends C, C = A> = [A, B, C];
export type ClientEventCoverage = Same<ParsedClientEvent['type'], RealtimeClientEvent['type']>;

const knownTypes: ReadonlySet<string> = new Set(schemas.map((s) => s.shape.type.value));

export type ClientEventParse =
  | { ok: true; event: ParsedClientEvent }
  | { ok: false; code: 'invalid_json' | 'unknown_event' | 'invalid_event'; message: string; eventId?: string; type?: string };

export function parseClientEvent(text: string): ClientEventParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'The server could not parse the event: invalid JSON.' };
  }
  const obj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const eventIdValue = typeof obj.event_id === 'string' ? obj.event_id : undefined;
  const type = typeof obj.type === 'string' ? obj.type : undefined;
  const ids = eventIdValue === undefined ? {} : { eventId: eventIdValue };
  if (type === undefined || !knownTypes.has(type)) {
    return { ok: false, code: 'unknown_event', message: `Invalid value: '${type ?? ''}'. Supported values are: ${[...knownTypes].join(', ')}.`, ...ids, ...(type ? { type } : {}) };
  }
  const parsed = clientEventSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, code: 'invalid_event', message: `Invalid '${first?.path.join('.') ?? ''}': ${first?.message ?? 'invalid'}`, ...ids, type };
  }
  return { ok: true, event: parsed.data };
}
