import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { Clock, TimerId } from '../../clock.js';
import type { Logger } from '../../log.js';
import { SipError } from '../errors.js';
import { StreamFramer } from '../message/index.js';
import { AcceptGate } from './accept-gate.js';
import { isUnicastIpLiteral, normalizeAddress } from './ip.js';
import { resolveStreamLimits, type StreamLimits } from './stream-limits.js';
import { clientCertAcceptable, clientTlsOptions, serverTlsOptions, validateTlsMaterial, type TlsMaterial } from './tls-policy.js';
import type { Destination, InboundHandler, SipTransport } from './types.js';

export type { TlsMaterial } from './tls-policy.js';

/** How long an outbound connect (TCP + TLS handshake) may take before the send fails. */
export const STREAM_CONNECT_TIMEOUT_MS = 10_000;

export interface StreamTransportOptions {
  kind: 'tcp' | 'tls';
  host: string;
  port: number;
  clock: Clock;
  logger: Logger;
  limits?: Partial<StreamLimits>;
  tls?: TlsMaterial;
  /** The source allow-list, asked at accept before any read; absent: everyone. */
  admit?: (address: string) => boolean;
  /** Whether a live dialog or INVITE uses the connection: it then gets the long idle timeout. */
  inUse?: (connectionId: string) => boolean;
  /** Counts named events (refusals, deadlines); absent: not counted. */
  count?: (name: string) => void;
}

interface Connection {
  readonly id: string;
  readonly socket: net.Socket;
  readonly framer: StreamFramer;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly outbound: boolean;
  /** Last complete message (or keep-alive ping) in either direction. */
  lastActivity: number;
  /** When the first byte of the message now being received arrived; undefined between messages. */
  messageStartedAt: number | undefined;
  timer: TimerId | undefined;
  timerDue: number;
}

/**
 * SIP over TCP or TLS (RFC 3261 §18.3, RFC 5630 for TLS): messages are framed by Content-Length on a
 * byte stream (the message layer's StreamFramer), responses go back on the connection the request
 * came on, and requests we originate reuse an open connection to the peer before opening a new one.
 * Every connection is bounded (stream-limits.ts): admitted at accept by the AcceptGate, then held
 * to a message deadline and an idle timeout that is short unless a dialog lives on it.
 */
export class StreamTransport implements SipTransport {
  readonly kind: 'tcp' | 'tls';
  readonly reliable = true;
  readonly #opts: StreamTransportOptions;
  readonly #limits: StreamLimits;
  readonly #gate: AcceptGate;
  readonly #count: (name: string) => void;
  readonly #connections = new Map<string, Connection>();
  readonly #byRemote = new Map<string, string>();
  readonly #connecting = new Map<string, Promise<Connection>>();
  #outbound = 0;
  #server: net.Server | undefined;
  #bound: AddressInfo | undefined;
  #onMessage: InboundHandler | undefined;
  #nextId = 1;
  #closed = false;

