import dgram from 'node:dgram';
import { isIP, type AddressInfo } from 'node:net';
import type { Logger } from '../../log.js';
import { SipError } from '../errors.js';
import { parseMessage } from '../message/index.js';
import { isUnicastIpLiteral, normalizeAddress } from './ip.js';
import type { Destination, InboundHandler, SipTransport } from './types.js';

/**
 * SIP over UDP (RFC 3261 §18.1.1/§18.2.1): one datagram is one message. Sends go only to unicast IP
 * literals, so a forged Via/Contact can neither trigger a DNS lookup nor aim us at a broadcast address.
 */
export class UdpTransport implements SipTransport {
  readonly kind = 'udp' as const;
  readonly reliable = false;
  readonly #host: string;
  readonly #port: number;
  readonly #logger: Logger;
  #socket: dgram.Socket | undefined;
  #bound: AddressInfo | undefined;
  #closed = false;
  readonly #family: 4 | 6;
  readonly #admit: (address: string) => boolean;
  readonly #count: (name: string) => void;

  /**
   * `admit` is the source allow-list: a datagram from elsewhere is dropped and counted
   * (`udp.refused.not_allowed`) before a byte of it is parsed.
   */
  constructor(opts: { host: string; port: number; logger: Logger; admit?: (address: string) => boolean; count?: (name: string) => void }) {
    this.#admit = opts.admit ?? (() => true);
    this.#count = opts.count ?? (() => undefined);
    this.#host = opts.host;
    this.#port = opts.port;
    this.#logger = opts.logger;
    this.#family = isIP(opts.host) === 6 ? 6 : 4;
  }

  listen(onMessage: InboundHandler): Promise<AddressInfo> {
    const socket = dgram.createSocket({ type: this.#family === 6 ? 'udp6' : 'udp4' });
    this.#socket = socket;
    socket.on('message', (data, rinfo) => {
      // A throwing handler must never take the socket (and every call on it) down with it.
      try {
        const address = normalizeAddress(rinfo.address);
        if (!this.#admit(address)) {
          this.#count('udp.refused.not_allowed');
          return;
        }
        const bound = this.#bound;
        onMessage({
          result: parseMessage(data),
          source: {
            transport: 'udp',
            address,
            port: rinfo.port,
            localAddress: bound?.address ?? this.#host,
            localPort: bound?.port ?? this.#port,
          },
        });
      } catch (err) {
        this.#logger.error({ err, from: `${rinfo.address}:${rinfo.port}` }, 'sip udp: handler failed');
      }
    });
    socket.on('error', (err) => this.#logger.error({ err }, 'sip udp: socket error'));
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      socket.once('error', onError);
      socket.bind(this.#port, this.#host, () => {
        socket.off('error', onError);
        this.#bound = socket.address();
        resolve(this.#bound);
      });
    });
  }

  send(dest: Destination, data: Buffer): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined || this.#closed) {
      return Promise.reject(new SipError('SIP_ERR_TRANSPORT', 'udp transport is not listening'));
    }
    if (!isUnicastIpLiteral(dest.address)) {
      return Promise.reject(new SipError('SIP_ERR_NO_ROUTE', `refusing to send to non-unicast or non-IP destination ${dest.address}`));
    }
    return new Promise((resolve, reject) => {
      // A udp6 socket bound to "::" reaches IPv4 peers through their IPv4-mapped form.
      const plain = normalizeAddress(dest.address);
      const target = this.#family === 6 && isIP(plain) === 4 ? `::ffff:${plain}` : plain;
      socket.send(data, dest.port, target, (err) => {
        if (err) reject(new SipError('SIP_ERR_TRANSPORT', `udp send to ${dest.address}:${dest.port} failed: ${err.message}`));
        else resolve();
      });
    });
  }

  isConnectionOpen(): boolean {
    return false;
  }

  address(): AddressInfo | undefined {
    return this.#bound;
  }

  close(): Promise<void> {
    if (this.#closed || this.#socket === undefined) {
      this.#closed = true;
      return Promise.resolve();
    }
    this.#closed = true;
    const socket = this.#socket;
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
