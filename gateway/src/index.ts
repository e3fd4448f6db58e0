/**
 * The gateway's public entry points: what the lab, benchmarks and embedders may use. Everything else
 * is internal and may change.
 */
export { g711Codec, type G711Codec, type G711Name } from './audio/g711-codec.js';
export { encodeMulaw, decodeMulaw, mulawEncodeSample, mulawDecodeSample, MULAW_SILENCE } from './audio/mulaw.js';
export { encodeAlaw, decodeAlaw, alawEncodeSample, alawDecodeSample, ALAW_SILENCE } from './audio/alaw.js';
export { frameEnergyDbov } from './audio/level.js';
export { Upsampler8to24 } from './audio/upsampler-8to24.js';
export { Downsampler24to8 } from './audio/downsampler-24to8.js';
export { parseEnv, ConfigError, type Env } from './config/env.js';
export { createRootLogger, type Logger } from './log.js';
// --- lab caller needs (appended by the lab-caller engineer; the lead owns this file) ---
export {
  SipHeaders,
  parseMessage,
  serializeMessage,
  StreamFramer,
  createResponse,
  parseNameAddr,
  formatNameAddr,
  parseUri,
  formatUri,
  parseVia,
  parseCSeq,
  isParseError,
  newTag,
  newBranch,
  newCallId,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type SipUri,
  type NameAddr,
  type Via,
  type ParseResult,
} from './sip/message/index.js';
export { digestHash, digestResponse, parseDigestCredentials, formatChallenge, type DigestAlgorithm } from './sip/auth/digest.js';
export { parseSessionExpires, parseMinSE } from './sip/session-timer.js';
export {
  SrtpSession,
  generateKeys,
  formatCryptoAttribute,
  parseCryptoAttribute,
  isSrtpProfile,
  SRTP_PROFILES,
  type SrtpKeys,
  type SrtpProfile,
  type CryptoAttribute,
} from './rtp/srtp/index.js';
export { DtmfSender, parseDtmfPayload, eventToDigit, isDtmfDigit, type DtmfPacketPlan } from './rtp/dtmf/index.js';
export { RtpHeaderView, writeRtpFixedHeader, RTP_FIXED_HEADER_SIZE } from './rtp/packet/rtp-header.js';
