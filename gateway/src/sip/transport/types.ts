import type { AddressInfo } from 'node:net';
import type { ParseResult } from '../message/index.js';

/**
 * The transport layer (RFC 3261 §18): sockets live only here. The core sees parsed messages with
 * where they came from, and hands back bytes with where they go. Every destination is an IP
 * literal — transports refuse names, so nothing below the core can trigger a DNS lookup.
 */
export type TransportKind = 'udp' | 'tcp' | 'tls';

export interface SourceInfo {
  transport: TransportKind;
  address: string;
  port: number;
  localAddress: string;
  localPort: number;
}

export interface Destination {
  transport: TransportKind;
  address: string;
  port: number;
  /** Stream transports: the connection to prefer (the one a request arrived on); reopened if closed. */
  connectionId?: string;
}

export interface InboundMessage {
  result: ParseResult;
  source: SourceInfo;
  /** Stream transports: the connection the message arrived on. */
  connectionId?: string;
}

export type InboundHandler = (msg: InboundMessage) => void;

export interface SipTransport {
  readonly kind: TransportKind;
  /** Reliable transports (TCP/TLS) need no retransmissions and zero Timers D/I/J/K (RFC 3261 §17). */
  readonly reliable: boolean;
  /** Binds and starts delivering messages to `onMessage`. Resolves with the bound address. */
  listen(onMessage: InboundHandler): Promise<AddressInfo>;
  /** Sends bytes; rejects with a SipError ('SIP_ERR_TRANSPORT' / 'SIP_ERR_NO_ROUTE') on failure. */
  send(dest: Destination, data: Buffer): Promise<void>;
  /** Stream transports: whether the connection is still open (UDP: always false). */
  isConnectionOpen(connectionId: string): boolean;
  /** Closes the socket(s) and every connection; idempotent. */
  close(): Promise<void>;
  address(): AddressInfo | undefined;
}
