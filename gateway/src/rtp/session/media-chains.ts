/**
 * Builds a session's stages for its current configuration (payload types, codec, SRTP keys,
 * direction, rtcp-mux). Stages keep no state beyond that configuration: the jitter buffer, latches,
 * statistics and sequence numbers belong to the session and are handed in, so a rebuild after a
 * re-INVITE or hold loses nothing.
 */
import type { Clock } from '../../clock.js';
import type { G711Name } from '../../audio/index.js';
import type { DtmfReceiver } from '../dtmf/index.js';
import type { JitterBuffer, JitterFrame } from '../jitter/jitter-buffer.js';
import type { SrtpSession } from '../srtp/index.js';
import type { InboundPacket } from '../stages/inbound-packet.js';
import {
  DtmfSink,
  JitterSink,
  Liveness,
  PayloadTypeGate,
  PayloadTypeMux,
  RtcpMuxSplit,
  RtcpParse,
  RtcpReports,
  RtpParse,
  Sequence,
  SourceCheck,
  SrtpUnprotect,
  type InboundHooks,
} from '../stages/inbound-stages.js';
import { RtpHeader, Send, SrtpProtect, type OutboundPacket, type RtpSenderState } from '../stages/outbound-stages.js';
import { TapAgent, TapCaller, type MediaTap } from '../stages/media-tap.js';
import { compose, type Stage } from '../stages/stage.js';
import type { RemoteQuality } from '../stats/remote-quality.js';
import type { SourceTracker } from '../stats/source-tracker.js';
import type { DatagramSendCallback, DatagramSocket } from '../transport/datagram-socket.js';
import type { SourceLatch } from './latch.js';
import type { ProbationHold } from './probation-hold.js';
import type { RtpReceiveCounters, RtpSendCounters } from './rtp-session-types.js';

type Inbound = Stage<InboundPacket>;

/** What the stages act on: the session's configuration and its long-lived state. */
export interface ChainParts {
  clock: Clock;
  codec: G711Name;
  payloadType: number;
  dtmfPayloadType: number | undefined;
  srtp: SrtpSession | undefined;
  delivering: boolean;
  rtcpMux: boolean;
  ssrc: number;
  rx: RtpReceiveCounters;
  tx: RtpSendCounters;
  hooks: InboundHooks;
  jitter: JitterBuffer;
  hold: ProbationHold;
  tracker: SourceTracker;
  dtmfReceiver: DtmfReceiver;
  remoteQuality: RemoteQuality;
  rtpLatch: SourceLatch;
  rtcpLatch: SourceLatch;
  sender: RtpSenderState;
  socket: DatagramSocket;
  socketKind: string;
  afterSend: DatagramSendCallback;
  /** Where played-out caller frames go (read when the chain is printed). */
  audioSink: () => Stage<JitterFrame> | undefined;
  /** Call recording's taps on both directions (undefined: not recording). */
  tap: MediaTap | undefined;
}

export interface MediaChainSet {
  /** Datagrams on the RTP port (with rtcp-mux, the RTCP ones are split off inside). */
  rtp: Inbound;
  /** Datagrams on the RTCP port. */
  rtcp: Inbound;
  /** One packet per tick, payload filled by the pacer. */
  out: Stage<OutboundPacket>;
}

export function buildMediaChains(p: ChainParts): MediaChainSet {
  const { rx, hooks, clock, srtp } = p;
  const jitter = new JitterSink(p.jitter, p.hold, rx, p.delivering, p.codec, p.audioSink);
  const tap = p.tap;
  const routes: Array<[number, Inbound]> = [[p.payloadType, tap ? new TapCaller(tap, p.codec, jitter) : jitter]];
  if (p.dtmfPayloadType !== undefined) routes.push([p.dtmfPayloadType, new DtmfSink(p.dtmfReceiver, p.jitter, rx, p.delivering, hooks)]);
  const rtp = compose<InboundPacket>(
    [
      ...(srtp ? [(next: Inbound) => new SrtpUnprotect(srtp, rx, 'rtp', next)] : []),
      (next) => new RtpParse(rx, next),
      (next) => new PayloadTypeGate(routes.map(([pt]) => pt), rx, next),
      (next) => new SourceCheck(p.rtpLatch, clock, rx, hooks, 'rtp', next),
      (next) => new Liveness(rx, hooks, next),
      (next) => new Sequence(p.tracker, jitter, next),
    ],
    new PayloadTypeMux(routes, rx),
  );
  const rtcp = compose<InboundPacket>(
    [
      ...(srtp ? [(next: Inbound) => new SrtpUnprotect(srtp, rx, 'rtcp', next)] : []),
      (next) => new RtcpParse(rx, next),
      (next) => new SourceCheck(p.rtcpMux ? p.rtpLatch : p.rtcpLatch, clock, rx, hooks, p.rtcpMux ? 'rtcp-mux' : 'rtcp', next),
    ],
    new RtcpReports(p.remoteQuality, p.tracker, p.ssrc, clock, rx, hooks),
  );
  const out = compose<OutboundPacket>(
    [
      (next) => new RtpHeader(p.sender, p.tx, next),
      ...(tap ? [(next: Stage<OutboundPacket>) => new TapAgent(tap, p.codec, p.payloadType, next)] : []),
      ...(srtp ? [(next: Stage<OutboundPacket>) => new SrtpProtect(srtp, next)] : []),
    ],
    new Send(p.socket, p.rtpLatch, p.socketKind, p.afterSend),
  );
  return { rtp: p.rtcpMux ? new RtcpMuxSplit(rtp, rtcp) : rtp, rtcp, out };
}
