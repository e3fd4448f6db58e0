import { serializeMessage, type SipResponse } from '../message/index.js';

/**
 * A response as it goes on the wire: complete, serialised once. Its first transmission and every
 * retransmission — the transaction's for a non-2xx, the dialog's for a 2xx (RFC 3261 §13.3.1.4) —
 * send these very bytes, so a peer that compares a retransmission with the copy it already has
 * (SIPp does) recognises it instead of taking it for a new, unexpected response.
 */
export interface WireResponse {
  readonly status: number;
  readonly data: Buffer;
}

/**
 * The one place a response becomes bytes: the headers the UA adds on its own (Server:) go on first,
 * then one serialisation. Nothing may be added to `res` afterwards.
 */
export function sealResponse(res: SipResponse, userAgent: string | undefined): WireResponse {
  if (userAgent !== undefined && !res.headers.has('Server')) res.headers.append('Server', userAgent);
  return { status: res.status, data: serializeMessage(res) };
}
