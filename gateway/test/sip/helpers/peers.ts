import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { StreamFramer, parseMessage, type SipMessage } from '../../../src/sip/message/index.js';

/** Queue of parsed messages with an awaitable next(); bounded by the test timeout, never by sleeps. */
class Inbox {
  readonly #queue: SipMessage[] = [];
  readonly #waiters: Array<(m: SipMessage) => void> = [];

  push(m: SipMessage): void {
    const w = this.#waiters.shift();
    if (w !== undefined) w(m);
    else this.#queue.push(m);
  }

  next(): Promise<SipMessage> {
    const m = this.#queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Skips messages until one satisfies `pred`. */
  async until(pred: (m: SipMessage) => boolean): Promise<SipMessage> {
    for (;;) {
      const m = await this.next();
      if (pred(m)) return m;
    }
  }

  get pending(): number {
    return this.#queue.length;
  }
}

/** A UDP SIP peer on 127.0.0.1 with an ephemeral port. */
export class UdpPeer {
  readonly inbox = new Inbox();
  readonly socket = dgram.createSocket('udp4');

  /** `localAddress`: the loopback address the peer sends from (127.0.0.x stands for another host). */
  static async open(localAddress = '127.0.0.1'): Promise<UdpPeer> {
    const p = new UdpPeer();
    p.socket.on('message', (data) => {
      const r = parseMessage(data);
      if (r.ok) p.inbox.push(r.value);
    });
    await new Promise<void>((resolve) => p.socket.bind(0, localAddress, resolve));
    return p;
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(text: string | Buffer, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(typeof text === 'string' ? Buffer.from(text) : text, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A TCP or TLS SIP peer: one connection, framed with the message layer's StreamFramer. */
export class StreamPeer {
  readonly inbox = new Inbox();
  readonly framer = new StreamFramer();
  readonly raw: Buffer[] = [];
  closed: Promise<void>;
  #socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.raw.push(chunk);
      for (const r of this.framer.push(chunk)) if (r.ok) this.inbox.push(r.value);
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  static adopt(socket: net.Socket): StreamPeer {
    return new StreamPeer(socket);
  }

  /** `localAddress`: the loopback address the peer connects from (127.0.0.x stands for another host). */
  static connectTcp(port: number, localAddress?: string): Promise<StreamPeer> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, ...(localAddress !== undefined ? { localAddress } : {}) }, () => resolve(new StreamPeer(s)));
      s.once('error', reject);
    });
  }

  static connectTls(port: number, opts: tls.ConnectionOptions): Promise<StreamPeer> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, ...opts }, () => resolve(new StreamPeer(s)));
      s.once('error', reject);
    });
  }

  get localPort(): number {
    return this.#socket.localPort ?? 0;
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.#socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  end(): Promise<void> {
    this.#socket.end();
    return this.closed;
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
