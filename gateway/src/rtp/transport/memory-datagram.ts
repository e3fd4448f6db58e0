/**
 * An in-memory datagram network: sockets bound on it exchange datagrams without the kernel, so a
 * whole RtpSession (and a whole call) runs in-process on a ManualClock. It behaves like UDP where it
 * matters: binding a taken port fails with EADDRINUSE (so the port allocator's retry path works),
 * destinations must be unicast IP literals, datagrams to nobody vanish, delivery and send callbacks
 * are asynchronous (a microtask later, never inside the sender's call), and bytes are copied at send
 * (senders reuse their buffers). Every datagram is also written to a wire log with the clock's time
 * at send, which is what tests check pacing and content against.
 */
import net from 'node:net';
import type { Clock } from '../../clock.js';
import type { DatagramHandlers, DatagramSendCallback, DatagramSocket, DatagramSocketFactory, DatagramSource } from './datagram-socket.js';

export interface WireDatagram {
  from: DatagramSource;
  to: DatagramSource;
  /** A copy of the bytes as sent. */
  bytes: Buffer;
  /** clock.now() at send (0 without a clock). */
  at: number;
  /** False when no socket was bound at the destination (or the network dropped it). */
  delivered: boolean;
}

export interface MemoryDatagramNetworkOptions {
  /** Stamps the wire log. */
  clock?: Clock;
  /** Wire log entries kept (later datagrams are still delivered, only not logged). Default 200 000. */
  maxWireLog?: number;
  /** Decides per datagram whether it arrives (loss injection); default: all arrive. */
  filter?: (d: WireDatagram) => boolean;
}

const FIRST_EPHEMERAL_PORT = 49152;
const DEFAULT_MAX_WIRE_LOG = 200_000;
const WILDCARDS = new Set(['0.0.0.0', '::']);

function bindError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

function key(address: string, port: number): string {
  return `${address}|${port}`;
}

export class MemoryDatagramNetwork implements DatagramSocketFactory {
  readonly kind = 'memory';
  /** Every datagram sent, in order (bounded by maxWireLog). */
  readonly wire: WireDatagram[] = [];
  /** Datagrams sent after the wire log was full. */
  unlogged = 0;
  readonly #sockets = new Map<string, MemoryDatagramSocket>();
  readonly #clock: Clock | undefined;
  readonly #maxWireLog: number;
  readonly #filter: ((d: WireDatagram) => boolean) | undefined;
  #nextEphemeral = FIRST_EPHEMERAL_PORT;

  constructor(opts: MemoryDatagramNetworkOptions = {}) {
    this.#clock = opts.clock;
    this.#maxWireLog = opts.maxWireLog ?? DEFAULT_MAX_WIRE_LOG;
    this.#filter = opts.filter;
  }

  /** Sockets currently bound (a leak check for teardown tests). */
  get boundSockets(): number {
    return this.#sockets.size;
  }

  bind(address: string, port: number): Promise<DatagramSocket> {
    if (net.isIP(address) === 0) return Promise.reject(bindError('EINVAL', `memory network: ${address} is not an IP literal`));
    if (!Number.isInteger(port) || port < 0 || port > 65535) return Promise.reject(bindError('EINVAL', `memory network: bad port ${port}`));
    let p = port;
    if (p === 0) {
      do p = this.#nextEphemeral++;
      while (this.#taken(address, p) && p < 65535);
    }
    if (this.#taken(address, p)) return Promise.reject(bindError('EADDRINUSE', `memory network: ${address}:${p} is in use`));
    const socket = new MemoryDatagramSocket(this, address, p);
    this.#sockets.set(key(address, p), socket);
    return Promise.resolve(socket);
  }

  /** The wire log's datagrams between two endpoints (either may be omitted). */
  between(from: Partial<DatagramSource>, to: Partial<DatagramSource>): WireDatagram[] {
    const match = (e: DatagramSource, want: Partial<DatagramSource>): boolean =>
      (want.address === undefined || want.address === e.address) && (want.port === undefined || want.port === e.port);
    return this.wire.filter((d) => match(d.from, from) && match(d.to, to));
  }

  /** Internal: a socket's send. */
  transmit(from: MemoryDatagramSocket, bytes: Uint8Array, offset: number, length: number, port: number, address: string, done: DatagramSendCallback | undefined): void {
    const family = net.isIP(address);
    if (family === 0 || WILDCARDS.has(address) || !Number.isInteger(port) || port < 1 || port > 65535) {
      if (done) queueMicrotask(() => done(bindError('EINVAL', `memory network: cannot send to ${address}:${port}`)));
      return;
    }
    const copy = Buffer.from(bytes.subarray(offset, offset + length));
    const target = this.#sockets.get(key(address, port)) ?? this.#sockets.get(key(family === 6 ? '::' : '0.0.0.0', port));
    const entry: WireDatagram = {
      from: { address: WILDCARDS.has(from.address) ? (family === 6 ? '::1' : '127.0.0.1') : from.address, port: from.port },
      to: { address, port },
      bytes: copy,
      at: this.#clock?.now() ?? 0,
      delivered: target !== undefined,
    };
    if (entry.delivered && this.#filter && !this.#filter(entry)) entry.delivered = false;
    if (this.wire.length < this.#maxWireLog) this.wire.push(entry);
    else this.unlogged++;
    const arrives = entry.delivered;
    queueMicrotask(() => {
      if (arrives && target) target.deliver(copy, entry.from);
      done?.(null);
    });
  }

  /** Internal: a socket closed. */
  unbind(socket: MemoryDatagramSocket): void {
    const k = key(socket.address, socket.port);
    if (this.#sockets.get(k) === socket) this.#sockets.delete(k);
  }

  #taken(address: string, port: number): boolean {
    if (this.#sockets.has(key(address, port))) return true;
    // A wildcard bind conflicts with every address of its family, and the other way round.
    const v6 = net.isIPv6(address);
    if (WILDCARDS.has(address)) {
      for (const s of this.#sockets.values()) if (s.port === port && net.isIPv6(s.address) === v6) return true;
      return false;
    }
    return this.#sockets.has(key(v6 ? '::' : '0.0.0.0', port));
  }
}

export class MemoryDatagramSocket implements DatagramSocket {
  readonly address: string;
  readonly port: number;
  readonly #network: MemoryDatagramNetwork;
  #handlers: DatagramHandlers | undefined;
  #closed = false;

  constructor(network: MemoryDatagramNetwork, address: string, port: number) {
    this.#network = network;
    this.address = address;
    this.port = port;
  }

  listen(handlers: DatagramHandlers): void {
    this.#handlers = handlers;
  }

  send(bytes: Uint8Array, offset: number, length: number, port: number, address: string, done?: DatagramSendCallback): void {
    if (this.#closed) {
      if (done) queueMicrotask(() => done(bindError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'memory network: socket is closed')));
      return;
    }
    this.#network.transmit(this, bytes, offset, length, port, address, done);
  }

  close(done?: () => void): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#handlers = undefined;
      this.#network.unbind(this);
    }
    if (done) queueMicrotask(done);
  }

  /** Internal: a datagram arrived. */
  deliver(data: Buffer, from: DatagramSource): void {
    this.#handlers?.message(data, from);
  }
}
