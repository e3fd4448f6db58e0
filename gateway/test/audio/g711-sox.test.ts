/**
 * Cross-check against SoX 14.4 (an independent reference tool) on a sweep of every 16-bit value.
 *
 * Finding, asserted below: SoX decodes all 256 codes exactly like G.191, and encodes like G.191
 * except that it first ROUNDS the 16-bit sample to the law's resolution, where G.191 TRUNCATES:
 *  - A-law: SoX(x) == G.191(x + 4)   (round half up to the 12-bit grid of 16 values);
 *  - µ-law: SoX(x) == G.191(x + 2) for x >= 0 and G.191(x − 2) for x < 0 (round half away from zero
 *    on the 14-bit grid, in sign-magnitude), except x = −1, −2, which SoX rounds to +0 (0xFF) where
 *    G.191 gives −0 (0x7F).
 * So the two disagree only on the 2 (µ-law) or 4 (A-law) inputs just below each of the 255 decision
 * thresholds, always by one quantisation level. We follow G.191; SoX agrees everywhere else.
 */
import { describe, expect, it } from 'vitest';
import { soxDecodeG711, soxEncodeG711 } from '../../../lab/src/analysis/index.js';
import { alawDecodeSample, alawEncodeSample, mulawDecodeSample, mulawEncodeSample } from '../../src/audio/index.js';

const SWEEP = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);
const clamp16 = (v: number) => Math.max(-32768, Math.min(32767, v));

/** Position of a code's decoded value among the law's distinct output levels, lowest first. */
function levelIndexer(decode: (code: number) => number): (code: number) => number {
  const levels = [...new Set([...ALL_CODES].map(decode))].sort((a, b) => a - b);
  return (code) => levels.indexOf(decode(code));
}
const muLevel = levelIndexer(mulawDecodeSample);
const aLevel = levelIndexer(alawDecodeSample);

describe('G.711 vs SoX 14.4 on a full 16-bit sweep', () => {
  it('µ-law: SoX decodes all 256 codes exactly as we do', () => {
    const decoded = soxDecodeG711(ALL_CODES, 'u-law');
    expect([...decoded]).toEqual([...ALL_CODES].map(mulawDecodeSample));
  });

  it('A-law: SoX decodes all 256 codes exactly as we do', () => {
    const decoded = soxDecodeG711(ALL_CODES, 'a-law');
    expect([...decoded]).toEqual([...ALL_CODES].map(alawDecodeSample));
  });

  it('µ-law: SoX agrees except on 510 inputs just below thresholds, explained by its rounding', () => {
    const sox = soxEncodeG711(SWEEP, 'u-law');
    expect(sox.length).toBe(SWEEP.length);
    const disagreements: number[] = [];
    for (let i = 0; i < SWEEP.length; i++) {
      const x = SWEEP[i]!;
      const ours = mulawEncodeSample(x);
      const roundedByRule = x === -1 || x === -2 ? 0xff : mulawEncodeSample(clamp16(x >= 0 ? x + 2 : x - 2));
      expect(sox[i], `x=${x}`).toBe(roundedByRule);
      if (sox[i] !== ours) {
        disagreements.push(x);
        // neighbouring output levels (0 apart for the −0/+0 pair, which decode alike)
        expect(Math.abs(muLevel(sox[i]!) - muLevel(ours)), `x=${x}`).toBeLessThanOrEqual(1);
      }
    }
    expect(disagreements.length).toBe(510);
  });

  it('A-law: SoX agrees except on 1020 inputs just below thresholds, explained by its rounding', () => {
    const sox = soxEncodeG711(SWEEP, 'a-law');
    const disagreements: number[] = [];
    for (let i = 0; i < SWEEP.length; i++) {
      const x = SWEEP[i]!;
      const ours = alawEncodeSample(x);
      expect(sox[i], `x=${x}`).toBe(alawEncodeSample(clamp16(x + 4)));
      if (sox[i] !== ours) {
        disagreements.push(x);
        // neighbouring output levels (−8 and +8 are neighbours: A-law has no zero level)
        expect(Math.abs(aLevel(sox[i]!) - aLevel(ours)), `x=${x}`).toBe(1);
      }
    }
    expect(disagreements.length).toBe(1020);
  });
});
