/**
 * The boundary of the GA protocol, shared by both providers: every server message is validated here
 * before anything acts on it. One zod schema per event we consume (only the fields we read; extra
 * fields pass through), combined in a discriminated union. Nothing here throws: the result says
 * whether the event is consumed, deliberately ignored, unknown, or invalid, and always keeps the raw
 * value for logs.
 *
 * Output audio deltas arrive about fifty times a second per call, so they skip zod: a hand check of
 * the same fields with the same rules (a property test holds it to the schema), and zod only to word
 * the issues of a delta that fails it.
 *
 * Drift guards (compile time): each schema's output must be assignable to the SDK's type for that event,
 * and every SDK server event type must be either consumed or listed as ignored.
 */
import { z } from 'zod';
import type {
  ConversationItemAdded,
  ConversationItemDone,
  ConversationItemInputAudioTranscriptionCompletedEvent,
  ConversationItemInputAudioTranscriptionDeltaEvent,
  ConversationItemInputAudioTranscriptionFailedEvent,
  InputAudioBufferTimeoutTriggered,
  ConversationItemTruncatedEvent,
  InputAudioBufferSpeechStartedEvent,
  InputAudioBufferSpeechStoppedEvent,
  RealtimeErrorEvent,
  RateLimitsUpdatedEvent,
  RealtimeServerEvent,
  ResponseAudioDeltaEvent,
  ResponseAudioDoneEvent,
  ResponseAudioTranscriptDeltaEvent,
  ResponseAudioTranscriptDoneEvent,
  ResponseCreatedEvent,
  ResponseDoneEvent,
  ResponseFunctionCallArgumentsDoneEvent,
  ResponseOutputItemAddedEvent,
  ResponseOutputItemDoneEvent,
  ResponseTextDeltaEvent,
  ResponseTextDoneEvent,
  SessionCreatedEvent,
  SessionUpdatedEvent,
} from 'openai/resources/realtime/realtime';

const contentPart = z.looseObject({
  type: z.string().optional(),
  text: z.string().nullish(),
  transcript: z.string().nullish(),
});

/** The parts of a conversation item we keep for replay. */
const item = z.looseObject({
  id: z.string().optional(),
  type: z.string(),
  role: z.string().optional(),
  status: z.string().optional(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
  output: z.string().optional(),
  content: z.array(contentPart).optional(),
});
export type WireItem = z.infer<typeof item>;

const response = z.looseObject({
  id: z.string(),
  status: z.string().optional(),
  status_details: z.unknown().optional(),
  usage: z.unknown().optional(),
  // Read for the gateway's out-of-band responses (openai/out-of-band.ts); the service echoes metadata.
  metadata: z.record(z.string(), z.string()).nullish(),
  output: z.array(z.unknown()).optional(),
});

const sessionCreated = z.looseObject({ type: z.literal('session.created'), event_id: z.string() });
const sessionUpdated = z.looseObject({ type: z.literal('session.updated'), event_id: z.string() });
const error = z.looseObject({
  type: z.literal('error'),
  event_id: z.string(),
  error: z.looseObject({
    message: z.string(),
    type: z.string(),
    code: z.string().nullish(),
    event_id: z.string().nullish(),
    param: z.string().nullish(),
  }),
});
const rateLimits = z.looseObject({
  type: z.literal('rate_limits.updated'),
  event_id: z.string(),
  rate_limits: z.array(
    z.looseObject({
      name: z.enum(['requests', 'tokens']).optional(),
      limit: z.number().optional(),
      remaining: z.number().optional(),
      reset_seconds: z.number().optional(),
    }),
  ),
});
const speechStarted = z.looseObject({
  type: z.literal('input_audio_buffer.speech_started'),
  event_id: z.string(),
  audio_start_ms: z.number(),
  item_id: z.string(),
});
const speechStopped = z.looseObject({
  type: z.literal('input_audio_buffer.speech_stopped'),
  event_id: z.string(),
  audio_end_ms: z.number(),
  item_id: z.string(),
});
const itemAdded = z.looseObject({ type: z.literal('conversation.item.added'), event_id: z.string(), item });
const itemDone = z.looseObject({ type: z.literal('conversation.item.done'), event_id: z.string(), item });
const itemTruncated = z.looseObject({
  type: z.literal('conversation.item.truncated'),
  event_id: z.string(),
  item_id: z.string(),
  content_index: z.number(),
  audio_end_ms: z.number(),
});
const inputTranscriptDelta = z.looseObject({
  type: z.literal('conversation.item.input_audio_transcription.delta'),
  event_id: z.string(),
  item_id: z.string(),
  delta: z.string().optional(),
});
const inputTranscriptCompleted = z.looseObject({
  type: z.literal('conversation.item.input_audio_transcription.completed'),
  event_id: z.string(),
  item_id: z.string(),
  content_index: z.number(),
  transcript: z.string(),
});
const inputTranscriptFailed = z.looseObject({
  type: z.literal('conversation.item.input_audio_transcription.failed'),
  event_id: z.string(),
  item_id: z.string(),
  content_index: z.number(),
  error: z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }),
});
const timeoutTriggered = z.looseObject({
  type: z.literal('input_audio_buffer.timeout_triggered'),
  event_id: z.string(),
  item_id: z.string(),
  audio_start_ms: z.number(),
  audio_end_ms: z.number(),
});
const responseCreated = z.looseObject({ type: z.literal('response.created'), event_id: z.string(), response });
const responseDone = z.looseObject({ type: z.literal('response.done'), event_id: z.string(), response });
const outputItemAdded = z.looseObject({
  type: z.literal('response.output_item.added'),
  event_id: z.string(),
  response_id: z.string(),
  output_index: z.number(),
  item,
});
const outputItemDone = z.looseObject({
  type: z.literal('response.output_item.done'),
  event_id: z.string(),
  response_id: z.string(),
  output_index: z.number(),
  item,
});
const contentFields = {
  event_id: z.string(),
  response_id: z.string(),
  item_id: z.string(),
  output_index: z.number(),
  content_index: z.number(),
};
const audioDelta = z.looseObject({ type: z.literal('response.output_audio.delta'), ...contentFields, delta: z.string() });
const audioDone = z.looseObject({ type: z.literal('response.output_audio.done'), ...contentFields });
const audioTranscriptDelta = z.looseObject({ type: z.literal('response.output_audio_transcript.delta'), ...contentFields, delta: z.string() });
const audioTranscriptDone = z.looseObject({ type: z.literal('response.output_audio_transcript.done'), ...contentFields, transcript: z.string() });
const textDelta = z.looseObject({ type: z.literal('response.output_text.delta'), ...contentFields, delta: z.string() });
const textDone = z.looseObject({ type: z.literal('response.output_text.done'), ...contentFields, text: z.string() });
const functionArgsDone = z.looseObject({
  type: z.literal('response.function_call_arguments.done'),
  event_id: z.string(),
  response_id: z.string(),
  item_id: z.string(),
  output_index: z.number(),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
});

