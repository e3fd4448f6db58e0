import type { AgentDefinition, ToolRegistry } from '../agent/index.js';
import type { Clock } from '../clock.js';
import type { ContactAttributesUpdater, HandBackTargetConfig } from '../connect/index.js';
import type { Logger } from '../log.js';
import type { RealtimeBackendFactory, RealtimeStreamLimits } from '../realtime/backend.js';
import type { DatagramSocketFactory, LatenessSummary, MediaScheduler, PortAllocator, SourcePolicy } from '../rtp/index.js';
import type { NegotiationPrefs } from '../sdp/index.js';
import type { AppendPeriod } from './append-batch.js';
import type { CallObserver } from './call-observer.js';
import type { RecordingStarter } from './call-recording.js';

/** What every call shares: built once by the gateway. */
export interface CallEnvironment {
  clock: Clock;
  logger: Logger;
  scheduler: MediaScheduler;
  ports: PortAllocator;
  realtime: RealtimeBackendFactory;
  agent: AgentDefinition;
  tools: ToolRegistry;
  connect: { writer: ContactAttributesUpdater } & HandBackTargetConfig;
  media: {
    /** Where RTP/RTCP sockets come from (UDP in production, memory in in-process tests). */
    sockets: DatagramSocketFactory;
    bindAddress: string;
    /** Address in our SDP (the public one behind NAT). */
    advertisedAddress: string;
    codecs: ReadonlyArray<'PCMU' | 'PCMA'>;
    srtp: NegotiationPrefs['srtp'];
    inactivityMs: number;
    /** Media source validation (rtp/session/latch.ts). */
    sourcePolicy: SourcePolicy;
    /** Nothing from the remote this long after the ACK: stop sending, end the call; 0 disables. */
    firstPacketTimeoutMs: number;
    jitter: { minDelayMs: number; maxDelayMs: number };
  };
  realtimeConnectTimeoutMs: number;
  /** What one call's AI stream may cost (transcript text, reconnects). */
  realtimeLimits: RealtimeStreamLimits;
  /** Agent audio queued for the caller beyond this is dropped and its response cancelled, ms. */
  agentAudioMaxQueuedMs: number;
  /** Caller audio per input_audio_buffer.append (REALTIME_APPEND_MS; absent: every frame at once). */
  appendPeriod?: AppendPeriod;
  /** Echo gate in front of the AI (undefined: off). */
  echoGuard: { marginDb: number; tailMs: number } | undefined;
  /** Retry-After seconds sent with 503 when the AI side cannot be reached. */
  retryAfterS: number;
  /** A snapshot for the "call ended" log line, taken after this call released everything. */
  resources: () => Record<string, number>;
  /** The shared pacer's send lateness (how late each 20 ms packet left), for the call summary. */
  pacing: () => LatenessSummary;
  /** Where the call's events go (call records, metrics). */
  observer: CallObserver;
  /** Call recordings (RECORDINGS_DIR); undefined when no agent records. */
  recordings?: RecordingStarter;
}
