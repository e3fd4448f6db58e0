import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { Clock, TimerId } from '../../clock.js';
import type { Logger } from '../../log.js';
import { SipError } from '../errors.js';
import { StreamFramer } from '../message/index.js';
import { isUnicastIpLiteral, normalizeAddress } from './ip.js';
import type { Destination, InboundHandler, SipTransport } from './types.js';

/** Quiet connections are closed after this long (ms); each message in or out restarts the count. */
export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 600_000;
/** Accepted plus outbound connections per stream transport; beyond this new peers are refused. */
export const MAX_STREAM_CONNECTIONS = 1_024;
/** How long an outbound connect (TCP + TLS handshake) may take before the send fails. */
export const STREAM_CONNECT_TIMEOUT_MS = 10_000;

export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
  /** CAs we trust for connections we open (BYE to the peer when its connection is gone). */
  ca?: string | Buffer;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface StreamTransportOptions {
  kind: 'tcp' | 'tls';
  host: string;
  port: number;
  clock: Clock;
  logger: Logger;
  idleTimeoutMs?: number;
  tls?: TlsMaterial;
}

interface Connection {
  readonly id: string;
  readonly socket: net.Socket;
  readonly framer: StreamFramer;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  lastActivity: number;
  idleTimer: TimerId | undefined;
}

/**
 * SIP over TCP or TLS (RFC 3261 §18.3, RFC 5630 for TLS): messages are framed by Content-Length on a
 * byte stream (the message layer's StreamFramer), responses go back on the connection the request
 * came on, and requests we originate reuse an open connection to the peer before opening a new one.
 */
export class StreamTransport implements SipTransport {
  readonly kind: 'tcp' | 'tls';
  readonly reliable = true;
  readonly #opts: StreamTransportOptions;
  readonly #idleMs: number;
  readonly #connections = new Map<string, Connection>();
  readonly #byRemote = new Map<string, string>();
  readonly #connecting = new Map<string, Promise<Connection>>();
  #server: net.Server | undefined;
  #bound: AddressInfo | undefined;
  #onMessage: InboundHandler | undefined;
  #nextId = 1;
  #closed = false;

