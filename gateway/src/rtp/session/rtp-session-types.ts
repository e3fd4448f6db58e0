/**
 * The RtpSession's public shapes: options, events, re-INVITE updates and the stats snapshot.
 * Kept apart from the session so the call layer can read the contract in one place.
 */
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import type { G711Name } from '../../audio/index.js';
import type { DtmfDigitEvent } from '../dtmf/index.js';
import type { SrtpError, SrtpSession } from '../srtp/index.js';
import type { RtpWireErrorCode } from '../errors.js';
import type { JitterBufferStats } from '../jitter/jitter-buffer.js';
import type { MediaScheduler } from '../pacing/media-scheduler.js';
import type { RtcpPacket } from '../rtcp/compound.js';
import type { RemoteQualitySnapshot } from '../stats/remote-quality.js';
import type { Endpoint, LearningPolicy, SourcePolicy } from './latch.js';
import type { PortAllocator } from './port-allocator.js';
import type { DatagramSocketFactory } from '../transport/datagram-socket.js';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface RemoteMedia {
  address: string;
  port: number;
  /** RTCP port when not muxed (SDP a=rtcp); default port + 1. */
  rtcpPort?: number;
}

/** What a re-INVITE may change (see RtpSession.updateRemote). */
export interface RemoteUpdate {
  /** New media destination (SDP c=/m=, a=rtcp): the only source accepted from then on (or learning restarts). */
  remote?: RemoteMedia;
  payloadType?: number;
  /** null: telephone-event no longer negotiated. */
  dtmfPayloadType?: number | null;
  codec?: G711Name;
  /** null switches SRTP off. */
  srtp?: SrtpSession | null;
}

export interface JitterOptions {
  minDelayMs?: number;
  maxDelayMs?: number;
  maxConcealMs?: number;
}

export interface RtpSessionOptions {
  clock: Clock;
  scheduler: MediaScheduler;
  /** A per-call pino child. */
  logger: Logger;
  ports: PortAllocator;
  /** Where the RTP/RTCP sockets come from: real UDP (default) or an in-memory network. */
  sockets?: DatagramSocketFactory;
  /** Local address to bind ('0.0.0.0', '::' or one interface's address). */
  bindAddress: string;
  codec: G711Name;
  /** Negotiated audio payload type (0 PCMU, 8 PCMA, or a dynamic one from SDP). */
  payloadType: number;
  /** Negotiated telephone-event payload type; undefined when DTMF was not negotiated. */
  dtmfPayloadType?: number;
  /** Where to send and the one source accepted (from the SDP); undefined until known (nothing is accepted). */
  remote?: RemoteMedia;
  /** RFC 5761 RTP/RTCP multiplexing on one port (fixed for the session's lifetime). */
  rtcpMux?: boolean;
  jitter?: JitterOptions;
  /** Silence on the inbound side for this long raises `inactive`, ms; 0 disables. Default 30 000. */
  inactivityMs?: number;
  /** Media source validation (latch.ts): `strict` (default) accepts only the SDP source; `learn` may follow a NAT. */
  sourcePolicy?: SourcePolicy;
  /** With `learn`: how many in-sequence packets and how much silence from the expected source. */
  learning?: LearningPolicy;
  /**
   * false: the session sends nothing (no RTP, no RTCP) and learns no source until `confirm()` (the
   * call layer confirms at the ACK, so an unconfirmed INVITE's SDP address gets no packet). Default true.
   */
  confirmed?: boolean;
  /**
   * After confirmation (or a move to a new remote), how long the peer may take to send its first
   * valid RTP or RTCP packet while we send to it; then sending stops and `unheard` fires, ms. 0
   * disables. Default 0 (the call layer passes RTP_FIRST_PACKET_TIMEOUT_MS).
   */
  firstPacketTimeoutMs?: number;
  srtp?: SrtpSession;
  /** RTCP CNAME; default a random opaque one. */
  cname?: string;
  /** Random source for SSRC, initial sequence/timestamp and RTCP intervals; default crypto/Math.random. */
  random?: () => number;
  /** Most outbound audio queued, ms (PlayoutQueue bound). */
  maxQueuedMs?: number;
  /** Initial direction (default sendrecv). */
  direction?: MediaDirection;
}

export interface RtpSessionEvents {
  dtmf: [event: DtmfDigitEvent];
  /** No RTP for `inactivityMs`; fired once until packets resume. */
  inactive: [info: { silentMs: number }];
  /** RTP resumed after `inactive`. */
  active: [];
  rtcp: [packets: RtcpPacket[]];
  /** Our RTP or RTCP destination moved to where the peer's packets come from (policy `learn`). */
  latched: [remote: Endpoint, kind: 'rtp' | 'rtcp'];
  /** Nothing valid came from the remote within `firstPacketTimeoutMs` of sending to it: sending stopped. */
  unheard: [info: { remote: Endpoint | undefined; waitedMs: number; packetsSent: number }];
  closed: [];
}

export interface RtpReceiveCounters {
  /** Datagrams that arrived on the RTP port (with rtcp-mux, RTCP ones too). */
  datagrams: number;
  packets: number;
  octets: number;
  rtcpPackets: number;
  malformed: Record<RtpWireErrorCode, number>;
  srtpErrors: Record<SrtpError, number>;
  /** Valid packets from a source other than the expected (or learned) remote: dropped, never answered. */
  unexpectedSource: number;
  /** Packets with a payload type that was not negotiated. */
  unknownPayloadType: number;
  /** Sequence-number duplicates dropped before the jitter buffer. */
  duplicates: number;
  /** Packets held back by A.1 probation or as unconfirmed sequence jumps. */
  held: number;
  dtmfPackets: number;
  dtmfDigits: number;
  /** Datagrams whose handling threw (a bug, never expected): counted, logged, dropped. */
  handlerErrors: number;
}

export interface RtpSendCounters {
  packets: number;
  octets: number;
  audioFrames: number;
  silenceFrames: number;
  dtmfPackets: number;
  dtmfDigits: number;
  rtcpPackets: number;
  socketErrors: number;
}

export interface RtpSessionStats {
  localPort: number;
  ssrc: number;
  remote: Endpoint | undefined;
  direction: MediaDirection;
  received: RtpReceiveCounters;
  sent: RtpSendCounters;
  /** RFC 3550 A.1/A.3/A.8 for the current remote source. */
  stream: {
    ssrc: number | undefined;
    expected: number;
    lost: number;
    reordered: number;
    restarts: number;
    ssrcChanges: number;
    jitterMs: number;
  };
  jitterBuffer: JitterBufferStats;
  /** What the peer reports about our stream (RTCP). */
  remoteQuality: RemoteQualitySnapshot;
  playout: { queuedMs: number; starvedTicks: number; overflowBytes: number };
}
