/**
 * The fake's scenario script: what the "model" answers, how fast, and which failures to inject.
 * The lab runner passes a typed object; the CLI loads the same shape from YAML or JSON (validated
 * with zod, paths resolved relative to the script file).
 *
 * Numbering: turns are 1-based (turn 1 = the first response the fake produces, across reconnects);
 * sessions are 0-based (`server.sessions[0]` is the first accepted connection).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeError } from 'connect-realtime-gateway';
import { hostileModeSchema, type FakeHostileMode } from './hostile.js';

export type FakeAudioSource =
  /** 8 kHz mono 16-bit PCM WAV. */
  | { wav: string }
  /** A sine, e.g. for FFT checks in the lab. */
  | { tone: { hz: number; ms: number; dbov?: number } }
  | { silenceMs: number }
  /** In-process only: 8 kHz samples. */
  | { pcm8k: Int16Array };

export interface FakeFunctionCall {
  name: string;
  /** JSON text, or an object serialised for you. */
  arguments: string | Record<string, unknown>;
  /** Defaults to a generated `call_...` id. */
  callId?: string;
}

/** A further audio message item of the same response (newer models send several). */
export interface FakeAudioItem {
  audio: FakeAudioSource;
  transcript?: string;
}

/**
 * How a response ends when it does not complete (the first time the turn is played; the next
 * response plays the same turn normally, as a retried response would).
 */
export type FakeResponseFailure =
  /** `response.done` status `failed`, `status_details.error` `{ type, code, message }`. */
  | { status: 'failed'; afterChunks?: number; code?: string; message?: string }
  /** `response.done` status `incomplete`, `status_details.reason` (max_output_tokens | content_filter). */
  | { status: 'incomplete'; afterChunks?: number; reason?: 'max_output_tokens' | 'content_filter' };

export interface FakeTurn {
  /** The agent's speech. Without it the response carries only the transcript (text, no audio deltas). */
  audio?: FakeAudioSource;
  /** Agent transcript, streamed as output_audio_transcript deltas alongside the audio. */
  transcript?: string;
  /** Reported as the caller's transcription of the turn that triggered this response (when enabled). */
  userTranscript?: string;
  /** The model calls this tool first; audio/transcript (if any) follow once the client sent the output and response.create. */
  functionCall?: FakeFunctionCall;
  /**
   * The model speaks the turn's audio, then calls this tool in the same response (a second output item),
   * as a real model does when it says goodbye and then ends the call.
   */
  functionCallAfterSpeech?: FakeFunctionCall;
  /** More audio items after the first, in the same response (output_index 1, 2, ...). */
  moreItems?: FakeAudioItem[];
  /** The response ends `failed`/`incomplete` after `afterChunks` audio deltas (default 0), once. */
  fail?: FakeResponseFailure;
  /** The caller's transcription of the triggering input fails (`…input_audio_transcription.failed`). */
  userTranscriptFails?: { code?: string; message?: string };
}

export interface FakeErrorInjection {
  /** ms after the session started. */
  atMs?: number;
  /** After response.done of this turn (1-based). */
  afterTurn?: number;
  code?: string;
  message?: string;
  /** Session index (0-based); default 0. */
  session?: number;
}

export interface FakeDropInjection {
  /** Terminate the socket this long after the session started. */
  afterMs?: number;
  /** Terminate the socket halfway through this turn's audio (1-based). */
  duringTurn?: number;
  /** Session index (0-based); default 0. */
  session?: number;
}

export interface FakeFailures {
  /** Answer the WebSocket upgrade with HTTP 503 for the first N attempts, or always. */
  refuseConnections?: number | 'always';
  /** Accept the first N upgrades, then answer every later one with HTTP 503 (the service failing mid-call). */
  refuseAfter?: number;
  /** Hold the HTTP upgrade this long. */
  handshakeDelayMs?: number;
  /** Send session.created this long after the socket opened (client events wait behind it). */
  sessionCreatedDelayMs?: number;
  errors?: FakeErrorInjection[];
  drops?: FakeDropInjection[];
}