  constructor(opts: StreamTransportOptions) {
    if (opts.kind === 'tls' && opts.tls === undefined) throw new RangeError('tls transport needs cert and key');
    if (opts.tls !== undefined) validateTlsMaterial(opts.tls);
    this.kind = opts.kind;
    this.#opts = opts;
    this.#limits = resolveStreamLimits(opts.limits);
    this.#count = opts.count ?? (() => undefined);
    this.#gate = new AcceptGate({
      kind: opts.kind,
      clock: opts.clock,
      logger: opts.logger,
      limits: this.#limits,
      admit: opts.admit ?? (() => true),
      count: this.#count,
      outbound: () => this.#outbound,
    });
  }

  listen(onMessage: InboundHandler): Promise<AddressInfo> {
    this.#onMessage = onMessage;
    const server = this.kind === 'tls' ? this.#tlsServer() : net.createServer((socket) => {
      if (this.#gate.admit(socket)) this.#adopt(socket, false);
    });
    server.on('error', (err) => this.#opts.logger.error({ err, transport: this.kind }, 'sip stream: server error'));
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
    this.#gate.closeAll();
    for (const conn of [...this.#connections.values()]) this.#drop(conn);
    const server = this.#server;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  #tlsServer(): tls.Server {
    const material = this.#opts.tls;
    if (material === undefined) throw new RangeError('tls transport needs cert and key');
    const server = tls.createServer(serverTlsOptions(material), (socket) => {
      this.#gate.handshakeDone(socket.remoteAddress ?? '', socket.remotePort ?? 0);
      if (!clientCertAcceptable(material, socket)) {
        this.#count('tls.refused.client_cert');
        socket.destroy();
        return;
      }
      this.#adopt(socket, false);
    });
    // Runs before the TLS layer wraps the socket: a refused source never gets a handshake.
    server.prependListener('connection', (socket: net.Socket) => {
      this.#gate.admit(socket);
    });
    server.on('tlsClientError', (err, socket) => {
      // Per-socket failures are counted, not logged at warn: scanners would flood the log.
      this.#count('tls.handshake_failed');
      this.#opts.logger.debug({ err: err.message, from: socket.remoteAddress }, 'sip tls: handshake failed');
    });
    return server;
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
    const open = this.#gate.accepted + this.#outbound + this.#connecting.size;
    if (open >= this.#limits.maxConnections) {
      return Promise.reject(new SipError('SIP_ERR_TRANSPORT', `${this.kind}: connection limit ${this.#limits.maxConnections} reached`));
    }
    const key = remoteKey(address, port);
    const pending = this.#connecting.get(key);
    if (pending !== undefined) return pending;
    const host = normalizeAddress(address);
    const material = this.#opts.tls;
    const promise = new Promise<Connection>((resolve, reject) => {
      const socket = this.kind === 'tls' && material !== undefined ? tls.connect({ host, port, ...clientTlsOptions(material) }) : net.connect({ host, port });
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
        resolve(this.#adopt(socket, true));
      });
    });
    this.#connecting.set(key, promise);
    const forget = (): void => {
      this.#connecting.delete(key);
    };
    promise.then(forget, forget);
    return promise;
  }

  #adopt(socket: net.Socket, outbound: boolean): Connection {
    const now = this.#opts.clock.now();
    const conn: Connection = {
      id: `${this.kind}-${this.#nextId++}`,
      socket,
      // RFC 5626 §4.4.1: a CRLFCRLF "ping" is answered with a CRLF "pong"; it is activity too.
      framer: new StreamFramer({
        onPing: () => {
          conn.lastActivity = this.#opts.clock.now();
          socket.write('\r\n');
        },
      }),
      remoteAddress: normalizeAddress(socket.remoteAddress ?? ''),
      remotePort: socket.remotePort ?? 0,
      localAddress: normalizeAddress(socket.localAddress ?? ''),
      localPort: socket.localPort ?? 0,
      outbound,
      lastActivity: now,
      messageStartedAt: undefined,
      timer: undefined,
      timerDue: Number.POSITIVE_INFINITY,
    };
    if (this.#closed) {
      socket.destroy();
      return conn;
    }
    this.#connections.set(conn.id, conn);
    if (outbound) this.#outbound += 1;
    this.#byRemote.set(remoteKey(conn.remoteAddress, conn.remotePort), conn.id);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on('error', (err) => this.#opts.logger.debug({ err: err.message, conn: conn.id }, 'sip stream: socket error'));
    socket.on('close', () => this.#forget(conn));
    this.#arm(conn, now + this.#limits.idleTimeoutMs);
    return conn;
  }

  #onData(conn: Connection, chunk: Buffer): void {
    try {
      const results = conn.framer.push(chunk);
      const now = this.#opts.clock.now();
      if (results.length > 0) conn.lastActivity = now;
      // The deadline runs from the first byte of each message: a completed one restarts it.
      if (!conn.framer.midMessage) conn.messageStartedAt = undefined;
      else if (conn.messageStartedAt === undefined || results.length > 0) {
        conn.messageStartedAt = now;
        this.#arm(conn, now + this.#limits.messageTimeoutMs);
      }
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

  /**
   * One timer per connection, armed for the earliest deadline it may have to enforce. Activity only
   * moves lastActivity forward; the check re-arms for whatever is due next.
   */
  #arm(conn: Connection, due: number): void {
    if (conn.timer !== undefined && conn.timerDue <= due) return;
    this.#opts.clock.clearTimeout(conn.timer);
    conn.timerDue = due;
    conn.timer = this.#opts.clock.setTimeout(() => {
      conn.timer = undefined;
      conn.timerDue = Number.POSITIVE_INFINITY;
      this.#check(conn);
    }, Math.max(0, due - this.#opts.clock.now()));
  }

  #check(conn: Connection): void {
    if (this.#connections.get(conn.id) !== conn) return;
    const l = this.#limits;
    const now = this.#opts.clock.now();
    if (conn.messageStartedAt !== undefined && now - conn.messageStartedAt >= l.messageTimeoutMs) {
      this.#count(`${this.kind}.closed.message_timeout`);
      this.#opts.logger.debug({ conn: conn.id }, 'sip stream: message not complete within its deadline');
      this.#drop(conn);
      return;
    }
    const quiet = now - conn.lastActivity;
    let nextIdle = conn.lastActivity + l.idleTimeoutMs;
    if (quiet >= l.idleTimeoutMs) {
      const inUse = this.#opts.inUse?.(conn.id) ?? false;
      if (!inUse || quiet >= l.dialogIdleTimeoutMs) {
        this.#count(`${this.kind}.closed.idle`);
        this.#opts.logger.debug({ conn: conn.id, inUse }, 'sip stream: closing idle connection');
        this.#drop(conn);
        return;
      }
      // A dialog lives on it: look again when the long timeout is due or the dialog may be gone.
      nextIdle = Math.min(conn.lastActivity + l.dialogIdleTimeoutMs, now + l.idleTimeoutMs);
    }
    const nextMessage = conn.messageStartedAt === undefined ? Number.POSITIVE_INFINITY : conn.messageStartedAt + l.messageTimeoutMs;
    this.#arm(conn, Math.min(nextIdle, nextMessage));
  }

  #drop(conn: Connection): void {
    conn.socket.destroy();
    this.#forget(conn);
  }

  #forget(conn: Connection): void {
    this.#opts.clock.clearTimeout(conn.timer);
    conn.timer = undefined;
    if (this.#connections.get(conn.id) === conn) {
      this.#connections.delete(conn.id);
      if (conn.outbound) this.#outbound -= 1;
    }
    const key = remoteKey(conn.remoteAddress, conn.remotePort);
    if (this.#byRemote.get(key) === conn.id) this.#byRemote.delete(key);
  }
}

function remoteKey(address: string, port: number): string {
  return `${normalizeAddress(address)}|${port}`;
}
