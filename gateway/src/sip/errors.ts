/**
 * Errors of the SIP core (transports, transactions, dialogs). Each has a stable `code` that the call
 * layer can switch on and log, and, where one applies, the SIP status it implies or came with.
 * Wire-level parse errors are the message layer's (`message/` SipParseError); these are the failures
 * of the state machines built on top of it.
 */
export type SipCoreErrorCode =
  /** Our 2xx to an INVITE was retransmitted for 64·T1 without an ACK (RFC 3261 §13.3.1.4). */
  | 'SIP_ERR_NO_ACK'
  /** The INVITE was CANCELled (RFC 3261 §9.2) before it was answered. */
  | 'SIP_ERR_CANCELLED'
  /** The dialog ended (remote BYE, session expiry, server stop) before the operation completed. */
  | 'SIP_ERR_TERMINATED'
  /** accept()/progress()/reject() called when the INVITE is no longer in a state that allows it. */
  | 'SIP_ERR_INVALID_STATE'
  /** A send failed: socket closed, connection refused, TLS handshake failed (RFC 3261 §17.1.4). */
  | 'SIP_ERR_TRANSPORT'
  /** A client transaction got no final response (Timer B / Timer F). */
  | 'SIP_ERR_TIMEOUT'
  /** The destination of a request is not an IP literal and we never resolve names. */
  | 'SIP_ERR_NO_ROUTE'
  /** SipServer.stop() ran while the operation was pending. */
  | 'SIP_ERR_SERVER_STOPPED';

export class SipError extends Error {
  readonly code: SipCoreErrorCode;
  /** SIP status that caused or is implied by this error, when there is one (e.g. 408 for a timeout). */
  readonly status: number | undefined;

  constructor(code: SipCoreErrorCode, message: string, status?: number) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

export function isSipError(x: unknown): x is SipError {
  return x instanceof SipError;
}
