import type { RtpRecord } from '../netem/media-relay.js';
import type { SipRecord } from '../netem/sip-alg.js';
import type { GatewayLogLine } from './gateway-process.js';
import type { CallerRun } from './caller-run.js';

/**
 * Everything a run observed, on one time base (ms since the ALG started, performance.now() based),
 * handed to the checks. Each source is independent of the gateway's own account where possible: the
 * wire (ALG + relay), the caller (SIPp), the AI side (fake Realtime), and the gateway's logs.
 */
export interface RealtimeEvidence {
  /** G.711 (or PCM16) bytes the fake received via input_audio_buffer.append, in order. */
  receivedAudio: Buffer;
  /** Output audio bytes the fake sent per response item, in order. */
  sentAudio: Array<{ itemId: string; bytes: Buffer; firstDeltaAt: number }>;
  /** Each answer's fixture audio at 8 kHz (for signal comparisons when bytes cannot match, e.g. pcm16). */
  sentReference8k: Int16Array[];
  /** What the fake received, as 8 kHz PCM, when the session format was audio/pcm (24 kHz). */
  receivedPcm8k?: Int16Array;
  /** Times (lab time base) the fake sent response.function_call_arguments.done. */
  functionCallsAt: number[];
  /** Times (lab time base) the fake sent speech_started. */
  speechStartedAt: number[];
  /** Times the WebSocket connections opened / closed (lab time base). */
  connections: Array<{ openedAt: number; closedAt?: number; closeCode?: number }>;
  /** Client events received (type + lab time + body); `session`: the fake session's index. */
  clientEvents: Array<{ t: number; type: string; event: Record<string, unknown>; session?: number }>;
  /** `error` events the fake sent (lab time, session index, code), e.g. session_expired. */
  errorsSent: Array<{ t: number; session?: number; code: string; message: string }>;
  /** Every response the fake produced: its status and output items in output_index order. */
  responses: Array<{ id: string; turnNumber: number; kind: string; status?: string; itemIds: string[] }>;
  /** conversation.item.truncate requests and whether the fake accepted them. */
  truncates: Array<{ t: number; itemId: string; audioEndMs: number; accepted: boolean; error?: string }>;
  /** Items the fake deleted on conversation.item.delete. */
  deletedItems: string[];
  /** ms of audio the fake sent per agent item. */
  itemAudioMs: Record<string, number>;
}

export interface Evidence {
  /** Repository root (fixture paths in checks are relative to it). */
  root: string;
  caller: CallerRun['summary'];
  sip: SipRecord[];
  rtp: RtpRecord[];
  realtime: RealtimeEvidence;
  /** UpdateContactAttributes requests the fake Connect API received. */
  connect: Array<{ t: number; status: number; instanceId?: string; attributes: Record<string, string> }>;
  gateway: {
    logs: GatewayLogLine[];
    socketsBefore?: number;
    socketsAfter?: number;
  };
}

export interface CheckResult {
  name: string;
  passed: boolean;
  value: number | string | boolean | null;
  limit: number | string | boolean | null;
  detail?: string;
}
