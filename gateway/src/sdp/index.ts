/** SDP offer/answer (RFC 3264, RFC 4566) for one G.711 audio stream with SDES-SRTP and RFC 4733. */
export { negotiate } from './negotiate.js';
export { createOffer, acceptAnswer, OFFER_TELEPHONE_EVENT_PT, type AnswerResult, type PendingOffer, type SdpOffer } from './offer.js';
export { renegotiate, type MediaChanges, type RenegotiationResult } from './renegotiate.js';
export { LocalSdpSession, type LocalSdpSessionOptions } from './local-session.js';
export { SDP_ERROR_STATUS, type SdpErrorCode, type SdpFailure } from './errors.js';
export { DEFAULT_PTIME_MS } from './prefs.js';
export { MAX_MEDIA_SECTIONS, MAX_SDP_BYTES } from './sdp-reader.js';
export { DTLS_REASON } from './transport.js';
export { TELEPHONE_EVENT_FMTP } from './answer.js';
export type {
  AudioCodecName,
  MediaDirection,
  NegotiatedMedia,
  NegotiatedSrtp,
  NegotiationPrefs,
  NegotiationResult,
  SrtpPolicy,
} from './types.js';
