/**
 * An agent definition after loading: every default filled in, every template parsed, the tools module
 * loaded and checked, MCP secrets expanded, the apology recording decoded. The call layer and
 * renderSessionConfig read only this; nothing here is re-validated per call.
 */
import type { RealtimeMcpToolConfig, SemanticVadTurnDetection, ServerVadTurnDetection, ToolApprovalPolicy } from '../realtime/backend.js';
import type { ApologyAudio } from './apology-audio.js';
import type { HandoffSummarySettings } from './handoff-summary-settings.js';
import type { ToolFillerSettings } from './tool-filler-settings.js';
import type { BuiltinToolName } from './builtin-tools.js';
import type { RecordingSettings } from './recording-settings.js';
import type { BargeInSettings, GreetingAudio } from './greeting-audio.js';
import type { InstructionTemplate } from './instruction-template.js';
import type { LoadedTool } from './tool-types.js';

/** How the media bridge talks to the provider: G.711 as is, or 24 kHz PCM16 (resampled). */
export type AgentAudioMode = 'passthrough' | 'pcm16';

export interface BuiltinToolSetting {
  name: BuiltinToolName;
  description: string;
}

export interface DtmfCollectSettings {
  /** Digits collected before they are delivered (1..64). */
  maxDigits: number;
  /** Key that ends collection early (not delivered); null = none. */
  terminator: string | null;
  /** Silence after a digit that ends collection, ms. */
  interDigitTimeoutMs: number;
  /** The user text sent to the model; `{{digits}}` is the collected digits. */
  prompt: InstructionTemplate;
}

export interface DtmfSettings {
  /** Tell the model what the caller pressed (as a user text turn). */
  deliverToModel: boolean;
  /** Without it, keys pressed within `coalesceMs` of each other are delivered together. */
  collect?: DtmfCollectSettings;
  /**
   * Without `collect`: a key is delivered once no other key followed it for this long (at most
   * DTMF_COALESCE_MAX_DIGITS keys in one message), so a burst of keys is one model turn, not one
   * response per key; ms. 0 delivers each key at once (the backend still merges the responses).
   */
  coalesceMs: number;
}

export interface HandBackSettings {
  /**
   * When the Realtime backend cannot be reached at call set-up: true answers the call, plays the
   * apology, writes `ai_outcome=ai_unavailable` and hangs up; false (default) rejects with 503 +
   * Retry-After so the Connect flow takes its error branch. A backend lost mid-call always gets the
   * apology and the hand-back.
   */
  onRealtimeFailure: boolean;
  /** The apology prompt (8 kHz), played by the gateway itself when the AI is gone. */
  apologyAudio: ApologyAudio;
  /**
   * A response the service ends `failed` or `incomplete`: `retry` (default) asks once more, and a
   * second failure in a row apologises and hands back; `hand-back` apologises and hands back at once.
   */
  onResponseFailure: ResponseFailurePolicy;
}

/** What the agent does when the caller goes silent (call/idle-watch.ts). */
export interface IdleSettings {
  /** Caller silence after the agent's last audio left as RTP before a re-prompt, ms. */
  timeoutMs: number;
  /** Re-prompts before the goodbye (0: the first timeout says goodbye). */
  maxPrompts: number;
  /** Instructions of the re-prompt response. */
  prompt: string;
  /** Instructions of the goodbye response before the hand-back (ai_outcome=caller_idle). */
  goodbye: string;
}

/** The longest a call may last (call/duration-limit.ts). */
export interface MaxDurationSettings {
  /** From the answer to the goodbye, s. */
  seconds: number;
  /** The wrap-up instruction is added to the session this long before the limit, s (0: none). */
  wrapUpBeforeS: number;
  /** Appended to the session instructions at the wrap-up point. */
  wrapUp: string;
  /** Instructions of the goodbye response at the limit, before the hand-back (ai_outcome=max_duration). */
  goodbye: string;
  /** Hard stop: this long after the limit the call is handed back and hung up whatever the AI does, s. */
  graceS: number;
}

