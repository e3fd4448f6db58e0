/**
 * Errors of the over-the-wire conformance harness. Each has a stable code so a failing suite says
 * which precondition broke (gateway not built, a loopback port taken, a non-loopback address
 * configured) rather than timing out somewhere later.
 */
export type WireErrorCode =
  /** dist/gateway/src/main.js is missing: the suites drive the compiled gateway, as production runs. */
  | 'WIRE_ERR_GATEWAY_NOT_BUILT'
  /** An address outside 127.0.0.0/8 was configured: every packet of these suites stays on loopback. */
  | 'WIRE_ERR_NOT_LOOPBACK'
  /** A socket could not be bound or connected. */
  | 'WIRE_ERR_SOCKET';

export class WireError extends Error {
  constructor(
    readonly code: WireErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
