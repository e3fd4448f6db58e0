import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aliasLevelDb,
  converterDelayMs,
  converterThdPlusNDb,
  imageLevelDb,
  maxStep,
  passbandRippleDb,
  sine,
  soxResample,
  toInt16,
  type ConverterUnderTest,
} from '../../../lab/src/analysis/index.js';
import { Downsampler24to8, Upsampler8to24 } from '../../src/audio/index.js';

interface Resampler {
  process(input: Int16Array, output: Int16Array): number;
}

/** Runs a whole signal through a fresh resampler in frames of `frame` input samples, as the call does. */
function framed(make: () => Resampler, frame: number, ratio: number): (input: Int16Array) => Int16Array {
  return (input) => {
    const r = make();
    const out = new Int16Array(Math.ceil(input.length * ratio) + 1);
    const scratch = new Int16Array(Math.ceil(frame * ratio) + 1);
    let written = 0;
    for (let at = 0; at < input.length; at += frame) {
      const n = r.process(input.subarray(at, Math.min(input.length, at + frame)), scratch);
      out.set(scratch.subarray(0, n), written);
      written += n;
    }
    return out.slice(0, written);
  };
}

const ours = {
  up: { inRate: 8000, outRate: 24000, convert: framed(() => new Upsampler8to24(), 160, 3) },
  down: { inRate: 24000, outRate: 8000, convert: framed(() => new Downsampler24to8(), 480, 1 / 3) },
} satisfies Record<string, ConverterUnderTest>;

const sox = {
  up: { inRate: 8000, outRate: 24000, convert: (x: Int16Array) => soxResample(x, 8000, 24000, '-v') },
  down: { inRate: 24000, outRate: 8000, convert: (x: Int16Array) => soxResample(x, 24000, 8000, '-v') },
} satisfies Record<string, ConverterUnderTest>;

const randomPcm = (length: number) => fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: length, maxLength: length });

