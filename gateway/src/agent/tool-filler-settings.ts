/**
 * `toolFiller`: what the caller hears while one of the deployment's own tools (the tools module) is
 * slow. After `afterMs` with the tool still running and no agent audio playing, the gateway plays a
 * pre-rendered clip (`audio`, 8 kHz mono WAV, decoded and checked at start-up like the apology) and
 * cuts it the moment the tool's result is in, so the answer is never queued behind it. At most
 * `maxPlays` times per tool call, `afterMs` apart.
 *
 * Off by default: a filler is the deployment's own recording in the agent's voice and language; a
 * generic clip in another voice is worse than a short silence. Only a recording is offered, not a
 * model phrase: a spoken model response while the function call is outstanding takes the session's
 * one response slot (the answer's response.create would wait for it to finish), costs tokens and
 * first-audio latency, and in the default conversation becomes something the model "said" before the
 * result; a gateway clip costs nothing, starts on the 20 ms grid and is cut exactly.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../result.js';
import { decodeWav } from './apology-audio.js';
import { readFile } from 'node:fs/promises';

export const DEFAULT_TOOL_FILLER_AFTER_MS = 1_500;
export const DEFAULT_TOOL_FILLER_MAX_PLAYS = 2;
/** A filler is a phrase, not hold music: longer clips are refused at start-up. */
export const MAX_TOOL_FILLER_SECONDS = 5;

const whole = (min: number, max: number, unit = '') =>
  z
    .number({ error: `must be a whole number ${min}..${max}${unit}` })
    .int({ error: `must be a whole number ${min}..${max}${unit}` })
    .min(min, { error: `must be ${min}..${max}${unit}` })
    .max(max, { error: `must be ${min}..${max}${unit}` });

/** The file's `toolFiller` section. */
export const toolFillerFileSchema = z.strictObject({
  afterMs: whole(200, 10_000, ' ms').optional(),
  audio: z.string({ error: 'must be a path to an 8 kHz mono WAV' }).trim().min(1, { error: 'must not be empty' }).max(1_024, { error: 'must be at most 1024 characters' }),
  maxPlays: whole(1, 5).optional(),
});

export type ToolFillerFile = z.infer<typeof toolFillerFileSchema>;

export interface ToolFillerSettings {
  /** Tool running this long with no agent audio playing: the filler plays, ms. */
  afterMs: number;
  /** Plays per tool call at most (each `afterMs` after the previous one ended). */
  maxPlays: number;
  /** The clip, 8 kHz mono linear PCM. */
  samples: Int16Array;
  path: string;
}

/** Reads and checks the clip (start-up: a broken file stops the gateway, never a call). */
export async function resolveToolFiller(file: ToolFillerFile, path: string): Promise<Result<ToolFillerSettings, string>> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (cause) {
    return err(`audio: cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
  }
  const wav = decodeWav(buf);
  if (!wav.ok) return err(`audio: ${path}: ${wav.error}`);
  if (wav.value.length > MAX_TOOL_FILLER_SECONDS * 8_000) return err(`audio: ${path}: longer than ${MAX_TOOL_FILLER_SECONDS} s`);
  return ok({ afterMs: file.afterMs ?? DEFAULT_TOOL_FILLER_AFTER_MS, maxPlays: file.maxPlays ?? DEFAULT_TOOL_FILLER_MAX_PLAYS, samples: wav.value, path });
}