export type ResponseFailurePolicy = 'retry' | 'hand-back';
export const RESPONSE_FAILURE_POLICIES = ['retry', 'hand-back'] as const satisfies readonly ResponseFailurePolicy[];
export const DEFAULT_RESPONSE_FAILURE_POLICY: ResponseFailurePolicy = 'retry';

export interface AgentDefinition {
  /** The file it came from, or "built-in defaults". */
  source: string;
  model: string;
  voice: string;
  instructions: InstructionTemplate;
  /** Instructions for a first response spoken as soon as the call is answered. */
  greeting?: InstructionTemplate;
  /** A recording played by the gateway right after the ACK, before any model audio (greeting.audio). */
  greetingAudio?: GreetingAudio;
  /** false: the caller cannot talk over the greeting (recording and first response); absent = true. */
  greetingInterruptible?: boolean;
  /** Minimum caller speech before the agent is cut off (absent = { minSpeechMs: 0 }). */
  bargeIn?: BargeInSettings;
  audioMode: AgentAudioMode;
  turnDetection: ServerVadTurnDetection | SemanticVadTurnDetection;
  noiseReduction: 'near_field' | 'far_field' | null;
  transcription: { model: string; language?: string; prompt?: string } | null;
  speed?: number;
  maxOutputTokens?: number | 'inf';
  /** Enabled built-ins only. */
  builtinTools: readonly BuiltinToolSetting[];
  tools: readonly LoadedTool[];
  /** Longest a user tool handler may run, ms. */
  toolTimeoutMs: number;
  /** Tools that ask for approval before they run (agents-sdk provider): approve, deny or hand back. */
  toolApproval: ToolApprovalPolicy;
  /** Header values are expanded secrets: never log these (see describeAgentDefinition). */
  mcpServers: readonly RealtimeMcpToolConfig[];
  dtmf: DtmfSettings;
  handBack: HandBackSettings;
  /** Call recording (recording-settings.ts); off by default. */
  recording: RecordingSettings;
  /** Caller silence handling; absent: off. */
  idle?: IdleSettings;
  /** Maximum call length; absent: off. */
  maxDuration?: MaxDurationSettings;
  /** A recording played while a slow tool runs; absent: off (tool-filler-settings.ts). */
  toolFiller?: ToolFillerSettings;
  /** The structured summary written before every hand-back; absent: off (handoff-summary-settings.ts). */
  handoffSummary?: HandoffSummarySettings;
}

export const DEFAULT_TRANSCRIPTION_MODEL = 'gpt-4o-mini-transcribe';
export const DEFAULT_TOOL_TIMEOUT_MS = 8_000;
/** Nobody on a phone call can approve a gated tool: unless the file says otherwise it does not run. */
export const DEFAULT_TOOL_APPROVAL_ACTION = 'auto-deny' as const;
export const DEFAULT_TOOL_DENY_MESSAGE =
  'This action needs a person to approve it and nobody can approve it on this call. Do not run it; tell the caller briefly what you cannot do and offer another way to help.';
/** Phone handsets are near-field; filtering before VAD cuts false barge-ins on line noise. */
export const DEFAULT_NOISE_REDUCTION = 'near_field' as const;
export const DEFAULT_SERVER_VAD: ServerVadTurnDetection = {
  type: 'server_vad',
  threshold: 0.5,
  prefixPaddingMs: 300,
  silenceDurationMs: 500,
  createResponse: true,
  interruptResponse: true,
};
export const DEFAULT_DTMF_MAX_DIGITS = 16;
export const DEFAULT_DTMF_TERMINATOR = '#';
export const DEFAULT_DTMF_INTER_DIGIT_TIMEOUT_MS = 3_000;
export const DEFAULT_DTMF_PROMPT = 'The caller entered {{digits}} on the keypad.';
export const DEFAULT_DTMF_COALESCE_MS = 400;
/** Keys in one coalesced message at most: a caller holding keys down cannot delay delivery for ever. */
export const DTMF_COALESCE_MAX_DIGITS = 32;
/** Relative to the package root. */
export const DEFAULT_APOLOGY_AUDIO = 'fixtures/agent-apology.wav';
/**
 * On by default: a contact centre must not hold a silent line for ever. 30 s of silence (Vapi's
 * default), two re-prompts, then goodbye and hand-back: about a minute and a half of dead air at most.
 */
