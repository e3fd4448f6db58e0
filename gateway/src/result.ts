/**
 * The one result shape for fallible parsers, readers and loaders: bad input is a value, never a
 * throw, and every caller reads it the same way (`if (!r.ok) … r.error …; use r.value`). The error
 * payload keeps its own type (SipParseError, SdpError, string[] problems). Beside clock.ts and
 * log.ts, below every layer, so sip, sdp, rtp and audio use it too.
 *
 * Hot-path wire decoders that run per packet (parseRtp, parseRtcp, the SIP sub-parsers parseUri,
 * parseVia, parseCSeq, parseNameAddr) return `T | ErrorType` instead, so a good packet allocates no
 * wrapper.
 */
export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<E> = { readonly ok: false; readonly error: E };
export type Result<T, E> = Ok<T> | Err<E>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}
