/**
 * The one thing a media session needs from the network: a bound datagram socket. RTP and RTCP go
 * through this interface only, so a whole RtpSession runs over real UDP (`udpSockets`) or over an
 * in-memory network (`MemoryDatagramNetwork`) in tests, the way SIP runs over `MemoryTransport`.
 *
 * Hot-path contract: `send` takes offset/length and a callback the caller creates once (never a
 * closure per packet); `message` hands over the bytes and the sender as the transport has them.
 */

/** Where a datagram came from (Node's dgram RemoteInfo satisfies it without copying). */
export interface DatagramSource {
  readonly address: string;
  readonly port: number;
}

/** Receives a send error (Node drops send errors silently without a callback). */
export type DatagramSendCallback = (err: Error | null) => void;

export interface DatagramHandlers {
  /** One datagram. `data` may be reused by the transport after the call: copy what you keep. */
  message(data: Buffer, from: DatagramSource): void;
  /** A socket-level error (ICMP unreachable, send failure without callback…). */
  error(err: Error): void;
}

export interface DatagramSocket {
  /** The bound local port. */
  readonly port: number;
  /** Starts delivering datagrams to `handlers` (one set per socket; datagrams before this are dropped). */
  listen(handlers: DatagramHandlers): void;
  /** Sends `bytes[offset, offset + length)` to `address:port` (an IP literal). */
  send(bytes: Uint8Array, offset: number, length: number, port: number, address: string, done?: DatagramSendCallback): void;
  /** Idempotent. `done` runs once the socket is closed (also for a repeated call). */
  close(done?: () => void): void;
}

export interface DatagramSocketFactory {
  /** Short name for logs and chain descriptions ('udp', 'memory'). */
  readonly kind: string;
  /**
   * Binds `address:port` exclusively (port 0: any free port). Rejects with an error whose `code` is
   * 'EADDRINUSE' (or 'EACCES') when the port cannot be had, so a caller can try the next one.
   */
  bind(address: string, port: number): Promise<DatagramSocket>;
}

/** True for the bind errors that mean "this port is taken, try another". */
export function isAddressInUse(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}
