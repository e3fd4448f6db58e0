/**
 * The bounds on SIP stream connections (TCP and TLS). An attacker needs no credentials to open a
 * connection, so what a connection may hold, and for how long, is bounded before anything is read:
 * sources off the allow-list are closed at accept, every source has its own connection budget, a
 * message must arrive whole within a deadline once its first byte did, a connection that carries
 * no dialog is closed after a short quiet time, and a TLS client must finish its handshake quickly.
 */
export interface StreamLimits {
  /** Accepted plus outbound connections per transport; beyond, new ones are closed at accept. */
  maxConnections: number;
  /** Accepted connections from one source address (handshaking ones included). */
  maxConnectionsPerSource: number;
  /** From the first byte of a message to its last (slowloris); ms. */
  messageTimeoutMs: number;
  /** A connection with no live dialog or INVITE on it and no complete message for this long is closed; ms. */
  idleTimeoutMs: number;
  /** The same for a connection that carries a live dialog or INVITE; ms. */
  dialogIdleTimeoutMs: number;
  /** TLS: from accept to a completed handshake; ms. */
  handshakeTimeoutMs: number;
}

export const DEFAULT_STREAM_LIMITS: Readonly<StreamLimits> = {
  maxConnections: 1_024,
  maxConnectionsPerSource: 32,
  messageTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  dialogIdleTimeoutMs: 600_000,
  handshakeTimeoutMs: 5_000,
};

/** Fills in defaults and refuses nonsense with a message that names the field. */
export function resolveStreamLimits(partial: Partial<StreamLimits> | undefined): StreamLimits {
  const limits = { ...DEFAULT_STREAM_LIMITS, ...stripUndefined(partial ?? {}) };
  for (const [name, value] of Object.entries(limits)) {
    if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`streamLimits.${name} must be an integer > 0, got ${String(value)}`);
  }
  if (limits.maxConnectionsPerSource > limits.maxConnections) {
    throw new RangeError(`streamLimits.maxConnectionsPerSource (${limits.maxConnectionsPerSource}) must not exceed maxConnections (${limits.maxConnections})`);
  }
  if (limits.dialogIdleTimeoutMs < limits.idleTimeoutMs) {
    throw new RangeError(`streamLimits.dialogIdleTimeoutMs (${limits.dialogIdleTimeoutMs}) must not be below idleTimeoutMs (${limits.idleTimeoutMs})`);
  }
  return limits;
}

function stripUndefined(p: Partial<StreamLimits>): Partial<StreamLimits> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Partial<StreamLimits>;
}