export interface FakeVadParams {
  /** Frame energy at or above this is speech; dBov. */
  thresholdDbov?: number;
  /** Speech must last this long before speech_started; ms. */
  minSpeechMs?: number;
  /** Overrides the session's silence_duration_ms (hang-over before speech_stopped); ms. */
  silenceMs?: number;
}

export interface FakeScript {
  turns: FakeTurn[];
  /** Start again at turn 1 when the turns run out (otherwise: empty responses). */
  loop?: boolean;
  /** Audio per output_audio.delta; ms. */
  chunkMs?: number;
  /** Delivery speed relative to real time (the real service sends faster than playback). */
  speed?: number;
  /** From the trigger (commit or response.create) to response.created; ms. */
  responseDelayMs?: number;
  /** Deltas still sent after a cancel, as if they were already in flight. */
  lateDeltasAfterCancel?: number;
  /**
   * From `response.function_call_arguments.done` to that response's `response.done`; ms. The
   * service never sends them in one block: a `response.create` sent on the arguments is refused.
   */
  functionCallDoneDelayMs?: number;
  /** Caller transcription streams `…input_audio_transcription.delta` events before `completed`. */
  transcriptionDeltas?: boolean;
  vad?: FakeVadParams;
  /**
   * The service's maximum session duration, ms from session.created (the real one: 60 minutes).
   * `expires_at` in session.created says when; at that moment the fake sends `error`
   * `session_expired` and closes the socket with 1001, as the service does.
   */
  maxSessionMs?: number;
  failures?: FakeFailures;
  /**
   * The text of every out-of-band response (`conversation: "none"`, out-of-band.ts): a string, or an
   * object sent as JSON (e.g. the hand-off summary the gateway asks for at hand-back).
   */
  outOfBandAnswer?: string | Record<string, unknown>;
  /** From the out-of-band response.create to its response.created; ms (default: responseDelayMs). */
  outOfBandDelayMs?: number;
  /** Security tests: a hostile stream (hostile.ts). */
  hostile?: FakeHostileMode;
}

/** The real service's maximum session duration (docs/realtime-facts.md, "Session expiry"). */
export const DEFAULT_MAX_SESSION_MS = 60 * 60_000;

export const DEFAULT_CHUNK_MS = 100;
export const DEFAULT_SPEED = 4;
export const DEFAULT_RESPONSE_DELAY_MS = 50;
export const DEFAULT_VAD_THRESHOLD_DBOV = -45;
export const DEFAULT_VAD_MIN_SPEECH_MS = 60;
export const DEFAULT_FUNCTION_CALL_DONE_DELAY_MS = 20;

// ---- file form -------------------------------------------------------------------------------------

const audioSourceSchema = z.union([
  z.strictObject({ wav: z.string().min(1) }),
  z.strictObject({ tone: z.strictObject({ hz: z.number().positive().max(3999), ms: z.number().positive(), dbov: z.number().max(0).optional() }) }),
  z.strictObject({ silenceMs: z.number().nonnegative() }),
]);