export const consumedServerEventSchema = z.discriminatedUnion('type', [
  sessionCreated,
  sessionUpdated,
  error,
  rateLimits,
  speechStarted,
  speechStopped,
  itemAdded,
  itemDone,
  itemTruncated,
  inputTranscriptDelta,
  inputTranscriptCompleted,
  inputTranscriptFailed,
  timeoutTriggered,
  responseCreated,
  responseDone,
  outputItemAdded,
  outputItemDone,
  audioDelta,
  audioDone,
  audioTranscriptDelta,
  audioTranscriptDone,
  textDelta,
  textDone,
  functionArgsDone,
]);
export type ConsumedServerEvent = z.infer<typeof consumedServerEventSchema>;
export type ConsumedServerEventType = ConsumedServerEvent['type'];

/** SDK server events we receive but do not act on (not counted as dropped). */
const IGNORED_TYPES = [
  'conversation.created',
  'conversation.item.created',
  'conversation.item.deleted',
  'conversation.item.retrieved',
  'conversation.item.input_audio_transcription.segment',
  'input_audio_buffer.cleared',
  'input_audio_buffer.committed',
  'input_audio_buffer.dtmf_event_received',
  'response.content_part.added',
  'response.content_part.done',
  'response.function_call_arguments.delta',
  'output_audio_buffer.started',
  'output_audio_buffer.stopped',
  'output_audio_buffer.cleared',
  'mcp_list_tools.in_progress',
  'mcp_list_tools.completed',
  'mcp_list_tools.failed',
  'response.mcp_call_arguments.delta',
  'response.mcp_call_arguments.done',
  'response.mcp_call.in_progress',
  'response.mcp_call.completed',
  'response.mcp_call.failed',
] as const satisfies readonly RealtimeServerEvent['type'][];
const ignoredTypes: ReadonlySet<string> = new Set(IGNORED_TYPES);

