/**
 * The gateway's public API: what the lab, the benchmarks and embedders may use, imported by the
 * package name (`import { … } from 'connect-realtime-gateway'`). Every other module under
 * gateway/src is internal and may change without notice; gateway/test/architecture/lab-boundary.test.ts fails when the
 * lab reaches past this file. Grouped by layer, lowest first; each group says what it is for.
 *
 * How the name resolves, for each consumer (package.json "exports" is the one place that says it):
 *  - node running compiled code (dist/lab/**): self-reference through "exports" → "default",
 *    ./dist/gateway/src/index.js, the same compiled modules the gateway runs;
 *  - tsc (build and typecheck): the "types" condition points at this source file, so the lab is
 *    checked against the real signatures (there are no .d.ts files: tsconfig has declaration:false);
 *  - vitest (tests run from TS sources): an alias in vitest.config.ts maps the name to this file, so
 *    the lab and gateway tests share one instance of every module (no duplicated classes or clocks).
 */

// Results: the one shape of every fallible parser and reader here (parseMessage, parseCryptoAttribute, SRTP protect/unprotect).
export { ok, err, type Result, type Ok, type Err } from './result.js';

// Audio: G.711 µ-law/A-law codecs (bit-exact with G.191), 8↔24 kHz resampling and frame levels, for callers, fakes and analysis.
export { g711Codec, type G711Codec, type G711Name } from './audio/g711-codec.js';
export { encodeMulaw, decodeMulaw, mulawEncodeSample, mulawDecodeSample, MULAW_SILENCE } from './audio/mulaw.js';
export { encodeAlaw, decodeAlaw, alawEncodeSample, alawDecodeSample, ALAW_SILENCE } from './audio/alaw.js';
export { Upsampler8to24 } from './audio/upsampler-8to24.js';
export { Downsampler24to8 } from './audio/downsampler-24to8.js';
export { RESAMPLER_TAPS } from './audio/resampler-filter.js';
export { frameEnergyDbov } from './audio/level.js';

// RTP and RTCP wire codecs (RFC 3550) and the G.711 media timing, for test endpoints and wire analysis.
export { BYTES_PER_MS, FRAME_MS, FRAME_SAMPLES, G711_CLOCK_RATE, MAX_DATAGRAM, PT_PCMA, PT_PCMU } from './rtp/constants.js';
export { RtpHeaderView, writeRtpFixedHeader, RTP_FIXED_HEADER_SIZE } from './rtp/packet/rtp-header.js';
export { parseRtp, serializeRtp, type RtpPacket } from './rtp/packet/rtp-packet.js';
export { parseRtcp, serializeRtcp, type RtcpPacket } from './rtp/rtcp/compound.js';

// Call quality: the ITU-T G.107 E-model (R, MOS-CQE, G.711 with G.113 Bpl) the gateway rates its streams with, for the lab's quality reports.
export {
  eModel,
  g711Rating,
  effectiveEquipmentImpairment,
  mosFromR,
  pureDelayImpairment,
  G107_DEFAULTS,
  G711_BPL_WITH_PLC,
  G711_BPL_WITHOUT_PLC,
  type EModelParams,
  type EModelResult,
} from './rtp/stats/e-model.js';

// SRTP (RFC 3711) with SDES keys (RFC 4568 a=crypto), for test endpoints that encrypt media.
export {
  SrtpSession,
  generateKeys,
  formatCryptoAttribute,
  parseCryptoAttribute,
  isSrtpProfile,
  SRTP_PROFILES,
  type SrtpKeys,
  type SrtpProfile,
  type CryptoAttribute,
} from './rtp/srtp/index.js';

// DTMF (RFC 4733 telephone-event): payload codec, the sender's packet plan and the receiver's digit detection.
export {
  DtmfSender,
  DtmfReceiver,
  parseDtmfPayload,
  eventToDigit,
  isDtmfDigit,
  type DtmfPacketPlan,
  type DtmfDigitEvent,
} from './rtp/dtmf/index.js';

// SIP message codec, ids, digest (RFC 3261, RFC 8760) and RFC 4028 header parsers, for test UACs and wire suites.
export {
  SipHeaders,
  parseMessage,
  serializeMessage,
  StreamFramer,
  createResponse,
  parseNameAddr,
  formatNameAddr,
  parseUri,
  formatUri,
  parseVia,
  parseCSeq,
  isParseError,
  newTag,
  newBranch,
  newCallId,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type SipUri,
  type NameAddr,
  type Via,
  type ParseResult,
} from './sip/message/index.js';
export { digestHash, digestResponse, parseDigestCredentials, formatChallenge, type DigestAlgorithm } from './sip/auth/digest.js';
export { parseSessionExpires, parseMinSE } from './sip/session-timer.js';

// Time: the injected clock every timer runs on; ManualClock moves only when a test says so.
export { systemClock, ManualClock, type Clock, type TimerId } from './clock.js';

// The process's launch flags (make gateway, the image, the lab's gateway process).
export { GATEWAY_NODE_FLAGS } from './node-flags.js';

// Logging: the gateway's pino root logger (secrets redacted), for fakes that log like the gateway.
export { createRootLogger, type Logger } from './log.js';

// Errors: a thrown value as bounded text, the one way the gateway and the lab describe errors.
export { describeError, MAX_ERROR_TEXT, type DescribeErrorOptions } from './describe-error.js';

// Configuration: the validated environment, for tools that start or describe a gateway.
export { parseEnv, ConfigError, type Env } from './config/env.js';

// AI backend: the interface every Realtime provider implements and its event/config types, for fakes and other backends.
export type * from './realtime/backend.js';

// Media engine: the shared 20 ms scheduler, per-call RTP sessions and the port pool, as the pacing bench measures them.
export { MediaScheduler, type MediaSchedulerOptions, type Registration } from './rtp/pacing/media-scheduler.js';
export { LatenessHistogram } from './rtp/pacing/lateness-histogram.js';
export { RtpSession } from './rtp/session/rtp-session.js';
export type { RtpSessionOptions, RtpSessionStats } from './rtp/session/rtp-session-types.js';
export { PortAllocator, type PortRange } from './rtp/session/port-allocator.js';

// Operations: the call records store and the events calls report to it, for the records benchmark and embedders.
export { SqliteRecordStore, type RecordStoreOptions, type StoreStats, type StoreHealth } from './store/sqlite-record-store.js';
export type { CallRecord, CallSummary } from './store/call-record.js';
export type { CallEvent, CallRef, CallObserver } from './call/call-observer.js';
export type { ReceiveQuality } from './rtp/stats/receive-quality.js';