  constructor(opts: StreamTransportOptions) {
    if (opts.kind === 'tls' && opts.tls === undefined) throw new RangeError('tls transport needs cert and key');
    this.kind = opts.kind;
    this.#opts = opts;
    this.#idleMs = opts.idleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS;
    if (!(this.#idleMs > 0)) throw new RangeError(`tcpIdleTimeoutMs must be > 0, got ${this.#idleMs}`);
  }

  listen(onMessage: InboundHandler): Promise<AddressInfo> {
    this.#onMessage = onMessage;
    const server =
      this.kind === 'tls'
        ? tls.createServer(
            { ...this.#tlsContext(), requestCert: false },
            (socket) => this.#adopt(socket),
          )
        : net.createServer((socket) => this.#adopt(socket));
    server.maxConnections = MAX_STREAM_CONNECTIONS;
    server.on('error', (err) => this.#opts.logger.error({ err, transport: this.kind }, 'sip stream: server error'));
    if (server instanceof tls.Server) {
      server.on('tlsClientError', (err, socket) => {
        this.#opts.logger.warn({ err: err.message, from: socket.remoteAddress }, 'sip tls: handshake failed');
      });
    }
    this.#server = server;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(this.#opts.port, this.#opts.host, () => {
        server.off('error', onError);
        this.#bound = server.address() as AddressInfo;
        resolve(this.#bound);
      });
    });
  }

  async send(dest: Destination, data: Buffer): Promise<void> {
    if (this.#closed) throw new SipError('SIP_ERR_TRANSPORT', `${this.kind} transport is closed`);
    let conn = dest.connectionId === undefined ? undefined : this.#connections.get(dest.connectionId);
    if (conn === undefined || conn.socket.destroyed || !conn.socket.writable) {
      conn = this.#openTo(dest.address, dest.port) ?? (await this.#connect(dest.address, dest.port));
    }
    const target = conn;
    this.#touch(target);
    await new Promise<void>((resolve, reject) => {
      target.socket.write(data, (err) => {
        if (err) reject(new SipError('SIP_ERR_TRANSPORT', `${this.kind} write to ${target.remoteAddress}:${target.remotePort} failed: ${err.message}`));
        else resolve();
      });
    });
  }

  isConnectionOpen(connectionId: string): boolean {
    const conn = this.#connections.get(connectionId);
    return conn !== undefined && !conn.socket.destroyed && conn.socket.writable;
  }

  address(): AddressInfo | undefined {
    return this.#bound;
  }

  /** Number of open connections (accepted and outbound). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const conn of [...this.#connections.values()]) this.#drop(conn);
    const server = this.#server;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  #tlsContext(): tls.SecureContextOptions {
    const material = this.#opts.tls;
    if (material === undefined) throw new RangeError('tls transport needs cert and key');
    return {
      cert: material.cert,
      key: material.key,
      ...(material.ca !== undefined ? { ca: material.ca } : {}),
      minVersion: material.minVersion ?? 'TLSv1.2',
    };
  }

  #openTo(address: string, port: number): Connection | undefined {
    const id = this.#byRemote.get(remoteKey(address, port));
    if (id === undefined) return undefined;
    const conn = this.#connections.get(id);
    return conn !== undefined && !conn.socket.destroyed && conn.socket.writable ? conn : undefined;
  }

  #connect(address: string, port: number): Promise<Connection> {
    if (!isUnicastIpLiteral(address)) {
      return Promise.reject(new SipError('SIP_ERR_NO_ROUTE', `refusing to connect to non-unicast or non-IP destination ${address}`));
    }
    if (this.#connections.size >= MAX_STREAM_CONNECTIONS) {
      return Promise.reject(new SipError('SIP_ERR_TRANSPORT', `${this.kind}: connection limit ${MAX_STREAM_CONNECTIONS} reached`));
    }
    const key = remoteKey(address, port);
    const pending = this.#connecting.get(key);
    if (pending !== undefined) return pending;
    const host = normalizeAddress(address);
    const promise = new Promise<Connection>((resolve, reject) => {
      const socket =
        this.kind === 'tls'
          ? tls.connect({ host, port, ...this.#tlsContext(), rejectUnauthorized: true })
          : net.connect({ host, port });
      const readyEvent = this.kind === 'tls' ? 'secureConnect' : 'connect';
      const timer = this.#opts.clock.setTimeout(() => {
        socket.destroy();
        reject(new SipError('SIP_ERR_TRANSPORT', `${this.kind} connect to ${host}:${port} timed out`));
      }, STREAM_CONNECT_TIMEOUT_MS);
      const onError = (err: Error): void => {
        this.#opts.clock.clearTimeout(timer);
        socket.destroy();
        reject(new SipError('SIP_ERR_TRANSPORT', `${this.kind} connect to ${host}:${port} failed: ${err.message}`));
      };
      socket.once('error', onError);
      socket.once(readyEvent, () => {
        this.#opts.clock.clearTimeout(timer);
        socket.off('error', onError);
        if (this.#closed) {
          socket.destroy();
          reject(new SipError('SIP_ERR_TRANSPORT', `${this.kind} transport closed while connecting`));
          return;
        }
        resolve(this.#adopt(socket));
      });
    });
    this.#connecting.set(key, promise);
    const forget = (): void => {
      this.#connecting.delete(key);
    };
    promise.then(forget, forget);
    return promise;
  }

  #adopt(socket: net.Socket): Connection {
    const conn: Connection = {
      id: `${this.kind}-${this.#nextId++}`,
      socket,
      // RFC 5626 §4.4.1: a CRLFCRLF "ping" is answered with a CRLF "pong".
      framer: new StreamFramer({ onPing: () => void socket.write('\r\n') }),
      remoteAddress: normalizeAddress(socket.remoteAddress ?? ''),
      remotePort: socket.remotePort ?? 0,
      localAddress: normalizeAddress(socket.localAddress ?? ''),
      localPort: socket.localPort ?? 0,
      lastActivity: this.#opts.clock.now(),
      idleTimer: undefined,
    };
    if (this.#closed) {
      socket.destroy();
      return conn;
    }
    this.#connections.set(conn.id, conn);
    this.#byRemote.set(remoteKey(conn.remoteAddress, conn.remotePort), conn.id);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on('error', (err) => this.#opts.logger.debug({ err: err.message, conn: conn.id }, 'sip stream: socket error'));
    socket.on('close', () => this.#forget(conn));
    this.#armIdle(conn);
    return conn;
  }

  #onData(conn: Connection, chunk: Buffer): void {
    try {
      this.#touch(conn);
      const results = conn.framer.push(chunk);
      const handler = this.#onMessage;
      for (const result of results) {
        handler?.({
          result,
          source: {
            transport: this.kind,
            address: conn.remoteAddress,
            port: conn.remotePort,
            localAddress: conn.localAddress,
            localPort: conn.localPort,
          },
          connectionId: conn.id,
        });
        if (!result.ok && result.error.fatal === true) {
          // Framing is lost: nothing later on this stream can be trusted. end() flushes the reply
          // the handler may just have queued, then closes.
          conn.socket.removeAllListeners('data');
          conn.socket.end(() => conn.socket.destroy());
          this.#forget(conn);
          return;
        }
      }
    } catch (err) {
      this.#opts.logger.error({ err, conn: conn.id }, 'sip stream: handler failed');
    }
  }

  #touch(conn: Connection): void {
    conn.lastActivity = this.#opts.clock.now();
  }

  /** One timer per connection, re-armed lazily: activity only moves lastActivity forward. */
  #armIdle(conn: Connection): void {
    const due = conn.lastActivity + this.#idleMs - this.#opts.clock.now();
    conn.idleTimer = this.#opts.clock.setTimeout(() => {
      conn.idleTimer = undefined;
      if (this.#opts.clock.now() - conn.lastActivity >= this.#idleMs) {
        this.#opts.logger.debug({ conn: conn.id }, 'sip stream: closing idle connection');
        this.#drop(conn);
      } else {
        this.#armIdle(conn);
      }
    }, Math.max(0, due));
  }

  #drop(conn: Connection): void {
    conn.socket.destroy();
    this.#forget(conn);
  }

  #forget(conn: Connection): void {
    this.#opts.clock.clearTimeout(conn.idleTimer);
    conn.idleTimer = undefined;
    if (this.#connections.get(conn.id) === conn) this.#connections.delete(conn.id);
    const key = remoteKey(conn.remoteAddress, conn.remotePort);
    if (this.#byRemote.get(key) === conn.id) this.#byRemote.delete(key);
  }
}

function remoteKey(address: string, port: number): string {
  return `${normalizeAddress(address)}|${port}`;
}
