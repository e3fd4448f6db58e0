/**
 * What an operations run observed, on the run's time base (ms since it began, performance.now()):
 * every call as its caller saw it, every step and what it found, each gateway's runs (start, exit,
 * exit code) and logs, the records read back through its HTTP API, the fake Connect API's updates,
 * Kamailio's dispatcher transitions, and the transcripts the fake Realtime sent.
 */
import type { GatewayLogLine } from '../gateway-process.js';
import type { DispatcherSample } from './kamailio-process.js';
import type { ProbeResult } from './sip-probe.js';

export interface CallEvidence {
  batch: number;
  n: number;
  startedAt: number;
  callId: string;
  contactId?: string;
  finalStatus: number | undefined;
  answered: boolean;
  endedBy: 'caller' | 'gateway' | 'none';
  endReason?: string;
  /** When the gateway's BYE reached the caller, and its Reason header. */
  gatewayByeAt?: number;
  byeReason?: string;
  /** Which gateway's log shows the call. */
  servedBy?: number;
  notes: string[];
}

export interface StepEvidence {
  index: number;
  do: string;
  t: number;
  gateway?: number;
  signal?: string;
  method?: string;
  restartedAt?: number;
  probe?: ProbeResult;
  health?: { status: number | undefined; body: string };
}

export interface GatewayEvidence {
  index: number;
  host: string;
  runs: Array<{ startedAt: number; exitedAt?: number; exitCode?: number | null }>;
  logs: GatewayLogLine[];
  /** GET /calls/:id of every call in its store, when it was running at the end. */
  records?: unknown[];
}

export interface OpsEvidence {
  calls: CallEvidence[];
  steps: StepEvidence[];
  gateways: GatewayEvidence[];
  connect: Array<{ t: number; status: number; contactId: string | undefined; attributes: Record<string, string> }>;
  dispatcher: DispatcherSample[];
  realtimeTranscripts: Array<{ t: number; text: string }>;
  gatewayAddresses: string[];
}
