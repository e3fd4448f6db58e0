import { createSocket, type Socket } from 'node:dgram';
import { EchoPath, type EchoProfile } from './echo-path.js';
import { Impairment, type ImpairmentProfile } from './impairment.js';

/**
 * A loopback RTP/RTCP relay that sits between caller and gateway for one call. It is the lab's wire
 * tap: every packet each way is recorded with its arrival time, and the caller→gateway direction
 * (and/or the reverse) can be impaired. Each side sees the relay as its peer, so neither side's
 * source-address checks are disturbed.
 */
export type Direction = 'toGateway' | 'toCaller';

export interface RtpRecord {
  t: number; // ms since relay creation (performance.now based)
  dir: Direction;
  rtcp: boolean;
  fate: 'forwarded' | 'dropped' | 'unrouted';
  length: number;
  pt?: number;
  seq?: number;
  ts?: number;
  ssrc?: number;
  marker?: boolean;
  /** Payload bytes after the fixed header + CSRCs (RTP only), kept for byte-exact comparisons. */
  payload?: Buffer;
  /** RTCP only: the whole compound packet (report blocks are evidence of what each side measured). */
  rtcpPacket?: Buffer;
  /** RTP only: position in this direction's impairment sequence (what the seed decides for). */
  index?: number;
  /** Extra delay of each delivery (two when duplicated), ms; absent when dropped or unrouted. */
  delaysMs?: number[];
}

export interface Endpoint {
  address: string;
  port: number;
}

export interface SocketPair {
  rtp: Socket;
  rtcp: Socket;
  port: number;
}

/** An RTP/RTCP socket pair (even port, port + 1) on `host`, at a random free even port 20000-39998. */
export async function bindPair(host: string): Promise<SocketPair> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + 2 * Math.floor(Math.random() * 10_000);
    const rtp = createSocket('udp4');
    const rtcp = createSocket('udp4');
    try {
      await bindSocket(rtp, host, port);
      await bindSocket(rtcp, host, port + 1);
      return { rtp, rtcp, port };
    } catch {
      rtp.close();
      try {
        rtcp.close();
      } catch {
        // not bound
      }
    }
  }
  throw new Error(`could not bind an RTP/RTCP port pair on ${host}`);
}

function bindSocket(sock: Socket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    sock.once('error', onError);
    sock.bind(port, host, () => {
      sock.off('error', onError);
      sock.on('error', () => undefined);
      resolve();
    });
  });
}

export class MediaRelay {
  readonly records: RtpRecord[] = [];
  readonly #origin: number;
  #gwSide!: SocketPair; // faces the gateway (advertised to the gateway in the caller's SDP)
  #callerSide!: SocketPair; // faces the caller (advertised to the caller in the gateway's SDP)
  callerMedia?: Endpoint;
  gatewayMedia?: Endpoint;
  readonly #impair: Record<Direction, Impairment>;
  readonly #echo: EchoPath | undefined;
  #closed = false;
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(
    readonly host: string,
    origin: number,
    profiles: Partial<Record<Direction, ImpairmentProfile>>,
    seed: number,
    echo: EchoProfile | undefined,
  ) {
    this.#origin = origin;
    this.#echo = echo ? new EchoPath(echo) : undefined;
    this.#impair = {
      toGateway: new Impairment(profiles.toGateway ?? {}, seed),
      toCaller: new Impairment(profiles.toCaller ?? {}, seed ^ 0x5bd1e995),
    };
  }

  static async create(
    host: string,
    origin: number,
    profiles: Partial<Record<Direction, ImpairmentProfile>>,
    seed: number,
    echo?: EchoProfile,
  ): Promise<MediaRelay> {
    const relay = new MediaRelay(host, origin, profiles, seed, echo);
    relay.#gwSide = await bindPair(host);
    relay.#callerSide = await bindPair(host);
    relay.#wire();
    return relay;
  }

  /** Port the gateway should send to (put into the caller's SDP). */
  get gatewayFacingPort(): number {
    return this.#gwSide.port;
  }

  /** Port the caller should send to (put into the gateway's SDP). */
  get callerFacingPort(): number {
    return this.#callerSide.port;
  }

  impairment(dir: Direction): Impairment {
    return this.#impair[dir];
  }

  #wire(): void {
    this.#callerSide.rtp.on('message', (msg) => this.#forward(msg, 'toGateway', false));
    this.#callerSide.rtcp.on('message', (msg) => this.#forward(msg, 'toGateway', true));
    this.#gwSide.rtp.on('message', (msg) => this.#forward(msg, 'toCaller', false));
    this.#gwSide.rtcp.on('message', (msg) => this.#forward(msg, 'toCaller', true));
  }

  #forward(msg: Buffer, dir: Direction, rtcp: boolean): void {
    if (this.#closed) return;
    const t = performance.now() - this.#origin;
    const target = dir === 'toGateway' ? this.gatewayMedia : this.callerMedia;
    // The simulated handset/hybrid echo: what the caller hears leaks back into what the caller sends.
    if (this.#echo && !rtcp) {
      if (dir === 'toCaller') this.#echo.hear(msg, t);
      else msg = this.#echo.mix(msg, t);
    }
    const rec: RtpRecord = { t, dir, rtcp, fate: 'forwarded', length: msg.length };
    if (!rtcp) describeRtp(msg, rec);
    else rec.rtcpPacket = Buffer.from(msg);
    this.records.push(rec);
    if (!target) {
      rec.fate = 'unrouted';
      return;
    }
    const out = dir === 'toGateway' ? this.#gwSide : this.#callerSide;
    const sock = rtcp ? out.rtcp : out.rtp;
    const port = rtcp ? target.port + 1 : target.port;
    // RTCP is never impaired: the checks count media loss, and RTCP loss would only blur them.
    const fate = rtcp ? { drop: false, delaysMs: [0] } : this.#impair[dir].next();
    if (!rtcp) {
      rec.index = this.#impair[dir].count - 1;
      if (!fate.drop) rec.delaysMs = fate.delaysMs;
    }
    if (fate.drop) {
      rec.fate = 'dropped';
      return;
    }
    for (const delay of fate.delaysMs) {
      if (delay <= 0) {
        sock.send(msg, port, target.address);
      } else {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          if (!this.#closed) sock.send(msg, port, target.address);
        }, delay);
        this.#timers.add(timer);
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const s of [this.#gwSide.rtp, this.#gwSide.rtcp, this.#callerSide.rtp, this.#callerSide.rtcp]) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  }
}

function describeRtp(msg: Buffer, rec: RtpRecord): void {
  if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
  const cc = msg[0]! & 0x0f;
  const hasExt = (msg[0]! & 0x10) !== 0;
  rec.pt = msg[1]! & 0x7f;
  rec.marker = (msg[1]! & 0x80) !== 0;
  rec.seq = msg.readUInt16BE(2);
  rec.ts = msg.readUInt32BE(4);
  rec.ssrc = msg.readUInt32BE(8);
  let off = 12 + 4 * cc;
  if (hasExt && msg.length >= off + 4) off += 4 + 4 * msg.readUInt16BE(off + 2);
  let end = msg.length;
  if ((msg[0]! & 0x20) !== 0 && end > off) end -= msg[end - 1]!;
  if (off <= end) rec.payload = Buffer.from(msg.subarray(off, end));
}
