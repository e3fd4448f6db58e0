/**
 * The AI backend as the call layer sees it: provider-neutral. `call/` depends only on this file, so a
 * second provider (OpenAI GPT-Live, another vendor) is a new `RealtimeBackendFactory`, not a change to
 * the call orchestrator. Everything here is plain data; no provider types leak through.
 */
import type { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';

/** Audio on the wire to the provider. `pcm16` is 24 kHz mono signed 16-bit little-endian. */
export type RealtimeAudioFormat = 'pcmu' | 'pcma' | 'pcm16';

export interface ServerVadTurnDetection {
  type: 'server_vad';
  /** Activation threshold 0..1 (provider default 0.5). */
  threshold: number;
  /** Audio kept before detected speech, ms. */
  prefixPaddingMs: number;
  /** Silence that ends a turn, ms. */
  silenceDurationMs: number;
  createResponse: boolean;
  interruptResponse: boolean;
  /** Provider nudges the model after this much caller silence once playback ended; ms. */
  idleTimeoutMs?: number;
}

export interface SemanticVadTurnDetection {
  type: 'semantic_vad';
  eagerness: 'low' | 'medium' | 'high' | 'auto';
  createResponse: boolean;
  interruptResponse: boolean;
}

export interface RealtimeFunctionToolConfig {
  type: 'function';
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface RealtimeMcpToolConfig {
  type: 'mcp';
  server_label: string;
  server_url: string;
  allowed_tools?: string[];
  require_approval?: 'never' | 'always';
  headers?: Record<string, string>;
}

export type RealtimeToolConfig = RealtimeFunctionToolConfig | RealtimeMcpToolConfig;

/**
 * What happens when a tool asks for approval before it runs (an Agents SDK tool with `needsApproval`,
 * a hosted MCP tool with `requireApproval`): on a phone call nobody can click "approve", so the agent
 * definition decides. `auto-deny` tells the model `denyMessage` instead of running the tool;
 * `hand-back` also denies it and hands the caller back to Amazon Connect (ai_outcome=transfer_to_human).
 */
export type ToolApprovalAction = 'auto-approve' | 'auto-deny' | 'hand-back';

export interface ToolApprovalPolicy {
  /** For every tool the `tools` map does not name. */
  default: ToolApprovalAction;
  /** Per tool name (function tools and MCP tools alike). */
  tools: Readonly<Record<string, ToolApprovalAction>>;
  /** What the model is told when a call is denied (auto-deny, hand-back). */
  denyMessage: string;
}

export interface RealtimeSessionConfig {
  model: string;
  instructions: string;
  voice: string;
  /** Used for both directions: the gateway speaks one format to the provider. */
  audioFormat: RealtimeAudioFormat;
  /** null = no provider turn detection (the caller of the backend commits turns itself). */
  turnDetection: ServerVadTurnDetection | SemanticVadTurnDetection | null;
  noiseReduction: 'near_field' | 'far_field' | null;
  /** Caller-side transcription; needed for reconnect replay of caller turns (audio cannot be replayed). */
  transcription: { model: string; language?: string; prompt?: string } | null;
  tools: RealtimeToolConfig[];
  /** Output speech speed 0.25..1.5. */
  speed?: number;
  maxOutputTokens?: number | 'inf';
  /** Approval-gated tools (agents-sdk provider); absent = auto-deny with the default message. */
  toolApproval?: ToolApprovalPolicy;
}

export type RealtimeConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'closed';

export interface RealtimeRateLimit {
  name: string;
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/** Typed tuple map for `EventEmitter<RealtimeBackendEvents>`. */
export interface RealtimeBackendEvents {
  /** Decoded output audio in the session format, in arrival order. */
  audio: [{ responseId: string; itemId: string; contentIndex: number; audio: Buffer }];
  audioDone: [{ responseId: string; itemId: string }];
  responseStarted: [{ responseId: string }];
  /** status: completed | cancelled | failed | incomplete (failed + statusDetails.code 'connection_lost' when the socket died). */
  responseDone: [{ responseId: string; status: string; statusDetails?: unknown; usage?: unknown }];
  speechStarted: [{ audioStartMs: number; itemId: string }];
  speechStopped: [{ audioEndMs: number; itemId: string }];
  functionCall: [{ callId: string; name: string; arguments: string; responseId: string; itemId: string }];
  /** Non-final events carry a delta; final events carry the whole text of the item. */
  transcript: [{ role: 'user' | 'assistant'; itemId: string; text: string; final: boolean }];
  truncated: [{ itemId: string; audioEndMs: number }];
  /** The caller's speech in `itemId` could not be transcribed (the model still heard the audio). */
  transcriptionFailed: [{ itemId: string; code?: string; message: string }];
  /**
   * Server VAD's idle_timeout_ms passed with no caller speech after the agent's last answer: the
   * provider committed the silence as `itemId` and answers it itself.
   */
  inputTimeout: [{ itemId: string; audioStartMs: number; audioEndMs: number }];
  rateLimits: [RealtimeRateLimit[]];
  error: [{ code?: string; message: string; eventId?: string; fatal: boolean }];
  state: [{ state: RealtimeConnectionState; reason?: string }];
  /**
   * The provider stopped the live answer itself (an output guardrail tripped): the call layer flushes
   * what is still queued for the caller and truncates the item at what was sent as RTP.
   */
  interrupted: [{ reason: 'guardrail'; itemId?: string }];
  /** The backend wants the caller handed back to Connect (a tool approval policy of `hand-back`). */
  handBackRequested: [{ reason: string }];
}

export interface RealtimeBackendStats {
  /** Bytes handed to the provider by appendAudio. */
  appendedBytes: number;
  /** Bytes appendAudio dropped because no session was ready (connecting, reconnecting, closed). */
  droppedAudioBytes: number;
  /** Output audio deltas emitted as `audio`. */
  deltasReceived: number;
  deltaBytes: number;
  /** Deltas that arrived for responses we had already cancelled. */
  lateDeltasDropped: number;
  /** Server events that were unknown or failed validation (counted, logged, never thrown). */
  droppedEvents: number;
  /** Server `error` events. */
  serverErrors: number;
  /** Successful reconnects after a lost socket. */
  reconnects: number;
  /** Transparent session renewals (new socket swapped in before the provider's session limit). */
  renewals: number;
  /** Transcript characters dropped over the per-item or per-call cap (RealtimeStreamLimits). */
  transcriptCharsDropped: number;
  /** Audio deltas for items no response.output_item.added announced: dropped, never played. */
  unknownItemDeltasDropped: number;
  /** Listener or routing exceptions inside this backend's event handling (each one ends the backend). */
  internalErrors: number;
  lastRateLimits?: RealtimeRateLimit[];
}

/**
 * What one call's AI stream may cost, whatever the service sends (issue 9: a hostile or broken stream
 * must end its own call, never the process). Set from the environment; see README.
 */
export interface RealtimeStreamLimits {
  /** Transcript text kept per item (deltas together, or the final text), UTF-16 chars; beyond: dropped and counted. */
  maxTranscriptItemChars: number;
  /** Transcript text kept per call, all items together, chars. */
  maxTranscriptCallChars: number;
  /** Reconnects per call (backoff grows with each); one more lost socket fails the backend (AI-lost policy). */
  maxReconnects: number;
}

/** ~4 000 tokens of speech per item, ~64 items of that per call; a lost socket 5 times is a broken service. */
export const DEFAULT_REALTIME_STREAM_LIMITS: Readonly<RealtimeStreamLimits> = Object.freeze({
  maxTranscriptItemChars: 16_384,
  maxTranscriptCallChars: 1_048_576,
  maxReconnects: 5,
});

export interface RealtimeConnectOptions {
  /** Overall deadline for connect(), ms, including retries. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RealtimeBackend extends EventEmitter<RealtimeBackendEvents> {
  /** Resolves once the provider confirmed our session configuration. Rejects with a RealtimeError. */
  connect(config: RealtimeSessionConfig, opts?: RealtimeConnectOptions): Promise<void>;
  /** Caller audio in the session format. Dropped and counted while not ready. */
  appendAudio(bytes: Uint8Array): void;
  /** audioEndMs = audio actually played; clamped to what was received for the item. */
  truncate(itemId: string, contentIndex: number, audioEndMs: number): void;
  /**
   * Removes an agent item the caller never heard from the conversation (a later audio item of an
   * interrupted response). Ignored for items not delivered on the live session.
   */
  deleteItem(itemId: string): void;
  /** Without an id: the response in progress, if any. Later audio of a cancelled response is dropped. */
  cancelResponse(responseId?: string): void;
  createResponse(opts?: { instructions?: string }): void;
  /** Adds the tool result; respond (default true) asks for the next response. */
  sendFunctionOutput(callId: string, output: string, opts?: { respond?: boolean }): void;
  /** A user text turn (e.g. DTMF digits). respond defaults to false. */
  addUserText(text: string, opts?: { respond?: boolean }): void;
  /**
   * An out-of-band text answer to `instructions` that adds nothing to the conversation and plays
   * nothing to the caller (GA: `response.create` with `conversation: "none"` and text output; the
   * answer is read from its `response.done`). Waits its turn behind a response in progress. Resolves
   * with the text, or undefined when this session cannot give one (not ready, closed, the response
   * failed, or the provider does not support it). The caller bounds its wait.
   */
  askOutOfBand(instructions: string, opts?: { maxOutputTokens?: number }): Promise<string | undefined>;

  /**
   * Something the gateway said in the agent's voice (a pre-recorded greeting), as an assistant text
   * message, so the model knows it was said. No response is requested.
   */
  addAssistantText(text: string): void;
  /** Changes the live session; also kept for reconnects and renewals. */
  updateSession(partial: Partial<RealtimeSessionConfig>): void;
  stats(): RealtimeBackendStats;
  /** Idempotent. Closes sockets and timers; no event is emitted after state 'closed'. */
  close(): Promise<void>;
  /**
   * Also tells `hook` when one of this backend's listeners throws (it is counted and logged either
   * way): the call that owns the listeners ends itself instead of going on half-updated.
   */
  onListenerFault(hook: (event: string, error: unknown) => void): void;
}

export interface RealtimeBackendCreateOptions {
  /** The call's logger (already bound to the SIP Call-ID). */
  logger: Logger;
  callId: string;
  clock: Clock;
  /** Default: DEFAULT_REALTIME_STREAM_LIMITS. */
  limits?: RealtimeStreamLimits;
}

export interface RealtimeBackendFactory {
  readonly provider: string;
  create(opts: RealtimeBackendCreateOptions): RealtimeBackend;
}
