/** What the runner and the load tap process (load-tap-main.ts) exchange. */
import type { Endpoint } from '../netem/media-relay.js';
import type { RelayCounts } from './metered-relay.js';
import type { PacingSummary } from './pacing-meter.js';
import type { CaptureFilter } from './rtp-capture.js';
import type { SipCounts } from './sip-counter.js';

export const LOAD_STATS_PREFIX = 'load-tap stats ';

export interface LoadTapConfig {
  host: string;
  port: number;
  gateway: Endpoint;
  snapshotFile: string;
  statsEveryMs: number;
  /**
   * Capture the gateway's RTP with dumpcap (kernel timestamps) and let media flow straight between
   * SIPp and the gateway, instead of relaying and metering it in this process (rtp-capture.ts).
   */
  capture?: CaptureFilter & { file: string };
}

export interface LoadTapStats {
  /** Epoch ms. */
  at: number;
  sip: SipCounts;
  toGateway: number;
  toCaller: number;
  unrouted: number;
  sendErrors: number;
  /** Wire pacing p99 of the last interval (null: no packet). */
  pacingP99Ms: number | null;
  /** The tap's own event-loop delay p99 over the last interval, ms. */
  loopLagP99Ms: number;
}

export interface LoadTapSnapshot {
  sip: SipCounts;
  calls: Array<{ callId: string } & RelayCounts>;
  pacing: PacingSummary;
}
