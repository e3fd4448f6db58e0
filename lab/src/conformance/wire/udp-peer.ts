/**
 * A SIP peer's UDP socket for the wire suites: sends raw bytes, keeps every datagram it receives
 * (parsed with the gateway's own message codec) and lets a test wait for one, always with a bound.
 */
import dgram from 'node:dgram';
import { parseMessage, type ParseResult, type SipResponse } from 'connect-realtime-gateway';
import { WireError } from './errors.js';
import { requireLoopback, type Endpoint } from './loopback.js';

export interface Datagram {
  /** performance.now() at arrival. */
  at: number;
  from: Endpoint;
  bytes: Buffer;
  parsed: ParseResult;
}

type Listener = (d: Datagram) => void;

/** The response carried by a datagram, if it parsed as one. */
export function responseOf(d: Datagram): SipResponse | undefined {
  return d.parsed.ok && d.parsed.value.type === 'response' ? d.parsed.value : undefined;
}

const STATUS_LINE = /^SIP\/2\.0 ([1-6][0-9]{2})[ \r]/;

/**
 * The status code of a datagram that starts with a SIP/2.0 status line, whether or not the rest
 * parses: a reply to a malformed request echoes its malformed Via/From/To/CSeq (RFC 3261 §8.2.6.2
 * copies them), so a strict parse of the reply fails exactly where the request did.
 */
export function statusOf(d: Datagram): number | undefined {
  const m = STATUS_LINE.exec(d.bytes.toString('latin1', 0, Math.min(d.bytes.length, 16)));
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

export class UdpPeer {
  readonly received: Datagram[] = [];
  readonly #socket: dgram.Socket;
  readonly #local: Endpoint;
  #listeners: Listener[] = [];
  #closed = false;

  private constructor(socket: dgram.Socket, local: Endpoint) {
    this.#socket = socket;
    this.#local = local;
    socket.on('message', (bytes, rinfo) => {
      const d: Datagram = { at: performance.now(), from: { host: rinfo.address, port: rinfo.port }, bytes, parsed: parseMessage(bytes) };
      this.received.push(d);
      for (const l of [...this.#listeners]) l(d);
    });
    // A late ICMP error must not crash the test process; the next wait simply times out.
    socket.on('error', () => undefined);
  }

  /** Binds on `host:port` (port 0: the OS picks). */
  static bind(host: string, port = 0): Promise<UdpPeer> {
    requireLoopback(host, 'UdpPeer host');
    const socket = dgram.createSocket('udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', (err) => {
        socket.close();
        reject(new WireError('WIRE_ERR_SOCKET', `cannot bind udp ${host}:${port}: ${err.message}`));
      });
      socket.bind(port, host, () => {
        socket.removeAllListeners('error');
        const a = socket.address();
        resolve(new UdpPeer(socket, { host: a.address, port: a.port }));
      });
    });
  }

  get local(): Endpoint {
    return this.#local;
  }

  send(bytes: Buffer, to: Endpoint): Promise<void> {
    requireLoopback(to.host, 'UdpPeer destination');
    return new Promise((resolve, reject) => {
      this.#socket.send(bytes, to.port, to.host, (err) => (err ? reject(new WireError('WIRE_ERR_SOCKET', `udp send failed: ${err.message}`)) : resolve()));
    });
  }

  /** Calls `listener` for every datagram from now on; returns the unsubscribe function. */
  onDatagram(listener: Listener): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /**
   * The first datagram at index >= `from` of `received` matching `match`, waiting at most
   * `timeoutMs`; undefined when none came (the caller asserts).
   */
  waitFor(match: (d: Datagram) => boolean, timeoutMs: number, from = 0): Promise<Datagram | undefined> {
    for (let i = from; i < this.received.length; i++) {
      const d = this.received[i] as Datagram;
      if (match(d)) return Promise.resolve(d);
    }
    return new Promise((resolve) => {
      const done = (d: Datagram | undefined): void => {
        clearTimeout(timer);
        off();
        resolve(d);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const off = this.onDatagram((d) => {
        if (match(d)) done(d);
      });
    });
  }

  /** Resolves after `quietMs` with no datagram arriving, or at `maxMs` at the latest. */
  async quiet(quietMs: number, maxMs: number): Promise<void> {
    const deadline = performance.now() + maxMs;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      const got = await this.waitFor(() => true, Math.min(quietMs, left), this.received.length);
      if (got === undefined) return;
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#listeners = [];
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}
