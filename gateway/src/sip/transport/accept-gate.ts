import type net from 'node:net';
import type { Clock, TimerId } from '../../clock.js';
import type { Logger } from '../../log.js';
import { SourceCounts } from '../admission/source-counts.js';
import { normalizeAddress } from './ip.js';
import type { StreamLimits } from './stream-limits.js';

export interface AcceptGateOptions {
  kind: 'tcp' | 'tls';
  clock: Clock;
  logger: Logger;
  limits: StreamLimits;
  /** The source allow-list, asked before anything is read from the socket. */
  admit: (address: string) => boolean;
  /** Counts a named event (`tcp.refused.not_allowed`, `tls.handshake_timeout` …). */
  count: (name: string) => void;
  /** Connections we opened ourselves: they share the transport's total. */
  outbound: () => number;
}

/**
 * The first thing every accepted socket meets, before any byte of it is read: the allow-list, the
 * per-source and total connection budgets, and for TLS the handshake deadline. A refused socket is
 * destroyed at once and only counted (never logged per socket: a flood must not become a log flood).
 * Every accepted socket holds its source's slot until it closes, handshaking or not.
 */
export class AcceptGate {
  readonly #o: AcceptGateOptions;
  readonly #perSource = new SourceCounts();
  /** TLS sockets still handshaking, by remote address|port, with their deadline timers. */
  readonly #handshaking = new Map<string, { socket: net.Socket; timer: TimerId }>();

  constructor(opts: AcceptGateOptions) {
    this.#o = opts;
  }

  /** Accepted sockets (handshaking included) that are still open. */
  get accepted(): number {
    return this.#perSource.total;
  }

  /** Decides on a fresh socket; false when it was refused (and destroyed). */
  admit(socket: net.Socket): boolean {
    const { kind, limits, count } = this.#o;
    const address = normalizeAddress(socket.remoteAddress ?? '');
    let refusal: string | undefined;
    if (!this.#o.admit(address)) refusal = 'not_allowed';
    else if (this.#perSource.get(address) >= limits.maxConnectionsPerSource) refusal = 'source_limit';
    else if (this.#perSource.total + this.#o.outbound() >= limits.maxConnections) refusal = 'total_limit';
    if (refusal !== undefined) {
      count(`${kind}.refused.${refusal}`);
      socket.on('error', () => undefined);
      socket.destroy();
      return false;
    }
    count(`${kind}.accepted`);
    this.#perSource.add(address);
    const key = `${address}|${socket.remotePort ?? 0}`;
    socket.once('close', () => {
      this.#perSource.remove(address);
      this.#settle(key);
    });
    if (kind === 'tls') {
      const timer = this.#o.clock.setTimeout(() => {
        if (!this.#handshaking.delete(key)) return;
        count('tls.handshake_timeout');
        socket.destroy();
      }, limits.handshakeTimeoutMs);
      this.#handshaking.set(key, { socket, timer });
    }
    return true;
  }

  /** The TLS handshake of the socket from address:port completed: its deadline no longer applies. */
  handshakeDone(address: string, port: number): void {
    this.#settle(`${normalizeAddress(address)}|${port}`);
  }

  /** Transport close: every socket still handshaking is destroyed and its timer cleared. */
  closeAll(): void {
    for (const [key, { socket }] of [...this.#handshaking]) {
      this.#settle(key);
      socket.destroy();
    }
  }

  #settle(key: string): void {
    const pending = this.#handshaking.get(key);
    if (pending === undefined) return;
    this.#o.clock.clearTimeout(pending.timer);
    this.#handshaking.delete(key);
  }
}