// ---- compile-time drift guards -------------------------------------------------------------------
type Extends<A extends B, B> = A;
type Out<T extends ConsumedServerEventType> = Extract<ConsumedServerEvent, { type: T }>;
/** Our parsed shape must fit the SDK type on the fields we read. */
/** Keys our schema names (the loose index signature removed). */
type Named<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
type FitsSdk<T extends ConsumedServerEventType, Sdk> = Pick<Out<T>, Named<Out<T>> & keyof Sdk> extends Pick<Sdk, Named<Out<T>> & keyof Sdk> ? true : false;
export type ServerEventDriftGuards = [
  Extends<FitsSdk<'session.created', SessionCreatedEvent>, true>,
  Extends<FitsSdk<'session.updated', SessionUpdatedEvent>, true>,
  Extends<FitsSdk<'input_audio_buffer.speech_started', InputAudioBufferSpeechStartedEvent>, true>,
  Extends<FitsSdk<'input_audio_buffer.speech_stopped', InputAudioBufferSpeechStoppedEvent>, true>,
  Extends<FitsSdk<'conversation.item.truncated', ConversationItemTruncatedEvent>, true>,
  Extends<FitsSdk<'conversation.item.input_audio_transcription.delta', ConversationItemInputAudioTranscriptionDeltaEvent>, true>,
  Extends<FitsSdk<'conversation.item.input_audio_transcription.completed', Pick<ConversationItemInputAudioTranscriptionCompletedEvent, 'type' | 'event_id' | 'item_id' | 'content_index' | 'transcript'>>, true>,
  Extends<FitsSdk<'conversation.item.input_audio_transcription.failed', Pick<ConversationItemInputAudioTranscriptionFailedEvent, 'type' | 'event_id' | 'item_id' | 'content_index'>>, true>,
  Extends<FitsSdk<'input_audio_buffer.timeout_triggered', InputAudioBufferTimeoutTriggered>, true>,
  Extends<FitsSdk<'response.output_audio.delta', ResponseAudioDeltaEvent>, true>,
  Extends<FitsSdk<'response.output_audio.done', ResponseAudioDoneEvent>, true>,
  Extends<FitsSdk<'response.output_audio_transcript.delta', ResponseAudioTranscriptDeltaEvent>, true>,
  Extends<FitsSdk<'response.output_audio_transcript.done', ResponseAudioTranscriptDoneEvent>, true>,
  Extends<FitsSdk<'response.output_text.delta', ResponseTextDeltaEvent>, true>,
  Extends<FitsSdk<'response.output_text.done', ResponseTextDoneEvent>, true>,
  Extends<FitsSdk<'response.function_call_arguments.done', ResponseFunctionCallArgumentsDoneEvent>, true>,
  Extends<Out<'error'>['error']['message'], RealtimeErrorEvent['error']['message']>,
  Extends<Out<'rate_limits.updated'>['rate_limits'][number]['name'], RateLimitsUpdatedEvent.RateLimit['name']>,
  Extends<Out<'response.created'>['response']['id'], ResponseCreatedEvent['response']['id']>,
  Extends<Out<'response.done'>['response']['id'], ResponseDoneEvent['response']['id']>,
  Extends<Out<'response.output_item.added'>['response_id'], ResponseOutputItemAddedEvent['response_id']>,
  Extends<Out<'response.output_item.done'>['response_id'], ResponseOutputItemDoneEvent['response_id']>,
  Extends<Out<'conversation.item.added'>['type'], ConversationItemAdded['type']>,
  Extends<Out<'conversation.item.done'>['type'], ConversationItemDone['type']>,
  Extends<ConsumedServerEventType, RealtimeServerEvent['type']>,
  /** Fails when the SDK grows a server event we neither consume nor ignore. */
  Extends<Exclude<RealtimeServerEvent['type'], ConsumedServerEventType | (typeof IGNORED_TYPES)[number]>, never>,
];

// ---- parsing ---------------------------------------------------------------------------------------
export type ParsedServerEvent =
  | { kind: 'event'; event: ConsumedServerEvent; raw: unknown }
  | { kind: 'ignored'; type: string; raw: unknown }
  | { kind: 'unknown'; type: string; raw: unknown }
  | { kind: 'invalid'; type: string; issues: string; raw: unknown };

const consumedTypes: ReadonlySet<string> = new Set(consumedServerEventSchema.options.map((o) => o.shape.type.value));

export type AudioDeltaEvent = Out<'response.output_audio.delta'>;

/** The audio delta schema's rules, without zod: strings are strings, numbers finite numbers. */
function asAudioDelta(raw: Record<string, unknown>): AudioDeltaEvent | undefined {
  return typeof raw.event_id === 'string' &&
    typeof raw.response_id === 'string' &&
    typeof raw.item_id === 'string' &&
    Number.isFinite(raw.output_index) &&
    Number.isFinite(raw.content_index) &&
    typeof raw.delta === 'string'
    ? (raw as AudioDeltaEvent)
    : undefined;
}

export function parseServerEvent(raw: unknown): ParsedServerEvent {
  const type = typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string' ? (raw as { type: string }).type : '';
  if (type === '') return { kind: 'invalid', type, issues: 'not an object with a string type', raw };
  if (type === 'response.output_audio.delta') {
    const delta = asAudioDelta(raw as Record<string, unknown>);
    if (delta !== undefined) return { kind: 'event', event: delta, raw };
  }
  if (!consumedTypes.has(type)) return ignoredTypes.has(type) ? { kind: 'ignored', type, raw } : { kind: 'unknown', type, raw };
  const parsed = consumedServerEventSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { kind: 'invalid', type, issues, raw };
  }
  return { kind: 'event', event: parsed.data, raw };
}

/** Log-safe summary of a raw event: audio payloads replaced by their length. */
export function summarizeRaw(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const key of ['delta', 'audio'] as const) {
    const v = out[key];
    if (typeof v === 'string' && v.length > 256) out[key] = `<${v.length} chars>`;
  }
  return out;
}
