/**
 * The gateway's RealtimeSessionConfig -> the Agents SDK's session config (`RealtimeSession`'s
 * `options.config`, camelCase, GA shape: `audio.input.format` etc.). Pure.
 *
 * What is NOT mapped here, on purpose: `instructions` and `tools` (the SDK derives both from the
 * current agent on every session.update, so they are added to the agent instead, see
 * agent-overlay.ts) and `model` (a RealtimeSession option of its own).
 */
import type { RealtimeAgent, RealtimeSessionConfig as SdkSessionConfig } from '@openai/agents-realtime';
import type { RealtimeAudioFormat, RealtimeSessionConfig } from '../backend.js';

/** The GA (non-deprecated) arm of the SDK's config union: `audio.input.format`, not `inputAudioFormat`. */
type SdkConfig = Partial<Exclude<SdkSessionConfig, { inputAudioFormat: unknown }>>;
type SdkAudioFormat = { type: 'audio/pcmu' } | { type: 'audio/pcma' } | { type: 'audio/pcm'; rate: number };

export function toSdkAudioFormat(format: RealtimeAudioFormat): SdkAudioFormat {
  switch (format) {
    case 'pcmu':
      return { type: 'audio/pcmu' };
    case 'pcma':
      return { type: 'audio/pcma' };
    case 'pcm16':
      return { type: 'audio/pcm', rate: 24_000 };
  }
}

function toSdkTurnDetection(td: RealtimeSessionConfig['turnDetection']): Record<string, unknown> | null {
  if (td === null) return null;
  if (td.type === 'semantic_vad') {
    return { type: 'semantic_vad', eagerness: td.eagerness, createResponse: td.createResponse, interruptResponse: td.interruptResponse };
  }
  return {
    type: 'server_vad',
    threshold: td.threshold,
    prefixPaddingMs: td.prefixPaddingMs,
    silenceDurationMs: td.silenceDurationMs,
    createResponse: td.createResponse,
    interruptResponse: td.interruptResponse,
    ...(td.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: td.idleTimeoutMs }),
  };
}

/**
 * The agent's own voice wins when it has one (its author chose it; the SDK cannot change voice once
 * the model spoke anyway); otherwise the gateway's configured voice.
 */
export function chooseVoice(agent: RealtimeAgent, config: Pick<RealtimeSessionConfig, 'voice'>): string {
  return typeof agent.voice === 'string' && agent.voice.length > 0 ? agent.voice : config.voice;
}

/** The whole gateway session as SDK config (the SDK fills what is absent with its defaults). */
export function toSdkSessionConfig(config: RealtimeSessionConfig, voice: string): SdkConfig {
  const format = toSdkAudioFormat(config.audioFormat);
  return {
    outputModalities: ['audio'],
    audio: {
      input: {
        format,
        turnDetection: toSdkTurnDetection(config.turnDetection),
        transcription: config.transcription === null ? null : { ...config.transcription },
        noiseReduction: config.noiseReduction === null ? null : { type: config.noiseReduction },
      },
      output: {
        format,
        voice,
        ...(config.speed === undefined ? {} : { speed: config.speed }),
      },
    },
    // No camelCase field for it in the SDK; providerData is spread into the session.update payload.
    ...(config.maxOutputTokens === undefined ? {} : { providerData: { max_output_tokens: config.maxOutputTokens } }),
  };
}

/**
 * Top-level keys of the SDK's deprecated (beta) config shape. The SDK switches its whole mapping to
 * the deprecated path when any of them is present, which would silently drop our `audio` block.
 */
const DEPRECATED_KEYS: readonly string[] = ['modalities', 'inputAudioFormat', 'outputAudioFormat', 'inputAudioTranscription', 'turnDetection', 'inputAudioNoiseReduction', 'speed'];

/**
 * The deployment's `sessionOptions.config` under ours: its other fields (toolChoice, reasoning,
 * prompt, tracing, extra providerData) survive, ours win where both speak. Deprecated audio keys of
 * the deployment's config are dropped (see DEPRECATED_KEYS); the gateway's audio settings apply.
 */
export function mergeSdkConfig(user: Partial<SdkSessionConfig> | undefined, ours: SdkConfig): SdkConfig {
  if (user === undefined) return ours;
  const kept: SdkConfig = Object.fromEntries(Object.entries(user).filter(([key]) => !DEPRECATED_KEYS.includes(key)));
  const userAudio = kept.audio;
  const ourAudio = ours.audio;
  const providerData = kept.providerData === undefined && ours.providerData === undefined ? undefined : { ...kept.providerData, ...ours.providerData };
  return {
    ...kept,
    ...ours,
    audio: {
      input: { ...(userAudio?.input ?? {}), ...(ourAudio?.input ?? {}) },
      output: { ...(userAudio?.output ?? {}), ...(ourAudio?.output ?? {}) },
    },
    ...(providerData === undefined ? {} : { providerData }),
  };
}
