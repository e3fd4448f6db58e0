/**
 * The audio layer: G.711 codecs, 8 kHz <-> 24 kHz resampling, packet-loss concealment and frame
 * levels. Pure signal processing — no knowledge of calls, RTP sessions or AI.
 */
export { ALAW_DECODE_TABLE, ALAW_SILENCE, alawDecodeSample, alawEncodeSample, decodeAlaw, encodeAlaw } from './alaw.js';
export { decodeMulaw, encodeMulaw, MULAW_DECODE_TABLE, MULAW_SILENCE, mulawDecodeSample, mulawEncodeSample } from './mulaw.js';
export { g711Codec, type G711Codec, type G711Name } from './g711-codec.js';
export { Upsampler8to24 } from './upsampler-8to24.js';
export { Downsampler24to8 } from './downsampler-24to8.js';
export { RESAMPLER_DELAY_24K, RESAMPLER_TAPS } from './resampler-filter.js';
export { LossConcealer } from './loss-concealer.js';
export { findPitch, PITCH_MAX, PITCH_MIN, PITCH_SEARCH_SPAN } from './pitch.js';
export { energyOfG711, frameEnergyDbov, MIN_LEVEL_DBOV } from './level.js';
export { AUDIO_ERROR_CODES, AUDIO_ERROR_MESSAGES, type AudioErrorCode, type AudioFaultCounts } from './errors.js';