/** The script's file form: also the `realtime:` section of a lab scenario, validated by this schema. */
export const scriptFileSchema = z.strictObject({
  turns: z.array(
    z.strictObject({
      audio: audioSourceSchema.optional(),
      transcript: z.string().optional(),
      userTranscript: z.string().optional(),
      functionCall: z
        .strictObject({ name: z.string().min(1), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]), callId: z.string().min(1).optional() })
        .optional(),
      functionCallAfterSpeech: z
        .strictObject({ name: z.string().min(1), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]), callId: z.string().min(1).optional() })
        .optional(),
      moreItems: z.array(z.strictObject({ audio: audioSourceSchema, transcript: z.string().optional() })).max(8).optional(),
      fail: z
        .union([
          z.strictObject({ status: z.literal('failed'), afterChunks: z.number().int().nonnegative().optional(), code: z.string().optional(), message: z.string().optional() }),
          z.strictObject({
            status: z.literal('incomplete'),
            afterChunks: z.number().int().nonnegative().optional(),
            reason: z.enum(['max_output_tokens', 'content_filter']).optional(),
          }),
        ])
        .optional(),
      userTranscriptFails: z.strictObject({ code: z.string().optional(), message: z.string().optional() }).optional(),
    }),
  ),
  loop: z.boolean().optional(),
  chunkMs: z.number().positive().optional(),
  speed: z.number().positive().optional(),
  responseDelayMs: z.number().nonnegative().optional(),
  lateDeltasAfterCancel: z.number().int().nonnegative().optional(),
  functionCallDoneDelayMs: z.number().nonnegative().optional(),
  transcriptionDeltas: z.boolean().optional(),
  vad: z
    .strictObject({ thresholdDbov: z.number().max(0).optional(), minSpeechMs: z.number().nonnegative().optional(), silenceMs: z.number().nonnegative().optional() })
    .optional(),
  maxSessionMs: z.number().int().positive().optional(),
  outOfBandAnswer: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  outOfBandDelayMs: z.number().nonnegative().optional(),
  failures: z
    .strictObject({
      refuseConnections: z.union([z.number().int().nonnegative(), z.literal('always')]).optional(),
      refuseAfter: z.number().int().nonnegative().optional(),
      handshakeDelayMs: z.number().nonnegative().optional(),
      sessionCreatedDelayMs: z.number().nonnegative().optional(),
      errors: z
        .array(
          z.strictObject({
            atMs: z.number().nonnegative().optional(),
            afterTurn: z.number().int().positive().optional(),
            code: z.string().optional(),
            message: z.string().optional(),
            session: z.number().int().nonnegative().optional(),
          }),
        )
        .optional(),
      drops: z
        .array(
          z.strictObject({
            afterMs: z.number().nonnegative().optional(),
            duringTurn: z.number().int().positive().optional(),
            session: z.number().int().nonnegative().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  hostile: hostileModeSchema.optional(),
});

// The file form must stay a subset of the typed form.
type FileScript = z.infer<typeof scriptFileSchema>;
const fileFormIsScript: (f: FileScript) => FakeScript = (f) => f;
void fileFormIsScript;

/** Parses a script from YAML/JSON text; WAV paths are resolved against `baseDir`. Throws one-line errors. */
export function parseFakeScript(text: string, baseDir: string, origin = 'script'): FakeScript {
  let data: unknown;
  try {
    data = parseYaml(text); // YAML is a superset of JSON
  } catch (err) {
    throw new Error(`${origin}: not YAML/JSON: ${describeError(err, { firstLine: true })}`);
  }
  const parsed = scriptFileSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${origin}: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`);
  }
  return resolveScriptPaths(parsed.data, baseDir);
}

/** A validated file-form script with its WAV paths resolved against `baseDir`. */
export function resolveScriptPaths(script: FakeScript, baseDir: string): FakeScript {
  const resolved = (a: FakeAudioSource): FakeAudioSource => ('wav' in a && !isAbsolute(a.wav) ? { wav: resolve(baseDir, a.wav) } : a);
  for (const turn of script.turns) {
    if (turn.audio !== undefined) turn.audio = resolved(turn.audio);
    for (const item of turn.moreItems ?? []) item.audio = resolved(item.audio);
  }
  return script;
}

export function loadFakeScript(path: string): FakeScript {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read script ${path}: ${describeError(err)}`);
  }
  return parseFakeScript(text, dirname(resolve(path)), path);
}

/** Every turn answered with fixtures/agent-answer.wav. */
export function defaultFakeScript(fixturesDir: string): FakeScript {
  return {
    turns: [
      {
        audio: { wav: resolve(fixturesDir, 'agent-answer.wav') },
        transcript:
          'Thank you for calling. I can help you with your order. Your parcel left our warehouse this morning and should arrive on Thursday. Is there anything else I can do for you today?',
        userTranscript: 'Hello, I would like to check the status of my order, please.',
      },
    ],
    loop: true,
  };
}
