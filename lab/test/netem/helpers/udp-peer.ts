/** A loopback UDP endpoint for tests: binds, keeps what arrives, waits (bounded) for a count. */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface Received {
  msg: Buffer;
  from: RemoteInfo;
}

export class UdpPeer {
  readonly received: Received[] = [];
  readonly #sock: Socket;
  #waiters: Array<() => void> = [];

  private constructor(sock: Socket) {
    this.#sock = sock;
    sock.on('message', (msg, from) => {
      this.received.push({ msg, from });
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async bind(host: string, port = 0): Promise<UdpPeer> {
    if (!host.startsWith('127.')) throw new Error(`tests stay on loopback, not ${host}`);
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, host, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    return new UdpPeer(sock);
  }

  /** An RTP/RTCP pair on consecutive ports (RTCP = RTP + 1), as RFC 3550 §11 expects. */
  static async bindPair(host: string): Promise<{ rtp: UdpPeer; rtcp: UdpPeer }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const rtp = await UdpPeer.bind(host);
      if (rtp.port % 2 === 0 && rtp.port < 65535) {
        const rtcp = await UdpPeer.bind(host, rtp.port + 1).catch(() => undefined);
        if (rtcp) return { rtp, rtcp };
      }
      rtp.close();
    }
    throw new Error(`no RTP/RTCP port pair on ${host}`);
  }

  get port(): number {
    return this.#sock.address().port;
  }

  get host(): string {
    return this.#sock.address().address;
  }

  send(msg: Buffer | string, port: number, host: string): Promise<void> {
    if (!host.startsWith('127.')) throw new Error(`tests stay on loopback, not ${host}`);
    return new Promise((resolve, reject) => this.#sock.send(typeof msg === 'string' ? Buffer.from(msg, 'latin1') : msg, port, host, (err) => (err ? reject(err) : resolve())));
  }

  /** Resolves once `count` messages have arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 3000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} datagrams on ${this.host}:${this.port}, got ${this.received.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }

  close(): void {
    try {
      this.#sock.close();
    } catch {
      // already closed
    }
  }
}
