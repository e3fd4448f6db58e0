/**
 * The gateway's RealtimeSessionConfig -> the Agents SDK's session config (`RealtimeSession`'s
 * `options.config`, GA shape: `audio.input.format` etc.). Pure. The settings themselves are the GA
 * wire values of the shared session payload (ga/session-payload.ts): the SDK passes snake_case turn
 * detection, transcription and noise reduction through to its session.update as they are.
 *
 * What is NOT mapped here, on purpose: `instructions` and `tools` (the SDK derives both from the
 * current agent on every session.update, so they are added to the agent instead, see
 * agent-overlay.ts) and `model` (a RealtimeSession option of its own).
 */
import type { RealtimeAgent, RealtimeSessionConfig as SdkSessionConfig } from '@openai/agents-realtime';
import type { RealtimeSessionConfig } from '../backend.js';
import { toWireFormat, toWireNoiseReduction, toWireTranscription, toWireTurnDetection } from '../ga/session-payload.js';

/** The GA (non-deprecated) arm of the SDK's config union: `audio.input.format`, not `inputAudioFormat`. */
type SdkConfig = Partial<Exclude<SdkSessionConfig, { inputAudioFormat: unknown }>>;

/**
 * The agent's own voice wins when it has one (its author chose it; the SDK cannot change voice once
 * the model spoke anyway); otherwise the gateway's configured voice.
 */
export function chooseVoice(agent: RealtimeAgent, config: Pick<RealtimeSessionConfig, 'voice'>): string {
  return typeof agent.voice === 'string' && agent.voice.length > 0 ? agent.voice : config.voice;
}

/** The whole gateway session as SDK config (the SDK fills what is absent with its defaults). */
export function toSdkSessionConfig(config: RealtimeSessionConfig, voice: string): SdkConfig {
  const format = toWireFormat(config.audioFormat);
  return {
    outputModalities: ['audio'],
    audio: {
      input: {
        format,
        turnDetection: toWireTurnDetection(config.turnDetection),
        transcription: toWireTranscription(config.transcription),
        noiseReduction: toWireNoiseReduction(config.noiseReduction),
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
