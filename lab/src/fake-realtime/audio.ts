/**
 * Audio plumbing of the fake, built on the gateway's own codecs so the lab exercises the same code:
 * script sources -> 8 kHz PCM -> session output format; session input format -> PCM for the VAD.
 */
import {
  decodeAlaw,
  decodeMulaw,
  encodeAlaw,
  encodeMulaw,
  Upsampler8to24,
  type RealtimeAudioFormat,
} from 'connect-realtime-gateway';
import type { FakeAudioSource } from './script.js';
import { readPcm16Wav } from './wav.js';

export const SAMPLE_RATE_8K = 8000;

/** Sample rate of a session format (pcm16 is the API's 24 kHz). */
export function formatSampleRate(format: RealtimeAudioFormat): number {
  return format === 'pcm16' ? 24000 : 8000;
}

/** Bytes per ms of a session format. */
export function formatBytesPerMs(format: RealtimeAudioFormat): number {
  return format === 'pcm16' ? 48 : 8;
}

/** Any script source as 8 kHz samples. Throws (at load time) on unreadable or wrong-rate WAVs. */
export function sourceToPcm8k(source: FakeAudioSource): Int16Array {
  if ('pcm8k' in source) return source.pcm8k;
  if ('silenceMs' in source) return new Int16Array(Math.round((source.silenceMs * SAMPLE_RATE_8K) / 1000));
  if ('tone' in source) {
    const { hz, ms, dbov = -12 } = source.tone;
    const n = Math.round((ms * SAMPLE_RATE_8K) / 1000);
    // dBov of a sine: peak = 32768 * sqrt(2) * 10^(dbov/20) (0 dBov = full-scale square RMS).
    const peak = Math.min(32767, 32768 * Math.SQRT2 * 10 ** (dbov / 20));
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.round(peak * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE_8K));
    return out;
  }
  const wav = readPcm16Wav(source.wav);
  if (wav.sampleRate !== SAMPLE_RATE_8K) throw new Error(`${source.wav}: need 8000 Hz, got ${wav.sampleRate} Hz`);
  return wav.samples;
}

/** 8 kHz PCM -> bytes in the session's output format. */
export function encodeForFormat(pcm8k: Int16Array, format: RealtimeAudioFormat): Uint8Array {
  switch (format) {
    case 'pcmu': {
      const out = new Uint8Array(pcm8k.length);
      encodeMulaw(pcm8k, out);
      return out;
    }
    case 'pcma': {
      const out = new Uint8Array(pcm8k.length);
      encodeAlaw(pcm8k, out);
      return out;
    }
    case 'pcm16': {
      const up = new Int16Array(pcm8k.length * 3);
      new Upsampler8to24().process(pcm8k, up);
      const out = Buffer.alloc(up.length * 2);
      for (let i = 0; i < up.length; i++) out.writeInt16LE(up[i] as number, 2 * i);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
  }
}

/**
 * Session-format bytes -> PCM samples (8 kHz for G.711, 24 kHz for pcm16). `out` is grown as needed
 * and returned with the sample count, so a session reuses one buffer across appends.
 */
export function decodeToPcm(bytes: Uint8Array, format: RealtimeAudioFormat, out: Int16Array): { pcm: Int16Array; n: number } {
  const n = format === 'pcm16' ? bytes.length >> 1 : bytes.length;
  const pcm = out.length >= n ? out : new Int16Array(Math.max(n, out.length * 2));
  if (format === 'pcmu') decodeMulaw(bytes, pcm, n);
  else if (format === 'pcma') decodeAlaw(bytes, pcm, n);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) pcm[i] = view.getInt16(2 * i, true);
  }
  return { pcm, n };
}
