/**
 * Errors of the audio layer. Audio kernels sit on the per-frame hot path, so bad input is never
 * thrown: the kernels clamp to what the buffers allow, return how much they did, and count what they
 * had to drop under a stable code (read by metrics and logged once per call by the caller).
 */

/** Why an audio stage did less than it was asked to. */
export type AudioErrorCode =
  /** The output buffer was too short for everything the input produces; the excess was dropped. */
  'AUDIO_ERR_OUTPUT_TOO_SMALL';

export const AUDIO_ERROR_MESSAGES: { readonly [C in AudioErrorCode]: string } = Object.freeze({
  AUDIO_ERR_OUTPUT_TOO_SMALL: 'output buffer too short; excess samples dropped',
});

export const AUDIO_ERROR_CODES: readonly AudioErrorCode[] = Object.freeze(
  Object.keys(AUDIO_ERROR_MESSAGES) as AudioErrorCode[],
);

/** Per-instance tally of tolerated bad input, one counter per code (starts at zero). */
export type AudioFaultCounts = { [C in AudioErrorCode]: number };

export function newAudioFaultCounts(): AudioFaultCounts {
  return { AUDIO_ERR_OUTPUT_TOO_SMALL: 0 };
}
