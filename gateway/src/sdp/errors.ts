/**
 * SDP negotiation failures, each with a stable code and the SIP status it implies:
 * 400 Bad Request for SDP we cannot parse or that breaks RFC 4566/3264 structure,
 * 488 Not Acceptable Here for well-formed SDP we cannot accept (RFC 3261 §21.4.26).
 */
export const SDP_ERROR_STATUS = {
  SDP_ERR_EMPTY: 400,
  SDP_ERR_TOO_LARGE: 400,
  SDP_ERR_SYNTAX: 400,
  SDP_ERR_VERSION: 400,
  SDP_ERR_ORIGIN: 400,
  SDP_ERR_MEDIA_LINE: 400,
  SDP_ERR_PORT: 400,
  SDP_ERR_CONNECTION: 400,
  SDP_ERR_PAYLOAD_TYPE: 400,
  SDP_ERR_NO_AUDIO: 400,
  /** An answer whose m= lines do not match the offer's (RFC 3264 §6). */
  SDP_ERR_ANSWER_MISMATCH: 400,
  SDP_ERR_NO_COMMON_CODEC: 488,
  SDP_ERR_SRTP_REQUIRED: 488,
  SDP_ERR_SRTP_DISABLED: 488,
  SDP_ERR_NO_USABLE_CRYPTO: 488,
  SDP_ERR_DTLS_UNSUPPORTED: 488,
  SDP_ERR_UNSUPPORTED_TRANSPORT: 488,
  SDP_ERR_UNSUPPORTED_ADDRESS: 488,
  SDP_ERR_STREAM_REJECTED: 488,
} as const;

export type SdpErrorCode = keyof typeof SDP_ERROR_STATUS;

/** Why an SDP was refused: the error of every sdp/ Result (readSdp, answerOffer, renegotiate, acceptAnswer). */
export interface SdpFailure {
  status: 400 | 488;
  code: SdpErrorCode;
  /** Human text naming the problem, e.g. "no common codec (offered: G729/8000, opus/48000)". */
  reason: string;
  /** Text for a `Warning: 399 <host> "<text>"` header on the error response. */
  warning: string;
}

/** Text limit for the Warning header: long reasons are cut, the reason field keeps the whole text. */
const MAX_WARNING_CHARS = 200;

export function sdpFailure(code: SdpErrorCode, reason: string): SdpFailure {
  // Quotes and backslashes would break the Warning header's quoted-string.
  const warning = reason.replace(/["\\\r\n]/g, "'").slice(0, MAX_WARNING_CHARS);
  return { status: SDP_ERROR_STATUS[code], code, reason, warning };
}

/** One candidate stream's problem, collected while looking for an acceptable audio m= line. */
export interface StreamProblem {
  code: SdpErrorCode;
  reason: string;
}

/** Combines the problems of every candidate: the first one's code, all distinct reasons. */
export function combineProblems(problems: readonly StreamProblem[]): SdpFailure {
  const first = problems[0]!;
  const reasons = [...new Set(problems.map((p) => p.reason))];
  return sdpFailure(first.code, reasons.join('; '));
}
