import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sine, toInt16 } from '../../../lab/src/analysis/index.js';
import { energyOfG711, frameEnergyDbov, g711Codec, MIN_LEVEL_DBOV } from '../../src/audio/index.js';

describe('frameEnergyDbov (ITU-T G.100.1 dBov, RFC 6464 floor)', () => {
  it('a full-scale square wave is 0 dBov', () => {
    expect(frameEnergyDbov(new Int16Array(160).fill(-32768))).toBeCloseTo(0, 6);
  });

  it('a full-scale sine is -3.01 dBov, and every 6.02 dB down halves the amplitude', () => {
    const full = toInt16(sine(1000, 8000, 0.02, 0)); // 160 samples, 20 whole periods
    expect(frameEnergyDbov(full)).toBeCloseTo(-3.01, 2);
    const half = toInt16(sine(1000, 8000, 0.02, -6.0206));
    expect(frameEnergyDbov(half)).toBeCloseTo(-3.01 - 6.02, 2);
  });

  it('digital silence and empty frames are -127 dBov, never -Infinity', () => {
    expect(frameEnergyDbov(new Int16Array(160))).toBe(MIN_LEVEL_DBOV);
    expect(frameEnergyDbov(new Int16Array(0))).toBe(-127);
    expect(frameEnergyDbov(Int16Array.from([1]))).toBeCloseTo(-90.31, 2); // one LSB, just above the floor
  });

  it('measures only the first n samples, clamping n to the frame', () => {
    const frame = Int16Array.from([16384, 16384, 0, 0]);
    expect(frameEnergyDbov(frame, 2)).toBeCloseTo(-6.02, 2);
    expect(frameEnergyDbov(frame, 99)).toBeCloseTo(frameEnergyDbov(frame), 9);
    expect(frameEnergyDbov(frame, 0)).toBe(-127);
    expect(frameEnergyDbov(frame, Number.NaN)).toBe(-127);
  });
});

describe('energyOfG711', () => {
  for (const name of ['PCMU', 'PCMA'] as const) {
    const codec = g711Codec(name);
    it(`${name}: equals frameEnergyDbov of the decoded frame, for any payload`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 0, maxLength: 320 }), (codes) => {
          const pcm = new Int16Array(codes.length);
          codec.decode(codes, pcm);
          expect(energyOfG711(codes, codec)).toBeCloseTo(frameEnergyDbov(pcm), 9);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('silence payloads: PCMU 0xFF is digital silence (-127), PCMA 0xD5 is the ±8 level (-72.2 dBov)', () => {
    expect(energyOfG711(new Uint8Array(160).fill(0xff), g711Codec('PCMU'))).toBe(-127);
    expect(energyOfG711(new Uint8Array(160).fill(0xd5), g711Codec('PCMA'))).toBeCloseTo(20 * Math.log10(8 / 32768), 6);
  });

  it('measures only the first n codes', () => {
    const codes = Uint8Array.from([0x80, 0x80, 0xff, 0xff]); // µ-law: +32124 twice, then zeros
    expect(energyOfG711(codes, g711Codec('PCMU'), 2)).toBeCloseTo(20 * Math.log10(32124 / 32768), 6);
  });
});
