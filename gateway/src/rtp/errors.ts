/**
 * Errors of the rtp layer. Two kinds, one vocabulary of stable codes:
 *
 * - Wire input that does not parse is a *value*, never a throw: parsers return a frozen, preallocated
 *   `RtpWireError` (so a flood of junk allocates nothing) and the session counts it by `code`.
 * - Local failures (no free port, bind refused, bad options) are `RtpError` instances, thrown or
 *   rejected at the API edge, with `classify()` for call-end reporting.
 */

/** Why a datagram was dropped before reaching the media path. */
export type RtpWireErrorCode =
  /** Shorter than the fixed header (12 bytes RTP, 4 bytes RTCP). */
  | 'RTP_ERR_SHORT'
  /** Version field is not 2. */
  | 'RTP_ERR_VERSION'
  /** CSRC list runs past the end of the datagram. */
  | 'RTP_ERR_CSRC_OVERRUN'
  /** Header extension (RFC 3550 §5.3.1) runs past the end of the datagram. */
  | 'RTP_ERR_EXTENSION_OVERRUN'
  /** Padding bit set but the padding count is 0 or larger than what is left after the header. */
  | 'RTP_ERR_PADDING'
  /** RTCP length field points past the end of the compound packet. */
  | 'RTCP_ERR_LENGTH'
  /** RTCP packet body is shorter than its type requires (e.g. SR without sender info). */
  | 'RTCP_ERR_TRUNCATED'
  /** SDES chunk or item runs past its packet. */
  | 'RTCP_ERR_SDES';

export interface RtpWireError {
  readonly kind: 'rtp-wire-error';
  readonly code: RtpWireErrorCode;
  readonly message: string;
}

const WIRE_MESSAGES: Record<RtpWireErrorCode, string> = {
  RTP_ERR_SHORT: 'datagram shorter than the fixed header',
  RTP_ERR_VERSION: 'version is not 2',
  RTP_ERR_CSRC_OVERRUN: 'CSRC list runs past the datagram',
  RTP_ERR_EXTENSION_OVERRUN: 'header extension runs past the datagram',
  RTP_ERR_PADDING: 'invalid padding count',
  RTCP_ERR_LENGTH: 'RTCP length field runs past the compound packet',
  RTCP_ERR_TRUNCATED: 'RTCP packet body too short for its type',
  RTCP_ERR_SDES: 'SDES chunk or item runs past its packet',
};

/** One frozen instance per code: returning an error allocates nothing. */
export const WIRE_ERRORS: { readonly [C in RtpWireErrorCode]: RtpWireError } = Object.freeze(
  Object.fromEntries(
    (Object.keys(WIRE_MESSAGES) as RtpWireErrorCode[]).map((code) => [
      code,
      Object.freeze({ kind: 'rtp-wire-error' as const, code, message: WIRE_MESSAGES[code] }),
    ]),
  ) as { [C in RtpWireErrorCode]: RtpWireError },
);

export const RTP_WIRE_ERROR_CODES = Object.freeze(Object.keys(WIRE_MESSAGES) as RtpWireErrorCode[]);

export function isRtpWireError(value: unknown): value is RtpWireError {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'rtp-wire-error';
}

/** Local failures of the rtp layer. */
export type RtpErrorCode =
  /** Every even port of the configured range is in use (or refused binding). */
  | 'RTP_ERR_PORTS_EXHAUSTED'
  /** The OS refused to bind for a reason other than "in use" (bad address, permissions). */
  | 'RTP_ERR_BIND'
  /** Options failed validation at construction. */
  | 'RTP_ERR_CONFIG'
  /** An operation was called on a closed session. */
  | 'RTP_ERR_CLOSED';

export type RtpErrorClass = 'capacity' | 'local';

const BRAND = Symbol.for('connect-realtime-gateway.RtpError');

export class RtpError extends Error {
  readonly code: RtpErrorCode;
  readonly [BRAND] = true;

  constructor(code: RtpErrorCode, message: string, opts?: { cause?: unknown }) {
    super(message, opts?.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
  }

  /** Works across duplicate copies of this module (brand, not prototype). */
  static is(value: unknown): value is RtpError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** For call-end reporting: out of capacity (answer 503) or a local fault (answer 500). */
  classify(): RtpErrorClass {
    return this.code === 'RTP_ERR_PORTS_EXHAUSTED' ? 'capacity' : 'local';
  }
}
