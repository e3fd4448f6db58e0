/** Signal analysis shared by tests, benches and lab audio reports. Pure functions except `sox.ts`. */
export { fftInPlace, isPowerOfTwo, nextPowerOfTwo, realFft } from './fft.js';
export { dbToAmplitude, FULL_SCALE, maxStep, multitone, rms, sine, syntheticVowel, toFloat64, toInt16 } from './signals.js';
export { fitSine, thdPlusNDb, toneLevelDb, type SineFit } from './tone.js';
export { estimateDelaySamples } from './delay.js';
export { snrDb } from './snr.js';
export { fractionalRead } from './fractional-read.js';
export {
  ALIAS_FREQS_HZ,
  aliasLevelDb,
  converterDelayMs,
  converterThdPlusNDb,
  foldedFrequency,
  imageLevelDb,
  PASSBAND_FREQS_HZ,
  passbandGainsDb,
  passbandRippleDb,
  toneGainDb,
  type ConverterUnderTest,
} from './resampler-quality.js';
export {
  int16ToLeBytes,
  leBytesToInt16,
  runSox,
  soxAvailable,
  soxDecodeG711,
  soxEncodeG711,
  soxResample,
  type SoxEncoding,
  type SoxRawFormat,
} from './sox.js';
