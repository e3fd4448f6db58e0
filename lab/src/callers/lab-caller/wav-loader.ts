/**
 * Loading the WAVs a script speaks: 8 kHz mono 16-bit PCM (the fixtures' format), read whole and
 * once before the call starts, so a bad file fails the run up front, not in the middle of a call.
 */
import { LabCallerError, LabCallerErrorCode } from './errors.js';
import { readWav, wavBytes } from '../wav.js';
import { describeError } from 'connect-realtime-gateway';

export function loadSpeechWav(path: string): Int16Array {
  let pcm: { sampleRate: number; samples: Int16Array };
  try {
    pcm = readWav(path);
  } catch (err) {
    throw new LabCallerError(LabCallerErrorCode.BAD_WAV, `${path}: ${describeError(err)}`, { cause: err });
  }
  if (pcm.sampleRate !== 8000) throw new LabCallerError(LabCallerErrorCode.BAD_WAV, `${path}: must be 8 kHz, is ${pcm.sampleRate} Hz`);
  return pcm.samples;
}

export function loadSpeechWavs(paths: readonly string[]): Map<string, Int16Array> {
  const out = new Map<string, Int16Array>();
  for (const p of paths) out.set(p, loadSpeechWav(p));
  return out;
}

/** The received audio of a result as WAV bytes (8 kHz mono 16-bit). */
export function receivedAudioWav(samples: Int16Array): Buffer {
  return wavBytes(samples, 8000);
}
