import type { RealtimeSessionConfig } from '../backend.js';

const AUDIO_FORMATS: ReadonlySet<string> = new Set(['pcmu', 'pcma', 'pcm16']);

/**
 * The session config fields whose mistakes would otherwise surface only as a provider rejection
 * mid-call: a description of the first bad one, or undefined.
 */
export function invalidSessionConfigField(c: RealtimeSessionConfig): string | undefined {
  if (typeof c.model !== 'string' || c.model.length === 0) return 'model must be a non-empty string';
  if (!AUDIO_FORMATS.has(c.audioFormat)) return `audioFormat must be pcmu, pcma or pcm16, got ${String(c.audioFormat)}`;
  if (typeof c.voice !== 'string' || c.voice.length === 0) return 'voice must be a non-empty string';
  if (c.speed !== undefined && !(c.speed >= 0.25 && c.speed <= 1.5)) return `speed must be 0.25..1.5, got ${c.speed}`;
  return undefined;
}
