import { decodeAlaw, decodeMulaw, g711Codec } from 'connect-realtime-gateway';
import { readWav } from '../../callers/wav.js';
import { estimateDelaySamples } from '../../analysis/delay.js';
import { fractionalRead } from '../../analysis/fractional-read.js';

/** G.711 µ-law bytes (the lab's calls are PCMU unless a scenario says otherwise) to 8 kHz PCM. */
export function decodeG711(bytes: Buffer, law: 'PCMU' | 'PCMA' = 'PCMU'): Int16Array {
  const out = new Int16Array(bytes.length);
  (law === 'PCMU' ? decodeMulaw : decodeAlaw)(bytes, out);
  return out;
}

/**
 * SNR (dB) of `test` against `reference` after finding where `reference` sits inside `test` by
 * cross-correlation (to a fraction of a sample: resampling chains delay by non-integer amounts) and
 * fitting the best gain: what a listener would call "the same audio".
 */
export function alignedSnrDb(reference: Int16Array, test: Int16Array): number {
  const lag = estimateDelaySamples(reference, test);
  const aligned = fractionalRead(test, lag, reference.length);
  let dot = 0;
  let refEnergy = 0;
  for (let i = 0; i < reference.length; i++) {
    dot += reference[i]! * aligned[i]!;
    refEnergy += reference[i]! * reference[i]!;
  }
  if (refEnergy === 0) return -Infinity;
  const gain = dot / refEnergy;
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    const s = gain * reference[i]!;
    signal += s * s;
    noise += (aligned[i]! - s) * (aligned[i]! - s);
  }
  // Nothing of the reference in the test (silence there): no signal, not a perfect match.
  if (signal === 0) return -Infinity;
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

/** A fixture WAV as the G.711 µ-law bytes a PCMU call carries. */
export function encodeWavMulaw(path: string): Buffer {
  const { samples } = readWav(path);
  const out = Buffer.alloc(samples.length);
  g711Codec('PCMU').encode(samples, out);
  return out;
}
