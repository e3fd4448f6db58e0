/**
 * The recording played to the caller when the AI is unavailable, just before the hand-back BYE. Read
 * and checked at start-up — a missing or wrong-rate file must not surface during an outage, which is
 * exactly when it is needed. Phone-leg format only: 8 kHz mono, 16-bit PCM or G.711 (µ-law/A-law) WAV.
 */
import { readFile, stat } from 'node:fs/promises';
import { decodeAlaw, decodeMulaw } from '../audio/index.js';
import { err, ok, type Result } from '../result.js';

export const APOLOGY_SAMPLE_RATE = 8_000;
/** Longest apology we accept: a sentence or two, not hold music. */
export const MAX_APOLOGY_SECONDS = 30;
/** Room for the RIFF header and metadata chunks (LIST, bext…) beside the audio. */
const MAX_WAV_HEADER_BYTES = 64 * 1024;

export interface ApologyAudio {
  path: string;
  /** 8 kHz mono linear PCM. */
  samples: Int16Array;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export async function loadApologyAudio(path: string): Promise<Result<ApologyAudio, string>> {
  return loadWavClip(path, MAX_APOLOGY_SECONDS);
}

/** Any of the gateway's own recordings (apology, greeting): read, checked and decoded, at most `maxSeconds` long. */
export async function loadWavClip(path: string, maxSeconds: number): Promise<Result<ApologyAudio, string>> {
  let buf: Buffer;
  try {
    // Bounded before reading: 16-bit PCM of the longest clip plus room for header chunks.
    const size = (await stat(path)).size;
    if (size > maxSeconds * APOLOGY_SAMPLE_RATE * 2 + MAX_WAV_HEADER_BYTES) return err(`${path}: file of ${size} bytes is too large for ${maxSeconds} s of 8 kHz audio`);
    buf = await readFile(path);
  } catch (cause) {
    return err(`cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
  }
  const wav = decodeWav(buf, maxSeconds);
  if (!wav.ok) return err(`${path}: ${wav.error}`);
  return ok({ path, samples: wav.value });
}

/** RIFF/WAVE → 8 kHz mono samples, or why not. */
export function decodeWav(buf: Buffer, maxSeconds: number = MAX_APOLOGY_SECONDS): Result<Int16Array, string> {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return err('not a RIFF/WAVE file');
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let offset = 12;
  // Bounded: every iteration advances by at least the 8-byte chunk header.
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ' && body + 16 <= buf.length) {
      let format = buf.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first two bytes of its sub-format GUID.
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 26 && body + 26 <= buf.length) format = buf.readUInt16LE(body + 24);
      fmt = { format, channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (fmt === undefined) return err('data chunk before fmt chunk');
      if (fmt.channels !== 1 || fmt.rate !== APOLOGY_SAMPLE_RATE) return err(`need 8000 Hz mono, got ${fmt.rate} Hz ${fmt.channels === 1 ? 'mono' : `with ${fmt.channels} channels`} (convert: sox in.wav -r 8000 -c 1 -b 16 out.wav)`);
      const data = buf.subarray(body, Math.min(buf.length, body + size));
      const pcm = fmt.format === WAVE_FORMAT_PCM && fmt.bits === 16;
      const g711 = (fmt.format === WAVE_FORMAT_MULAW || fmt.format === WAVE_FORMAT_ALAW) && fmt.bits === 8;
      if (!pcm && !g711) return err(`need 16-bit PCM or 8-bit G.711, got format ${fmt.format} with ${fmt.bits} bits`);
      const count = pcm ? data.length >> 1 : data.length;
      if (count === 0) return err('no audio in the data chunk');
      if (count > maxSeconds * APOLOGY_SAMPLE_RATE) return err(`longer than ${maxSeconds} s`);
      const samples = new Int16Array(count);
      if (pcm) for (let i = 0; i < count; i++) samples[i] = data.readInt16LE(2 * i);
      else if (fmt.format === WAVE_FORMAT_MULAW) decodeMulaw(data, samples);
      else decodeAlaw(data, samples);
      return ok(samples);
    }
    offset = body + size + (size & 1);
  }
  return err('no data chunk');
}
