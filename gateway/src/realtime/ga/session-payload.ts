/**
 * RealtimeSessionConfig (ours, provider-neutral) -> GA `session.update` payload. Pure, and the only
 * place that knows the GA session shape: the openai provider sends this payload, the agents-sdk
 * provider hands its parts to the SDK (which takes GA snake_case settings as they are).
 * Fields absent from a partial update are left out, which the provider reads as "unchanged".
 *
 * The part builders return exact types of our own (not the SDK's, whose fields are all optional) so
 * they fit both the openai package's and the Agents SDK's session types.
 */
import type { RealtimeSessionCreateRequest, RealtimeToolsConfigUnion } from 'openai/resources/realtime/realtime';
import type { RealtimeAudioFormat, RealtimeSessionConfig, RealtimeToolConfig } from '../backend.js';

export type WireAudioFormat = { type: 'audio/pcmu' } | { type: 'audio/pcma' } | { type: 'audio/pcm'; rate: 24000 };

export type WireTurnDetection =
  | { type: 'semantic_vad'; eagerness: 'low' | 'medium' | 'high' | 'auto'; create_response: boolean; interrupt_response: boolean }
  | {
      type: 'server_vad';
      threshold: number;
      prefix_padding_ms: number;
      silence_duration_ms: number;
      create_response: boolean;
      interrupt_response: boolean;
      idle_timeout_ms?: number;
    };

export type WireTranscription = { model: string; language?: string; prompt?: string };
export type WireNoiseReduction = { type: 'near_field' | 'far_field' };

export function toWireFormat(format: RealtimeAudioFormat): WireAudioFormat {
  switch (format) {
    case 'pcmu':
      return { type: 'audio/pcmu' };
    case 'pcma':
      return { type: 'audio/pcma' };
    case 'pcm16':
      return { type: 'audio/pcm', rate: 24000 };
  }
}

/** null switches provider turn detection off. */
export function toWireTurnDetection(td: RealtimeSessionConfig['turnDetection']): WireTurnDetection | null {
  if (td === null) return null;
  if (td.type === 'semantic_vad') {
    return { type: 'semantic_vad', eagerness: td.eagerness, create_response: td.createResponse, interrupt_response: td.interruptResponse };
  }
  return {
    type: 'server_vad',
    threshold: td.threshold,
    prefix_padding_ms: td.prefixPaddingMs,
    silence_duration_ms: td.silenceDurationMs,
    create_response: td.createResponse,
    interrupt_response: td.interruptResponse,
    ...(td.idleTimeoutMs === undefined ? {} : { idle_timeout_ms: td.idleTimeoutMs }),
  };
}

/** null switches caller transcription off (and with it the text of caller turns for replay). */
export function toWireTranscription(t: RealtimeSessionConfig['transcription']): WireTranscription | null {
  return t === null ? null : { ...t };
}

/** null switches noise reduction off. */
export function toWireNoiseReduction(nr: RealtimeSessionConfig['noiseReduction']): WireNoiseReduction | null {
  return nr === null ? null : { type: nr };
}

function toWireTool(tool: RealtimeToolConfig): RealtimeToolsConfigUnion {
  if (tool.type === 'function') {
    return { type: 'function', name: tool.name, description: tool.description, parameters: tool.parameters };
  }
  return {
    type: 'mcp',
    server_label: tool.server_label,
    server_url: tool.server_url,
    ...(tool.allowed_tools === undefined ? {} : { allowed_tools: tool.allowed_tools }),
    ...(tool.require_approval === undefined ? {} : { require_approval: tool.require_approval }),
    ...(tool.headers === undefined ? {} : { headers: tool.headers }),
  };
}

/** The whole session: sent on every (re)connect and renewal. */
export function toSessionPayload(config: RealtimeSessionConfig): RealtimeSessionCreateRequest {
  return toPartialSessionPayload(config);
}

/** Only the fields present in `partial`. `type: 'realtime'` is always required by the GA API. */
export function toPartialSessionPayload(partial: Partial<RealtimeSessionConfig>): RealtimeSessionCreateRequest {
  const out: RealtimeSessionCreateRequest = { type: 'realtime' };
  if (partial.model !== undefined) out.model = partial.model;
  if (partial.instructions !== undefined) out.instructions = partial.instructions;
  if (partial.tools !== undefined) out.tools = partial.tools.map(toWireTool);
  if (partial.maxOutputTokens !== undefined) out.max_output_tokens = partial.maxOutputTokens;

  const input: NonNullable<NonNullable<RealtimeSessionCreateRequest['audio']>['input']> = {};
  const output: NonNullable<NonNullable<RealtimeSessionCreateRequest['audio']>['output']> = {};
  if (partial.audioFormat !== undefined) {
    input.format = toWireFormat(partial.audioFormat);
    output.format = toWireFormat(partial.audioFormat);
  }
  if (partial.turnDetection !== undefined) input.turn_detection = toWireTurnDetection(partial.turnDetection);
  // The SDK types have no null for these two, but the API documents `null` as "off" (and it is the
  // only way to turn them off again); the casts keep the wire value honest.
  if (partial.noiseReduction !== undefined) input.noise_reduction = toWireNoiseReduction(partial.noiseReduction) as typeof input.noise_reduction;
  if (partial.transcription !== undefined) input.transcription = toWireTranscription(partial.transcription) as typeof input.transcription;
  if (partial.voice !== undefined) output.voice = partial.voice;
  if (partial.speed !== undefined) output.speed = partial.speed;

  const audio: NonNullable<RealtimeSessionCreateRequest['audio']> = {};
  if (Object.keys(input).length > 0) audio.input = input;
  if (Object.keys(output).length > 0) audio.output = output;
  if (audio.input !== undefined || audio.output !== undefined) out.audio = audio;
  return out;
}
