/**
 * What the runner and a containerised lab part (part-main.ts) exchange: the part's config file, its
 * ready line, and the snapshot it writes when stopped. Byte arrays travel through snapshot-json.
 */
import type { FakeConnectFailures, FakeConnectRecord } from '../../../fake-connect/index.js';
import type { ConnectionAttempt, FakeScript } from '../../../fake-realtime/index.js';
import type { LabCallerOptions, LabCallerResult, LabScript } from '../../../callers/lab-caller/index.js';
import type { RtpRecord } from '../../../netem/media-relay.js';
import type { SipAlgOptions, SipRecord } from '../../../netem/sip-alg.js';
import type { FakeSessionView } from '../backend.js';

export const READY_PREFIX = 'lab-part ready ';

export type PartConfig =
  | { kind: 'tap'; options: SipAlgOptions; snapshotFile: string }
  | { kind: 'fake-realtime'; host: string; port: number; script: FakeScript; recordDir?: string; snapshotFile: string }
  | { kind: 'fake-connect'; host: string; port: number; failures?: FakeConnectFailures; snapshotFile: string }
  | { kind: 'lab-caller'; options: LabCallerOptions; script: LabScript; resultFile: string };

export type PartKind = PartConfig['kind'];

export interface PartReady {
  kind: PartKind;
  /** The part's time zero as epoch ms (performance.timeOrigin + its performance.now() origin). */
  origin: number;
  /** Service URL, for the fakes. */
  url?: string;
  pid: number;
}

export interface TapSnapshot {
  sip: SipRecord[];
  rtp: RtpRecord[];
}

/** A FakeSession's records as data: its received audio as bytes instead of a method. */
export type SessionSnapshot = Omit<FakeSessionView, 'receivedAudioBytes'> & { receivedAudio: Uint8Array };

export interface RealtimeSnapshot {
  sessions: SessionSnapshot[];
  connectionAttempts: readonly ConnectionAttempt[];
}

export type ConnectSnapshot = readonly FakeConnectRecord[];

export interface CallerOutcome {
  /** Epoch ms when the call began. */
  startedAt: number;
  result: LabCallerResult;
}
