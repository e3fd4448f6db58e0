import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { guessRoc, packetIndex } from '../../../src/rtp/srtp/rtp-index.js';

describe('RFC 3711 Appendix A index estimation', () => {
  it('keeps the ROC for nearby sequence numbers', () => {
    expect(guessRoc(3, 1000, 1001)).toBe(3);
    expect(guessRoc(3, 1000, 990)).toBe(3);
    expect(guessRoc(3, 40000, 40100)).toBe(3);
  });

  it('guesses ROC+1 just after a wrap', () => {
    expect(guessRoc(0, 65535, 0)).toBe(1);
    expect(guessRoc(0, 65500, 10)).toBe(1);
  });

  it('guesses ROC-1 for a late packet from before the wrap', () => {
    expect(guessRoc(1, 2, 65534)).toBe(0);
    expect(guessRoc(0, 2, 65534)).toBe(-1);
  });

  it('recovers the true index of any packet within 2^15 of the highest (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: -0x7fff, max: 0x7fff }),
        (roc, sl, delta) => {
          const truth = packetIndex(roc, sl) + delta;
          const seq = truth & 0xffff;
          expect(packetIndex(guessRoc(roc, sl, seq), seq)).toBe(truth);
        },
      ),
    );
  });
});
