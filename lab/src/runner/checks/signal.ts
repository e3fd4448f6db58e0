import { decodeAlaw, decodeMulaw } from '../../../../gateway/src/index.js';
import { estimateDelaySamples } from '../../analysis/delay.js';

/** G.711 µ-law bytes (the lab's calls are PCMU unless a scenario says otherwise) to 8 kHz PCM. */
export function decodeG711(bytes: Buffer, law: 'PCMU' | 'PCMA' = 'PCMU'): Int16Array {
  const out = new Int16Array(bytes.length);
  (law === 'PCMU' ? decodeMulaw : decodeAlaw)(bytes, out);
  return out;
}

/**
 * SNR (dB) of `test` against `reference` after finding where `reference` sits inside `test` by
 * cross-correlation and fitting the best gain: what a listener would call "the same audio".
 */
export function alignedSnrDb(reference: Int16Array, test: Int16Array): number {
  const lag = Math.round(estimateDelaySamples(reference, test));
  let dot = 0;
  let refEnergy = 0;
  for (let i = 0; i < reference.length; i++) {
    const t = test[i + lag];
    if (t === undefined) continue;
    dot += reference[i]! * t;
    refEnergy += reference[i]! * reference[i]!;
  }
  if (refEnergy === 0) return -Infinity;
  const gain = dot / refEnergy;
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    const t = test[i + lag] ?? 0;
    const s = gain * reference[i]!;
    signal += s * s;
    noise += (t - s) * (t - s);
  }
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}
