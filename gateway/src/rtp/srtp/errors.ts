import { err, type Err, type Result } from '../../result.js';

/**
 * SRTP failure reasons returned (never thrown) by unprotectRtp/unprotectRtcp. Each has a stable
 * code for logs and metrics.
 *
 *   short      fewer bytes than a header plus MKI plus tag
 *   malformed  not RTP/RTCP version 2, or CSRC list / header extension overruns the packet
 *   auth       authentication tag mismatch (or unknown MKI): forged, corrupted or wrong key
 *   replay     index already received, or older than the replay window
 */
export type SrtpError = 'short' | 'auth' | 'replay' | 'malformed';

export const SRTP_ERROR_CODES: Readonly<Record<SrtpError, string>> = {
  short: 'SRTP_ERR_SHORT',
  malformed: 'SRTP_ERR_MALFORMED',
  auth: 'SRTP_ERR_AUTH',
  replay: 'SRTP_ERR_REPLAY',
};

export type SrtpResult = Result<Buffer, SrtpError>;

/** Shared, frozen failure results: a rejected packet allocates nothing. */
export const SRTP_FAILURE: Readonly<Record<SrtpError, Err<SrtpError>>> = Object.freeze({
  short: Object.freeze(err<SrtpError>('short')),
  malformed: Object.freeze(err<SrtpError>('malformed')),
  auth: Object.freeze(err<SrtpError>('auth')),
  replay: Object.freeze(err<SrtpError>('replay')),
});
