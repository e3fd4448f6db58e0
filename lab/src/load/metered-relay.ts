/**
 * The media relay of a load run: one per call, like the lab's MediaRelay, but it keeps counters
 * instead of records (a load run moves millions of packets) and measures the gateway's outbound
 * pacing on the wire: for every packet towards the caller, its arrival time against its stream's
 * RTP-timestamp grid. Nothing is impaired; RTCP is forwarded and counted apart.
 */
import type { Socket } from 'node:dgram';
import { bindPair, type Endpoint, type SocketPair } from '../netem/media-relay.js';
import type { CallRelay } from '../netem/sip-alg.js';
import { PacingMeter, type RecentLateness } from './pacing-meter.js';

export interface RelayCounts {
  /** RTP packets forwarded to the gateway / to the caller. */
  toGateway: number;
  toCaller: number;
  rtcp: number;
  /** Packets that arrived before the far side's media address was known. */
  unrouted: number;
  /** Sends the kernel refused (ENOBUFS …). */
  sendErrors: number;
}

export class MeteredRelay implements CallRelay {
  readonly counts: RelayCounts = { toGateway: 0, toCaller: 0, rtcp: 0, unrouted: 0, sendErrors: 0 };
  callerMedia?: Endpoint;
  gatewayMedia?: Endpoint;
  #gwSide!: SocketPair;
  #callerSide!: SocketPair;
  #closed = false;

  private constructor(
    readonly callId: string,
    readonly pacing: PacingMeter,
  ) {}

  static async create(host: string, callId: string, recent?: RecentLateness): Promise<MeteredRelay> {
    const relay = new MeteredRelay(callId, new PacingMeter(recent));
    relay.#gwSide = await bindPair(host);
    relay.#callerSide = await bindPair(host);
    relay.#callerSide.rtp.on('message', (msg) => relay.#forward(msg, false, relay.#gwSide.rtp, relay.gatewayMedia, false));
    relay.#callerSide.rtcp.on('message', (msg) => relay.#forward(msg, false, relay.#gwSide.rtcp, relay.gatewayMedia, true));
    relay.#gwSide.rtp.on('message', (msg) => relay.#forward(msg, true, relay.#callerSide.rtp, relay.callerMedia, false));
    relay.#gwSide.rtcp.on('message', (msg) => relay.#forward(msg, true, relay.#callerSide.rtcp, relay.callerMedia, true));
    return relay;
  }

  get gatewayFacingPort(): number {
    return this.#gwSide.port;
  }

  get callerFacingPort(): number {
    return this.#callerSide.port;
  }

  #forward(msg: Buffer, toCaller: boolean, out: Socket, target: Endpoint | undefined, rtcp: boolean): void {
    if (this.#closed) return;
    if (!target) {
      this.counts.unrouted++;
      return;
    }
    if (rtcp) this.counts.rtcp++;
    else if (toCaller) {
      this.counts.toCaller++;
      // Arrival time against the RTP timestamp: the gateway's pacing as a receiver sees it.
      if (msg.length >= 12 && msg[0]! >> 6 === 2) this.pacing.packet(msg.readUInt32BE(8), msg.readUInt32BE(4), performance.now());
    } else this.counts.toGateway++;
    out.send(msg, rtcp ? target.port + 1 : target.port, target.address, (err) => {
      if (err) this.counts.sendErrors++;
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [this.#gwSide.rtp, this.#gwSide.rtcp, this.#callerSide.rtp, this.#callerSide.rtcp]) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  }
}
