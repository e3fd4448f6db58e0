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
import type { Endpoint, LatchingPolicy } from './latch.js';
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
  /** New media destination (SDP c=/m=, a=rtcp); re-opens the latching window. */
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
  /** Where to send (from the SDP); undefined until known (then the first valid packet latches). */
  remote?: RemoteMedia;
  /** RFC 5761 RTP/RTCP multiplexing on one port (fixed for the session's lifetime). */
  rtcpMux?: boolean;
  jitter?: JitterOptions;
  /** Silence on the inbound side for this long raises `inactive`, ms; 0 disables. Default 30 000. */
  inactivityMs?: number;
  /** Symmetric-RTP latching (see latch.ts). Default 2 s / 50 packets. */
  latching?: LatchingPolicy | 'off';
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
  /** Our RTP or RTCP destination moved to where the peer's packets come from. */
  latched: [remote: Endpoint, kind: 'rtp' | 'rtcp'];
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
  /** Valid packets from a source other than the (latched) remote. */
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
