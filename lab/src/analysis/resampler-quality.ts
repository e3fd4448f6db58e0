/**
 * Quality figures of any sample-rate converter seen as a black box from int16 in to int16 out — ours,
 * sox, speex, libsamplerate all go through the same code, so their numbers are comparable. Every
 * figure is measured on int16 output (after rounding), from int16 input: the real operating point.
 */
import { estimateDelaySamples } from './delay.js';
import { multitone, sine, toInt16 } from './signals.js';
import { thdPlusNDb, toneLevelDb } from './tone.js';

/** Converts a whole signal (any length) from `inRate` to `outRate`. */
export interface ConverterUnderTest {
  readonly inRate: number;
  readonly outRate: number;
  convert(input: Int16Array): Int16Array;
}

/** Telephone passband probe tones: 100..3400 Hz every 100 Hz. */
export const PASSBAND_FREQS_HZ: readonly number[] = Array.from({ length: 34 }, (_, i) => 100 * (i + 1));

/**
 * 24 kHz probe tones that fold into 0..4 kHz when decimated to 8 kHz: 4600..11850 Hz every 250 Hz
 * (avoiding 8000 and 12000 Hz, which would fold onto DC or Nyquist where a level is ill-defined).
 */
export const ALIAS_FREQS_HZ: readonly number[] = Array.from({ length: 30 }, (_, i) => 4600 + 250 * i);

const TONE_SECONDS = 0.5;
/** Trimmed from both ends of every output before measuring: filter start-up and tail. */
const SETTLE_SECONDS = 0.05;

function settled(signal: Int16Array, rate: number): Int16Array {
  const skip = Math.round(SETTLE_SECONDS * rate);
  return signal.subarray(skip, Math.max(skip, signal.length - skip));
}

/** Converts a tone; returns the settled int16 input and output. */
function runTone(c: ConverterUnderTest, freqHz: number, levelDbfs: number, seconds = TONE_SECONDS) {
  const input = toInt16(sine(freqHz, c.inRate, seconds, levelDbfs));
  const output = c.convert(input);
  return { input: settled(input, c.inRate), output: settled(output, c.outRate) };
}

/** Gain in dB at `freqHz`: output tone level minus input tone level. */
export function toneGainDb(c: ConverterUnderTest, freqHz: number, levelDbfs = -6): number {
  const { input, output } = runTone(c, freqHz, levelDbfs);
  return toneLevelDb(output, c.outRate, freqHz) - toneLevelDb(input, c.inRate, freqHz);
}

/** Gain at each probe frequency, in dB. */
export function passbandGainsDb(c: ConverterUnderTest, freqsHz: readonly number[] = PASSBAND_FREQS_HZ): number[] {
  return freqsHz.map((f) => toneGainDb(c, f));
}

/** Passband ripple: max − min gain over the probe frequencies, in dB. */
export function passbandRippleDb(c: ConverterUnderTest, freqsHz: readonly number[] = PASSBAND_FREQS_HZ): number {
  const gains = passbandGainsDb(c, freqsHz);
  return Math.max(...gains) - Math.min(...gains);
}

/** Where a tone at `freqHz` lands after sampling at `rateHz` (0..rate/2). */
export function foldedFrequency(freqHz: number, rateHz: number): number {
  return Math.abs(freqHz - rateHz * Math.round(freqHz / rateHz));
}

/**
 * Decimation aliasing: for each probe tone above the output Nyquist, the level of its folded image in
 * the output relative to the input tone. Returns the worst (highest) over all probes, in dB.
 */
export function aliasLevelDb(c: ConverterUnderTest, freqsHz: readonly number[] = ALIAS_FREQS_HZ): number {
  let worst = -Infinity;
  for (const f of freqsHz) {
    const { input, output } = runTone(c, f, -1);
    const alias = foldedFrequency(f, c.outRate);
    worst = Math.max(worst, toneLevelDb(output, c.outRate, alias) - toneLevelDb(input, c.inRate, f));
  }
  return worst;
}

/**
 * Interpolation imaging: for each probe tone f, the level of its images k·inRate ± f below the output
 * Nyquist relative to the input tone. Returns the worst over all probes and images, in dB.
 */
export function imageLevelDb(c: ConverterUnderTest, freqsHz: readonly number[] = PASSBAND_FREQS_HZ): number {
  let worst = -Infinity;
  for (const f of freqsHz) {
    const { input, output } = runTone(c, f, -1);
    const inputLevel = toneLevelDb(input, c.inRate, f);
    for (let k = 1; k * c.inRate - f < c.outRate / 2; k++) {
      for (const image of [k * c.inRate - f, k * c.inRate + f]) {
        if (image >= c.outRate / 2) continue;
        worst = Math.max(worst, toneLevelDb(output, c.outRate, image) - inputLevel);
      }
    }
  }
  return worst;
}

/** THD+N of a tone (default 1 kHz at −1 dBFS, 1 s) through the converter, in dB. */
export function converterThdPlusNDb(c: ConverterUnderTest, freqHz = 1000, levelDbfs = -1): number {
  const { output } = runTone(c, freqHz, levelDbfs, 1);
  return thdPlusNDb(output, c.outRate, freqHz);
}

/**
 * Group delay in ms: a band-limited multitone (200..3300 Hz) is generated analytically at both rates;
 * the input-rate version is converted and cross-correlated with the output-rate version.
 */
export function converterDelayMs(c: ConverterUnderTest): number {
  const freqs = [210, 330, 470, 620, 790, 980, 1190, 1420, 1670, 1940, 2230, 2540, 2870, 3210];
  const phases = freqs.map((_, i) => (i * i * 0.9) % (2 * Math.PI));
  const seconds = 0.5;
  const input = toInt16(multitone(freqs, phases, c.inRate, seconds, -30));
  const reference = multitone(freqs, phases, c.outRate, seconds, -30);
  const output = c.convert(input);
  const lag = estimateDelaySamples(reference, output, Math.round(0.05 * c.outRate));
  return (lag / c.outRate) * 1000;
}
