import type { AddressInfo } from 'node:net';
import { SipError } from '../errors.js';
import { parseMessage } from '../message/index.js';
import { isUnicastIpLiteral, normalizeAddress } from './ip.js';
import type { Destination, InboundHandler, SipTransport, TransportKind } from './types.js';

export interface SentPacket {
  dest: Destination;
  data: Buffer;
}

/**
 * An in-memory transport: the whole SIP core runs over it without sockets, so transaction, dialog
 * and admission behaviour can be tested (and scripted by the lab) with a ManualClock. It applies
 * the same destination rules as the real transports (unicast IP literals only).
 */
export class MemoryTransport implements SipTransport {
  readonly kind: TransportKind;
  readonly reliable: boolean;
  /** Everything the core sent, in order. */
  readonly sent: SentPacket[] = [];
  readonly #address: string;
  readonly #port: number;
  readonly #closedConnections = new Set<string>();
  #onMessage: InboundHandler | undefined;
  #failSends = false;
  #listening = false;

  constructor(opts: { kind?: TransportKind; address?: string; port?: number } = {}) {
    this.kind = opts.kind ?? 'udp';
    this.reliable = this.kind !== 'udp';
    this.#address = opts.address ?? '127.0.0.1';
    this.#port = opts.port ?? (this.kind === 'tls' ? 5061 : 5060);
  }

  listen(onMessage: InboundHandler): Promise<AddressInfo> {
    this.#onMessage = onMessage;
    this.#listening = true;
    return Promise.resolve(this.address());
  }

  /**
   * Delivers bytes as if they arrived from `from`. Stream kinds get a connection id per remote
   * address unless one is given.
   */
  inject(data: Buffer | string, from: { address: string; port: number; connectionId?: string }): void {
    const handler = this.#onMessage;
    if (handler === undefined) throw new Error('MemoryTransport.inject before listen');
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    handler({
      result: parseMessage(buf),
      source: {
        transport: this.kind,
        address: normalizeAddress(from.address),
        port: from.port,
        localAddress: this.#address,
        localPort: this.#port,
      },
      ...(this.reliable ? { connectionId: from.connectionId ?? connectionIdFor(from.address, from.port) } : {}),
    });
  }

  /** Makes subsequent sends fail with a transport error (until called with false). */
  failSends(fail = true): void {
    this.#failSends = fail;
  }

  /** Marks a stream connection closed, so the core must not reuse it. */
  closeConnection(connectionId: string): void {
    this.#closedConnections.add(connectionId);
  }

  send(dest: Destination, data: Buffer): Promise<void> {
    if (!this.#listening) return Promise.reject(new SipError('SIP_ERR_TRANSPORT', 'memory transport is closed'));
    if (!isUnicastIpLiteral(dest.address)) {
      return Promise.reject(new SipError('SIP_ERR_NO_ROUTE', `refusing to send to ${dest.address}`));
    }
    if (this.#failSends) return Promise.reject(new SipError('SIP_ERR_TRANSPORT', 'memory transport: send failure injected'));
    this.sent.push({ dest: { ...dest }, data });
    return Promise.resolve();
  }

  isConnectionOpen(connectionId: string): boolean {
    return this.reliable && this.#listening && !this.#closedConnections.has(connectionId);
  }

  address(): AddressInfo {
    return { address: this.#address, family: this.#address.includes(':') ? 'IPv6' : 'IPv4', port: this.#port };
  }

  close(): Promise<void> {
    this.#listening = false;
    return Promise.resolve();
  }
}

export function connectionIdFor(address: string, port: number): string {
  return `mem-${normalizeAddress(address)}:${port}`;
}