describe('Upsampler8to24 / Downsampler24to8: streaming', () => {
  it('turns a 20 ms frame into a 20 ms frame: 160 -> 480 and 480 -> 160 samples', () => {
    const up = new Upsampler8to24();
    const down = new Downsampler24to8();
    const wide = new Int16Array(480);
    const narrow = new Int16Array(160);
    expect(up.process(new Int16Array(160), wide)).toBe(480);
    expect(down.process(wide, narrow)).toBe(160);
  });

  it('8k->24k: any chunking gives output bit-identical to one call (state carried across frames)', () => {
    fc.assert(
      fc.property(randomPcm(400), fc.array(fc.integer({ min: 1, max: 170 }), { minLength: 1, maxLength: 10 }), (samples, sizes) => {
        const input = Int16Array.from(samples);
        const whole = new Int16Array(1200);
        expect(new Upsampler8to24().process(input, whole)).toBe(1200);
        const r = new Upsampler8to24();
        const pieces = new Int16Array(1200);
        let at = 0;
        let written = 0;
        for (let k = 0; at < input.length; k++) {
          const size = sizes[k % sizes.length]!;
          written += r.process(input.subarray(at, at + size), pieces.subarray(written));
          at += size;
        }
        expect(written).toBe(1200);
        expect(pieces).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });

  it('24k->8k: any chunking, including sizes that split groups of three, gives bit-identical output', () => {
    fc.assert(
      fc.property(randomPcm(900), fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 10 }), (samples, sizes) => {
        const input = Int16Array.from(samples);
        const whole = new Int16Array(300);
        expect(new Downsampler24to8().process(input, whole)).toBe(300);
        const r = new Downsampler24to8();
        const pieces = new Int16Array(300);
        let at = 0;
        let written = 0;
        for (let k = 0; at < input.length; k++) {
          const size = sizes[k % sizes.length]!;
          written += r.process(input.subarray(at, at + size), pieces.subarray(written));
          at += size;
        }
        expect(written).toBe(300);
        expect(pieces).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });

  it('no clicks at frame edges: a framed sine never steps more than the sine itself can', () => {
    for (const [c, freq] of [
      [ours.up, 1000],
      [ours.down, 1000],
      [ours.up, 3300],
    ] as const) {
      const amplitude = 16384;
      const output = c.convert(toInt16(sine(freq, c.inRate, 0.2, -6)));
      const settled = output.subarray(Math.round(0.005 * c.outRate));
      // Largest step of a sampled sine: 2·A·sin(π·f/fs), +0.5% for passband gain and stopband residue,
      // +2 for input and output rounding. A frame-edge glitch would add a step of its own.
      const bound = 2 * amplitude * Math.sin((Math.PI * freq) / c.outRate) * 1.005 + 2;
      expect(maxStep(settled), `${c.inRate}->${c.outRate} ${freq} Hz`).toBeLessThanOrEqual(bound);
    }
  });

  it('saturates instead of wrapping when a full-scale square wave overshoots (Gibbs)', () => {
    // A full-scale square wave; the filtered edges overshoot by ~9%. Int16Array stores wrap modulo
    // 2^16, so an unsaturated overshoot would turn into a large value of the opposite sign.
    for (const [make, inRate, outRate, delay] of [
      [() => new Upsampler8to24(), 8000, 24000, new Upsampler8to24().delayMs * 24],
      [() => new Downsampler24to8(), 24000, 8000, new Downsampler24to8().delayMs * 8],
    ] as const) {
      const half = inRate / 200; // 100 Hz square wave
      const square = Int16Array.from({ length: inRate / 10 }, (_, i) => (Math.floor(i / half) % 2 ? -32768 : 32767));
      const out = new Int16Array((square.length * outRate) / inRate);
      make().process(square, out);
      const outHalf = (half * outRate) / inRate;
      let checked = 0;
      for (let i = Math.ceil(delay); i < out.length; i++) {
        const t = i - delay; // position in the (delayed) square wave, in output samples
        const distanceToEdge = Math.min(t % outHalf, outHalf - (t % outHalf));
        if (distanceToEdge < 4) continue;
        const expectedSign = Math.floor(t / outHalf) % 2 ? -1 : 1;
        expect(Math.sign(out[i]!), `${inRate}->${outRate} sample ${i}`).toBe(expectedSign);
        checked++;
      }
      expect(checked).toBeGreaterThan(out.length / 2);
      expect(Math.max(...out)).toBe(32767); // the overshoot really hit the rail
      expect(Math.min(...out)).toBe(-32768);
    }
  });

  it('an output buffer that is too short: writes what fits, counts AUDIO_ERR_OUTPUT_TOO_SMALL, keeps timing', () => {
    const input = toInt16(sine(440, 8000, 0.06, -6)); // 480 samples
    const reference = new Int16Array(1440);
    new Upsampler8to24().process(input, reference);
    const r = new Upsampler8to24();
    const short = new Int16Array(300);
    expect(r.process(input.subarray(0, 160), short)).toBe(300);
    expect(r.faults.AUDIO_ERR_OUTPUT_TOO_SMALL).toBe(1);
    expect(short).toEqual(reference.subarray(0, 300));
    const next = new Int16Array(480);
    expect(r.process(input.subarray(160, 320), next)).toBe(480);
    expect(next).toEqual(reference.subarray(480, 960)); // the dropped samples did not shift the stream

    const d = new Downsampler24to8();
    const tiny = new Int16Array(10);
    expect(d.process(reference.subarray(0, 480), tiny)).toBe(10);
    expect(d.faults.AUDIO_ERR_OUTPUT_TOO_SMALL).toBe(1);
    const full = new Int16Array(320);
    new Downsampler24to8().process(reference.subarray(0, 960), full);
    const rest = new Int16Array(160);
    expect(d.process(reference.subarray(480, 960), rest)).toBe(160);
    expect(rest).toEqual(full.subarray(160, 320));
  });

  it('reset() returns to the freshly constructed state', () => {
    const input = toInt16(sine(700, 24000, 0.02, -6));
    for (const make of [() => new Upsampler8to24(), () => new Downsampler24to8()]) {
      const fresh = new Int16Array(1440);
      const n = make().process(input, fresh);
      const reused = make();
      reused.process(toInt16(sine(300, 24000, 0.013, -3)), new Int16Array(1440)); // leaves history and a partial group
      reused.reset();
      const again = new Int16Array(1440);
      expect(reused.process(input, again)).toBe(n);
      expect(again).toEqual(fresh);
    }
  });
});

describe('Resampler quality, measured against sox `rate -v` on the same signals (int16 in, int16 out)', () => {
  const results: string[] = [];
  const report = (line: string) => results.push(line);

  it('passband ripple <= 0.1 dB from 100 to 3400 Hz, both directions', () => {
    const upRipple = passbandRippleDb(ours.up);
    const downRipple = passbandRippleDb(ours.down);
    report(`ripple dB   ours up ${upRipple.toFixed(4)} down ${downRipple.toFixed(4)} | sox up ${passbandRippleDb(sox.up).toFixed(4)} down ${passbandRippleDb(sox.down).toFixed(4)}`);
    expect(upRipple).toBeLessThanOrEqual(0.1);
    expect(downRipple).toBeLessThanOrEqual(0.1);
  });

  it('24k->8k aliasing of every tone from 4.6 to 12 kHz <= -60 dB', () => {
    const ourAlias = aliasLevelDb(ours.down);
    report(`alias dB    ours ${ourAlias.toFixed(1)} | sox ${aliasLevelDb(sox.down).toFixed(1)}`);
    expect(ourAlias).toBeLessThanOrEqual(-60);
  });

  it('8k->24k images of every 100..3400 Hz tone <= -60 dB', () => {
    const ourImages = imageLevelDb(ours.up);
    report(`image dB    ours ${ourImages.toFixed(1)} | sox ${imageLevelDb(sox.up).toFixed(1)}`);
    expect(ourImages).toBeLessThanOrEqual(-60);
  });

  it('THD+N of a 1 kHz (and a 997 Hz) tone at -1 dBFS <= -85 dB, both directions, after int16 rounding', () => {
    // 997 Hz as well: an exact 1 kHz tone at 8 kHz repeats every 8 samples, so int16 rounding error
    // becomes a fixed 8-sample pattern whose size is luck; 997 Hz spreads it like real signals do.
    for (const freq of [1000, 997]) {
      const up = converterThdPlusNDb(ours.up, freq);
      const down = converterThdPlusNDb(ours.down, freq);
      report(
        `THD+N dB ${freq} Hz  ours up ${up.toFixed(1)} down ${down.toFixed(1)} | sox up ${converterThdPlusNDb(sox.up, freq).toFixed(1)} down ${converterThdPlusNDb(sox.down, freq).toFixed(1)}`,
      );
      expect(up).toBeLessThanOrEqual(-85);
      expect(down).toBeLessThanOrEqual(-85);
    }
  });

  it('group delay <= 2 ms each way, as measured, and as advertised by delayMs', () => {
    const up = converterDelayMs(ours.up);
    const down = converterDelayMs(ours.down);
    report(`delay ms    ours up ${up.toFixed(3)} down ${down.toFixed(3)} | sox up ${converterDelayMs(sox.up).toFixed(3)} down ${converterDelayMs(sox.down).toFixed(3)} (sox trims its delay offline)`);
    expect(up).toBeLessThanOrEqual(2);
    expect(down).toBeLessThanOrEqual(2);
    expect(up).toBeCloseTo(new Upsampler8to24().delayMs, 2);
    expect(down).toBeCloseTo(new Downsampler24to8().delayMs, 2);
    console.info(`resampler quality (ours vs sox rate -v):\n  ${results.join('\n  ')}`);
  });
});
