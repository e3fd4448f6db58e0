/** SRTP/SRTCP (RFC 3711) with SDES keying (RFC 4568). */
export { SrtpSession, DEFAULT_REPLAY_WINDOW, MAX_SRTP_STREAMS, type SrtpCounters, type SrtpSessionOptions } from './session.js';
export { SRTP_ERROR_CODES, type SrtpError, type SrtpResult } from './errors.js';
export { generateKeys, type SrtpKeys } from './keys.js';
export { SRTP_PROFILES, isSrtpProfile, srtpProfileParams, type SrtpProfile, type SrtpProfileParams } from './profiles.js';
export {
  formatCryptoAttribute,
  parseCryptoAttribute,
  type CryptoAttribute,
  type CryptoAttributeParseResult,
} from './crypto-attribute.js';
export { MAX_REPLAY_WINDOW, MIN_REPLAY_WINDOW } from './replay-window.js';
