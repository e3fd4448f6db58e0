/**
 * Everything the lab caller takes from the gateway, through the gateway's public entry point only:
 * the codecs are the gateway's own (tested bit-exact elsewhere), so a disagreement between caller
 * and gateway is a protocol problem, never two implementations of G.711 or SRTP drifting apart.
 */
export {
  // G.711 and levels
  g711Codec,
  decodeMulaw,
  encodeMulaw,
  frameEnergyDbov,
  type G711Codec,
  type G711Name,
  // SIP message layer
  SipHeaders,
  parseMessage,
  serializeMessage,
  StreamFramer,
  createResponse,
  parseNameAddr,
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
  type Via,
  type ParseResult,
  // digest (RFC 7616 / RFC 8760) and session timers (RFC 4028)
  digestHash,
  digestResponse,
  parseDigestCredentials,
  formatChallenge,
  type DigestAlgorithm,
  parseSessionExpires,
  parseMinSE,
  // SRTP (RFC 3711) with SDES (RFC 4568)
  SrtpSession,
  generateKeys,
  formatCryptoAttribute,
  parseCryptoAttribute,
  isSrtpProfile,
  SRTP_PROFILES,
  type SrtpKeys,
  type SrtpProfile,
  type CryptoAttribute,
  // RFC 4733 telephone-event and the RTP header
  DtmfSender,
  type DtmfPacketPlan,
  parseDtmfPayload,
  eventToDigit,
  isDtmfDigit,
  RtpHeaderView,
  writeRtpFixedHeader,
  RTP_FIXED_HEADER_SIZE,
} from '../../../../gateway/src/index.js';
