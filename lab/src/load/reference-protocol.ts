/**
 * What a load run's bare reference (reference-pacer-main.ts, the measured side, and
 * reference-peer-main.ts, its load) and the runner (run-reference.ts) exchange: a config file each,
 * a `lab-part ready {…}` line on stdout, and a result file written on SIGTERM.
 */
import type { PacingSummary } from './pacing-meter.js';

export interface ReferencePacerConfig {
  streams: number;
  /** Loopback address the pacer's per-stream sockets bind to. */
  host: string;
  /** Sub-ticks per 20 ms the streams are spread over (as the gateway's scheduler spreads calls). */
  phases: number;
  /** Stream i binds portMin + 2i (so a capture can select them), or any free port when absent. */
  portMin?: number;
  resultFile: string;
}

export interface ReferencePacerReady {
  ports: number[];
}

export interface ReferencePacerResult {
  received: number;
  sent: number;
  sendErrors: number;
}

export interface ReferencePeerConfig {
  host: string;
  pacerHost: string;
  pacerPorts: number[];
  phases: number;
  resultFile: string;
}

export interface ReferencePeerResult {
  sent: number;
  received: number;
  /** Lateness of the pacer's packets as they arrived here: the same meter as the load tap's. */
  pacing: PacingSummary;
}
