/**
 * The agent file's `greeting:` and `bargeIn:` settings, resolved. A greeting is either the plain
 * string of old (instructions for a first model response), or an object:
 *
 *   greeting:
 *     audio: ./greeting.wav        # played by the gateway right after the ACK (no wait for the model)
 *     text: Hello, you are ...     # what the recording says: given to the model as its own message
 *     instructions: Ask how ...    # optional: a first model response after it
 *     interruptible: false         # the caller cannot talk over the greeting (default true)
 *
 * `text` without `audio` is spoken by the model word for word (a disclosure). The recording is read
 * and checked at start-up like handBack.apologyAudio (same decoder, 8 kHz mono PCM16 or G.711 WAV).
 */
import { isAbsolute, resolve } from 'node:path';
import type { ApologyAudio } from './apology-audio.js';
import { loadWavClip } from './apology-audio.js';

/** A greeting recording: a sentence or a disclosure, not hold music. */
export const MAX_GREETING_AUDIO_SECONDS = 60;
export const MAX_GREETING_CHARS = 4_000;
/** Longest bargeIn.minSpeechMs: past this a caller could hardly stop the agent at all. */
export const MAX_BARGE_IN_MIN_SPEECH_MS = 2_000;
export const DEFAULT_BARGE_IN_MIN_SPEECH_MS = 0;

export interface GreetingAudio extends ApologyAudio {
  /** What the recording says: the model gets it as an assistant message, so it does not greet again. */
  text: string;
}

export interface BargeInSettings {
  /**
   * Caller speech over the agent must last this long (from the provider's speech_started, counting
   * only voiced frames at the end) before the agent is cut off; ms. 0: the provider interrupts at
   * once, as without this setting.
   */
  minSpeechMs: number;
}

/** The file's greeting as written (after the schema). */
export type GreetingFile = string | { instructions?: string; text?: string; audio?: string; interruptible?: boolean };

export interface ResolvedGreeting {
  /** Instructions of the first model response (string form, `instructions`, or `text` to be said word for word). */
  instructions?: string;
  audio?: GreetingAudio;
  interruptible: boolean;
}

/** The first response's instructions when the model itself must say a fixed text (a disclosure). */
export function sayExactly(text: string): string {
  return `Greet the caller by saying exactly the following, word for word, and nothing else: "${text}"`;
}

/** Problems go to `problems`, one line each, prefixed with `at`. */
export async function resolveGreeting(g: GreetingFile | undefined, at: string, baseDir: string, problems: string[]): Promise<ResolvedGreeting | undefined> {
  if (g === undefined) return undefined;
  if (typeof g === 'string') return { instructions: g, interruptible: true };
  const out: ResolvedGreeting = { interruptible: g.interruptible ?? true };
  if (g.audio !== undefined) {
    if (g.text === undefined) {
      problems.push(`${at}.text: required with greeting.audio (what the recording says, so the model knows it was said)`);
      return undefined;
    }
    const path = isAbsolute(g.audio) ? g.audio : resolve(baseDir, g.audio);
    const loaded = await loadWavClip(path, MAX_GREETING_AUDIO_SECONDS);
    if (!loaded.ok) {
      problems.push(`${at}.audio: ${loaded.error}`);
      return undefined;
    }
    out.audio = { ...loaded.value, text: g.text };
    if (g.instructions !== undefined) out.instructions = g.instructions;
    return out;
  }
  if (g.text !== undefined && g.instructions !== undefined) {
    problems.push(`${at}: give either instructions or text (said word for word by the model), not both, unless text is the transcript of greeting.audio`);
    return undefined;
  }
  const instructions = g.instructions ?? (g.text === undefined ? undefined : sayExactly(g.text));
  if (instructions === undefined) {
    problems.push(`${at}: needs instructions, text or audio`);
    return undefined;
  }
  out.instructions = instructions;
  return out;
}
