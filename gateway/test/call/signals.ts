/**
 * Test signals at chosen levels (dBov, ITU-T G.100.1: a full-scale sine is −3.01 dBov), as 8 kHz PCM
 * and as G.711 payloads, so echo-guard tests can say "agent at −10 dBov, caller 20 dB below".
 */
import { g711Codec, type G711Codec, type G711Name } from '../../src/audio/index.js';

export const FRAME_SAMPLES = 160;

/** A sine of `samples` samples at `dbov` (RMS), `hz` at 8 kHz; amplitude clamped to int16. */
export function sine(dbov: number, samples = FRAME_SAMPLES, hz = 400): Int16Array {
  const amplitude = Math.min(32_767, 32_768 * Math.SQRT2 * 10 ** (dbov / 20));
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8_000));
  return out;
}

/** Uniform white noise at `dbov` (RMS of uniform [−a, a] is a/√3), from a fixed seed: reproducible. */
export function noise(dbov: number, samples = FRAME_SAMPLES, seed = 1): Int16Array {
  const a = Math.min(32_767, 32_768 * Math.sqrt(3) * 10 ** (dbov / 20));
  const out = new Int16Array(samples);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < samples; i++) {
    // xorshift32: deterministic, bounded, no Math.random in tests.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = Math.round(a * ((state / 0xffff_ffff) * 2 - 1));
  }
  return out;
}

/** G.711-encodes PCM with the given law. */
export function encode(pcm: Int16Array, codec: G711Codec | G711Name = 'PCMU'): Uint8Array {
  const c = typeof codec === 'string' ? g711Codec(codec) : codec;
  const out = new Uint8Array(pcm.length);
  c.encode(pcm, out);
  return out;
}

/** One caller frame: the G.711 payload and the decoded PCM that the jitter buffer hands out with it. */
export function callerFrame(dbov: number, codec: G711Name = 'PCMU', kind: 'sine' | 'noise' = 'sine'): { payload: Uint8Array; pcm: Int16Array } {
  const c = g711Codec(codec);
  const payload = encode(kind === 'sine' ? sine(dbov) : noise(dbov), c);
  const pcm = new Int16Array(FRAME_SAMPLES);
  c.decode(payload, pcm);
  return { payload, pcm };
}

/** `frames` × 20 ms of G.711 tone, one level per frame (or one level for all). */
export function agentG711(levels: number | number[], frames = 1, codec: G711Name = 'PCMU'): Buffer {
  const list = typeof levels === 'number' ? Array.from({ length: frames }, () => levels) : levels;
  const out = Buffer.alloc(list.length * FRAME_SAMPLES);
  list.forEach((level, i) => out.set(encode(sine(level), codec), i * FRAME_SAMPLES));
  return out;
}

/** 24 kHz PCM16 little-endian tone (Realtime's pcm16 output format), `ms` long. */
export function pcm16At24k(dbov: number, ms: number, hz = 400): Buffer {
  const samples = ms * 24;
  const amplitude = Math.min(32_767, 32_768 * Math.SQRT2 * 10 ** (dbov / 20));
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 24_000)), 2 * i);
  return out;
}