export const DEFAULT_IDLE: Readonly<IdleSettings> = Object.freeze({
  timeoutMs: 30_000,
  maxPrompts: 2,
  prompt: 'The caller has been silent for a while. Ask briefly and politely whether they are still there. One short sentence.',
  goodbye: 'The caller has not answered for a long time. Say a short, polite goodbye (one sentence) and do not ask anything more: the call ends now.',
});
/**
 * On by default at one hour (as Retell's default): the model bill and the port of a call have an end.
 * Renewal of the Realtime session (60-minute service limit) is a different, transparent thing.
 */
export const DEFAULT_MAX_DURATION: Readonly<MaxDurationSettings> = Object.freeze({
  seconds: 3_600,
  wrapUpBeforeS: 60,
  wrapUp:
    'This call must end very soon: it has reached its maximum length. Finish the current topic briefly, do not start a new one, and tell the caller they will be passed back if they need more help.',
  goodbye: 'The call has reached its maximum length and ends now. Say a short, polite goodbye in one sentence; do not ask anything more.',
  graceS: 15,
});
/** Voices the Realtime API lists; others (or custom `voice_…` ids) are allowed with a warning. */
export const KNOWN_VOICES: readonly string[] = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];

/** A summary safe to log: no instructions text, no MCP header values. */
export function describeAgentDefinition(def: AgentDefinition): Record<string, unknown> {
  return {
    source: def.source,
    model: def.model,
    voice: def.voice,
    audioMode: def.audioMode,
    turnDetection: def.turnDetection.type,
    noiseReduction: def.noiseReduction,
    transcription: def.transcription?.model ?? null,
    builtinTools: def.builtinTools.map((t) => t.name),
    tools: def.tools.map((t) => t.name),
    toolApproval: { default: def.toolApproval.default, tools: def.toolApproval.tools },
    mcpServers: def.mcpServers.map((m) => ({ label: m.server_label, headers: Object.keys(m.headers ?? {}) })),
    greeting: def.greeting !== undefined,
    greetingAudio: def.greetingAudio?.path ?? null,
    greetingInterruptible: def.greetingInterruptible ?? true,
    bargeIn: def.bargeIn ?? null,
    dtmf: { deliverToModel: def.dtmf.deliverToModel, collect: def.dtmf.collect !== undefined, coalesceMs: def.dtmf.coalesceMs },
    recording: def.recording,
    idle: def.idle === undefined ? false : { timeoutMs: def.idle.timeoutMs, maxPrompts: def.idle.maxPrompts },
    maxDuration: def.maxDuration === undefined ? false : { seconds: def.maxDuration.seconds, wrapUpBeforeS: def.maxDuration.wrapUpBeforeS, graceS: def.maxDuration.graceS },
    handBack: { onRealtimeFailure: def.handBack.onRealtimeFailure, onResponseFailure: def.handBack.onResponseFailure, apologyAudio: def.handBack.apologyAudio?.path ?? null },
    toolFiller: def.toolFiller === undefined ? null : { afterMs: def.toolFiller.afterMs, maxPlays: def.toolFiller.maxPlays, audio: def.toolFiller.path },
    handoffSummary: def.handoffSummary === undefined ? null : { timeoutMs: def.handoffSummary.timeoutMs, attributes: def.handoffSummary.attributes },
  };
}
