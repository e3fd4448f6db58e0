/**
 * Where a scenario's parts run. The runner and the scenario files are the same for every backend;
 * a backend only decides how each part is started and how its records come back:
 *
 * - `local`: the tap, the fake Realtime and the fake Connect API in the runner's process, the
 *   gateway and the caller tools as child processes (the default, and what `make test` runs first);
 * - `containers`: every part in its own container (testcontainers, host networking: the same
 *   127.0.0.x addresses), its records handed back as a snapshot when it stops.
 *
 * Every time a part reports is on the runner's `performance.now()` time base, whatever process
 * produced it, so the checks cannot tell the backends apart.
 */
import type { Readable } from 'node:stream';
import type { FakeConnectFailures, FakeConnectRecord } from '../../fake-connect/index.js';
import type { ConnectionAttempt, FakeScript, FakeSession } from '../../fake-realtime/index.js';
import type { RtpRecord } from '../../netem/media-relay.js';
import type { SipAlgOptions, SipRecord } from '../../netem/sip-alg.js';
import type { LabCallerOptions, LabCallerResult, LabScript } from '../../callers/lab-caller/index.js';

export type BackendName = 'local' | 'containers';

/** A running program (a child process, or the main process of a container). */
export interface ToolProcess {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Exit code, or null when killed by a signal or it could not start. */
  readonly exited: Promise<number | null>;
  /** Why it could not start, when it could not. */
  readonly startError: Promise<Error | undefined>;
  /** Its PID on this host (for /proc), when known. */
  hostPid(): Promise<number | undefined>;
  kill(signal: 'SIGTERM' | 'SIGKILL' | 'SIGINT'): void;
}

export interface SpawnOptions {
  /** Working directory (the containers backend mounts the repository at the same path). */
  cwd: string;
  env?: Record<string, string>;
  /** Pin to these CPUs (taskset -c list), e.g. '0'. */
  cpus?: string;
  /** Short name for the container / the logs, e.g. 'gateway'. */
  name: string;
}

/** Starts the lab's tools (node, sipp, baresip) where the backend runs them. */
export interface Launcher {
  /** The Node binary to run JS parts with. */
  readonly node: string;
  spawn(command: string, args: readonly string[], opts: SpawnOptions): Promise<ToolProcess>;
}

export interface Endpoint {
  address: string;
  port: number;
}

/** The SIP ALG + media relay: the wire tap and the impairment point. */
export interface TapPart {
  readonly address: Endpoint;
  /** Start of the lab time base, runner performance.now(); every record's `t` counts from it. */
  readonly origin: number;
  /** SIP and RTP records so far (a container part stops to hand them over). */
  collect(): Promise<{ sip: SipRecord[]; rtp: RtpRecord[] }>;
  stop(): Promise<void>;
}

/** What the runner reads of one fake Realtime session (a live FakeSession, or its snapshot). */
export type FakeSessionView = Pick<
  FakeSession,
  | 'index'
  | 'id'
  | 'events'
  | 'truncates'
  | 'receivedItems'
  | 'speechStartedAt'
  | 'speechStoppedAt'
  | 'errorsSent'
  | 'deletedItems'
  | 'closed'
  | 'responses'
  | 'deltas'
  | 'inputFormat'
  | 'effectiveSession'
  | 'receivedAudioBytes'
>;

export interface FakeRealtimeView {
  /** Runner performance.now() at which the fake's `t` stamps are 0. */
  readonly epoch: number;
  readonly sessions: readonly FakeSessionView[];
  readonly connectionAttempts: readonly ConnectionAttempt[];
}

export interface RealtimePart {
  /** Base URL for OPENAI_BASE_URL. */
  readonly url: string;
  /** Runner performance.now() at which the fake's `t` stamps are 0. */
  readonly epoch: number;
  collect(): Promise<FakeRealtimeView>;
  stop(): Promise<void>;
}

export interface ConnectPart {
  /** Base URL for AMAZON_CONNECT_ENDPOINT. */
  readonly url: string;
  collect(): Promise<readonly FakeConnectRecord[]>;
  stop(): Promise<void>;
}

export interface LabBackend {
  readonly name: BackendName;
  readonly launcher: Launcher;
  startTap(opts: SipAlgOptions, outDir: string): Promise<TapPart>;
  startFakeRealtime(opts: { host: string; port: number; script: FakeScript; recordDir?: string }, outDir: string): Promise<RealtimePart>;
  startFakeConnect(opts: { host: string; port: number; failures?: FakeConnectFailures }, outDir: string): Promise<ConnectPart>;
  /** Runs the lab's TypeScript caller to the end; `startedAt` is runner performance.now() when it began. */
  runLabCaller(options: LabCallerOptions, script: LabScript, outDir: string): Promise<{ result: LabCallerResult; startedAt: number }>;
  /** Facts about the backend worth a line in the report (e.g. the netem probe). */
  describe(): Record<string, string>;
  close(): Promise<void>;
}
