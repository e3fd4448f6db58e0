/**
 * The one anti-imaging / anti-aliasing lowpass shared by the 8 kHz <-> 24 kHz converters, designed at
 * 24 kHz. Telephone audio only carries 300–3400 Hz, and anything that will reach 8 kHz must be gone by
 * 4600 Hz (it would fold back to ≤ 3400 Hz), so the filter keeps 0–3400 Hz flat and stops from 4600 Hz.
 *
 * 95 taps with a Kaiser window (β = 8) and the −6 dB point at 3950 Hz give, by design:
 *   passband ripple ≈ 0.03 dB (50–3400 Hz), stopband ≤ −80 dB from 4600 Hz and ≤ −95 dB at 7–9 kHz
 *   (where a 1 kHz tone's images land when upsampling), linear phase, group delay 47 samples at
 *   24 kHz = 1.958 ms — under the 2 ms budget each way. The tests measure all of these on real signals.
 */
import { kaiserLowpass } from './fir-design.js';

/** Filter length; odd so the delay is a whole number of 24 kHz samples. */
export const RESAMPLER_TAPS = 95;
/** Group delay of the linear-phase filter in 24 kHz samples: (taps − 1) / 2. */
export const RESAMPLER_DELAY_24K = (RESAMPLER_TAPS - 1) / 2;
/** −6 dB point, between the 3400 Hz passband edge and the 4600 Hz stopband edge. */
export const RESAMPLER_CUTOFF_HZ = 3950;
/** Kaiser shape: trades transition width for stopband depth. */
export const RESAMPLER_KAISER_BETA = 8;

/** Prototype taps at 24 kHz with unity DC gain. */
export const RESAMPLER_PROTOTYPE: Readonly<Float64Array> = kaiserLowpass(
  RESAMPLER_TAPS,
  RESAMPLER_CUTOFF_HZ,
  24_000,
  RESAMPLER_KAISER_BETA,
);
