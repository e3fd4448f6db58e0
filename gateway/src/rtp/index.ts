/**
 * The rtp layer: RTP/RTCP wire codecs (RFC 3550), receive statistics (A.1/A.3/A.8), the adaptive
 * jitter buffer with loss concealment, the process-wide 20 ms MediaScheduler, the per-call
 * PlayoutQueue and the per-call RtpSession that ties them to datagram sockets (UDP, or in memory). SRTP and DTMF live in
 * ./srtp and ./dtmf. No knowledge of calls or AI here.
 */
export {
  RTP_WIRE_ERROR_CODES,
  RtpError,
  WIRE_ERRORS,
  isRtpWireError,
  type RtpErrorClass,
  type RtpErrorCode,
  type RtpWireError,
  type RtpWireErrorCode,
} from './errors.js';
export { BYTES_PER_MS, FRAME_MS, FRAME_SAMPLES, G711_CLOCK_RATE, MAX_DATAGRAM, PT_PCMA, PT_PCMU } from './constants.js';

// RTP packets
export { RTP_FIXED_HEADER_SIZE, RTP_VERSION, RtpHeaderView, writeRtpFixedHeader } from './packet/rtp-header.js';
export { parseRtp, rtpSize, serializeRtp, type RtpExtension, type RtpPacket } from './packet/rtp-packet.js';

// RTCP packets
export { isRtcpOnMuxedPort, RTCP_PT_APP, RTCP_PT_BYE, RTCP_PT_RR, RTCP_PT_SDES, RTCP_PT_SR } from './rtcp/common.js';
export { parseRtcp, rtcpPacketSize, rtcpSize, serializeRtcp, type RtcpPacket } from './rtcp/compound.js';
export type { RtcpSenderReport } from './rtcp/sender-report.js';
export type { RtcpReceiverReport } from './rtcp/receiver-report.js';
export type { RtcpReportBlock } from './rtcp/report-block.js';
export { SDES_CNAME, SDES_NAME, SDES_PRIV, SDES_TOOL, type RtcpSdesChunk, type RtcpSdesItem, type RtcpSourceDescription } from './rtcp/source-description.js';
export type { RtcpGoodbye } from './rtcp/goodbye.js';
export type { RtcpRawPacket } from './rtcp/raw.js';
export { ntpFromWallMs, ntpMiddle32, rttFromReportMs, type NtpTime } from './rtcp/ntp.js';
export { RTCP_MIN_TIME_S, rtcpIntervalMs, type RtcpIntervalInput } from './rtcp/interval.js';

// Statistics
export { MAX_DROPOUT, MAX_MISORDER, MIN_SEQUENTIAL, SourceState, type SeqVerdict, type SourceReport } from './stats/source-state.js';
export { SourceTracker, type PacketVerdict } from './stats/source-tracker.js';
export { RemoteQuality, type RemoteQualitySnapshot } from './stats/remote-quality.js';
export { eModel, effectiveEquipmentImpairment, g711Rating, G107_DEFAULTS, G711_BPL_WITH_PLC, G711_BPL_WITHOUT_PLC, mosFromR, pureDelayImpairment, type EModelParams, type EModelResult } from './stats/e-model.js';
export { receiveQuality, type ReceiveQuality } from './stats/receive-quality.js';

// Jitter buffer
export {
  DEFAULT_MAX_CONCEAL_MS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_MIN_DELAY_MS,
  JitterBuffer,
  type FrameConcealer,
  type JitterBufferOptions,
  type JitterBufferStats,
  type JitterFrame,
  type PushResult,
} from './jitter/jitter-buffer.js';

// Pacing
export {
  DEFAULT_MAX_CATCH_UP_TICKS,
  DEFAULT_PHASES,
  MediaScheduler,
  type MediaSchedulerOptions,
  type MediaSchedulerStats,
  type Registration,
  type ScheduledStream,
} from './pacing/media-scheduler.js';
export type { LatenessSummary } from './pacing/lateness-histogram.js';
export { DEFAULT_MAX_BUFFERED_MS, PlayoutQueue, type PlayoutObserver, type PlayoutQueueOptions, type PullKind } from './pacing/playout-queue.js';

// Media stages (the session's paths are built from these)
export { compose, describeStage, type Stage, type StageFactory } from './stages/stage.js';
export { TapAgent, TapCaller, type MediaTap } from './stages/media-tap.js';

// Datagram transport (RTP/RTCP sockets)
export {
  isAddressInUse,
  type DatagramHandlers,
  type DatagramSendCallback,
  type DatagramSocket,
  type DatagramSocketFactory,
  type DatagramSource,
} from './transport/datagram-socket.js';
export { udpSockets } from './transport/udp-socket.js';
export { MemoryDatagramNetwork, MemoryDatagramSocket, type MemoryDatagramNetworkOptions, type WireDatagram } from './transport/memory-datagram.js';

// Session
export { PortAllocator, type PortRange } from './session/port-allocator.js';
export { DEFAULT_LEARNING, type Endpoint, type LearningPolicy, type SourcePolicy } from './session/latch.js';
export { DEFAULT_INACTIVITY_MS, RtpSession, type MediaChains } from './session/rtp-session.js';
export type {
  JitterOptions,
  MediaDirection,
  RemoteMedia,
  RemoteUpdate,
  RtpReceiveCounters,
  RtpSendCounters,
  RtpSessionEvents,
  RtpSessionOptions,
  RtpSessionStats,
} from './session/rtp-session-types.js';
export { INTER_DIGIT_GAP_TICKS } from './session/dtmf-outbox.js';
