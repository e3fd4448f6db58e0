/**
 * The stages of a session's outbound path. Every 20 ms the pacer fills one packet's payload (a DTMF
 * event, the next frame of the PlayoutQueue, or comfort silence) and writes it here:
 *
 *   RtpHeader -> [SRTP(protect)] -> Send
 *
 * The unit is one per session and the send buffers rotate (Node queues, not copies, a datagram the
 * kernel cannot take at once), so nothing is allocated per packet on the plain-RTP path.
 */
import { RTP_FIXED_HEADER_SIZE, writeRtpFixedHeader } from '../packet/rtp-header.js';
import type { SourceLatch } from '../session/latch.js';
import type { RtpSendCounters } from '../session/rtp-session-types.js';
import type { SrtpSession } from '../srtp/index.js';
import type { DatagramSendCallback, DatagramSocket } from '../transport/datagram-socket.js';
import { describeStage, type Stage } from './stage.js';

export class OutboundPacket {
  /** A send buffer: header space, then the payload the pacer wrote. */
  buffer: Uint8Array = new Uint8Array(0);
  /** Header + payload length in `buffer`. */
  length = 0;
  marker = false;
  payloadType = 0;
  timestamp = 0;
  /** What goes on the wire (the buffer, or its SRTP-protected copy) and its length. */
  wire: Uint8Array = new Uint8Array(0);
  wireLength = 0;
}

type Outbound = Stage<OutboundPacket>;

/** RFC 3550 §5.1 fixed header: our SSRC and the next sequence number; counts what is sent (for SR). */
/** The sender's state that outlives a rebuilt chain (re-INVITE): sequence number and SR bookkeeping. */
export interface RtpSenderState {
  readonly ssrc: number;
  seq: number;
  /** RTP sent since the last RTCP report (SR vs RR). */
  sentSinceReport: boolean;
}

export class RtpHeader implements Outbound {
  readonly #state: RtpSenderState;
  readonly #counters: RtpSendCounters;
  readonly #next: Outbound;
  constructor(state: RtpSenderState, counters: RtpSendCounters, next: Outbound) {
    this.#state = state;
    this.#counters = counters;
    this.#next = next;
  }
  write(p: OutboundPacket): void {
    const s = this.#state;
    writeRtpFixedHeader(p.buffer, p.marker, p.payloadType, s.seq, p.timestamp, s.ssrc);
    s.seq = (s.seq + 1) & 0xffff;
    this.#counters.packets++;
    this.#counters.octets += p.length - RTP_FIXED_HEADER_SIZE;
    s.sentSinceReport = true;
    p.wire = p.buffer;
    p.wireLength = p.length;
    this.#next.write(p);
  }
  toString(): string {
    return describeStage('RtpHeader', this.#next);
  }
}

/** RFC 3711 §3.3: encrypt and authenticate (the protected packet is a new buffer). */
export class SrtpProtect implements Outbound {
  readonly #srtp: SrtpSession;
  readonly #next: Outbound;
  constructor(srtp: SrtpSession, next: Outbound) {
    this.#srtp = srtp;
    this.#next = next;
  }
  write(p: OutboundPacket): void {
    const out = this.#srtp.protectRtp(p.wire.subarray(0, p.wireLength));
    p.wire = out;
    p.wireLength = out.length;
    this.#next.write(p);
  }
  toString(): string {
    return describeStage('SRTP(protect)', this.#next);
  }
}

/** The socket, towards wherever the latch says the peer is now. */
export class Send implements Outbound {
  readonly #socket: DatagramSocket;
  readonly #latch: SourceLatch;
  readonly #kind: string;
  readonly #afterSend: DatagramSendCallback;
  constructor(socket: DatagramSocket, latch: SourceLatch, kind: string, afterSend: DatagramSendCallback) {
    this.#socket = socket;
    this.#latch = latch;
    this.#kind = kind;
    this.#afterSend = afterSend;
  }
  write(p: OutboundPacket): void {
    const address = this.#latch.remoteAddress;
    if (address === undefined) return;
    // Without a callback Node drops send errors silently; one callback made once counts them.
    this.#socket.send(p.wire, 0, p.wireLength, this.#latch.remotePort, address, this.#afterSend);
  }
  toString(): string {
    return `Send(${this.#kind})`;
  }
}
