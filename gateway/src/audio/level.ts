/**
 * Frame levels in dBov (ITU-T G.100.1: 0 dBov is the RMS of a full-scale square wave, so a full-scale
 * sine is −3.01 dBov). Silence is reported as −127 dBov, the floor of the RFC 6464 audio-level
 * header extension, so a level can go straight into that 7-bit field and never be −Infinity.
 */
import { ALAW_DECODE_TABLE } from './alaw.js';
import type { G711Codec } from './g711-codec.js';
import { MULAW_DECODE_TABLE } from './mulaw.js';

/** Lowest level reported: digital silence and empty frames (RFC 6464 §3). */
export const MIN_LEVEL_DBOV = -127;

const FULL_SCALE_POWER = 32768 * 32768;

/** RMS level of the first `n` samples (clamped to the buffer) in dBov, floored at −127. */
export function frameEnergyDbov(pcm: Int16Array, n: number = pcm.length): number {
  const count = n > 0 ? Math.min(Math.floor(n), pcm.length) : 0;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const s = pcm[i] as number;
    sum += s * s;
  }
  return powerToDbov(sum, count);
}

/** Squared decoded value of each code, so a G.711 frame's level needs no decode buffer. */
const MULAW_POWER = squares(MULAW_DECODE_TABLE);
const ALAW_POWER = squares(ALAW_DECODE_TABLE);

/**
 * Level of the first `n` G.711 codes (clamped) in dBov, identical to `frameEnergyDbov` of the decoded
 * frame, without decoding into a buffer (a VAD or echo guard can look at payloads as they pass).
 */
export function energyOfG711(codes: Uint8Array, codec: G711Codec, n: number = codes.length): number {
  const count = n > 0 ? Math.min(Math.floor(n), codes.length) : 0;
  const power = codec.name === 'PCMU' ? MULAW_POWER : ALAW_POWER;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += power[codes[i] as number] as number;
  return powerToDbov(sum, count);
}

function powerToDbov(sumOfSquares: number, count: number): number {
  if (count === 0 || sumOfSquares === 0) return MIN_LEVEL_DBOV;
  return Math.max(MIN_LEVEL_DBOV, 10 * Math.log10(sumOfSquares / count / FULL_SCALE_POWER));
}

function squares(table: Readonly<Int16Array>): Float64Array {
  const out = new Float64Array(table.length);
  for (let i = 0; i < table.length; i++) out[i] = (table[i] as number) * (table[i] as number);
  return out;
}
