/**
 * Bounds of the operations HTTP server. Everything an HTTP peer can make the gateway hold is capped:
 * header bytes, body bytes, time to send headers and the whole request, idle keep-alive time,
 * connections per source address and in total, requests per connection.
 */
export interface HttpLimits {
  /** Request line + headers, bytes (Node answers 431 beyond it). */
  maxHeaderBytes: number;
  /** Request body, bytes (413 beyond it). */
  maxBodyBytes: number;
  /** Headers must arrive within this, ms. */
  headersTimeoutMs: number;
  /** The whole request must arrive within this, ms (408). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this, ms. */
  keepAliveTimeoutMs: number;
  /** Open connections from one address; more are closed at once. */
  maxConnectionsPerSource: number;
  /** Open connections in total. */
  maxConnections: number;
  /** Requests served on one keep-alive connection before it is closed. */
  maxRequestsPerSocket: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxHeaderBytes: 8 * 1024,
  maxBodyBytes: 64 * 1024,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnectionsPerSource: 16,
  maxConnections: 256,
  maxRequestsPerSocket: 1_000,
});
