/**
 * IPC between the pacing benchmark (the gateway side, measured) and its load generator (a separate
 * process, so its CPU is not counted against the gateway). Messages go over the child_process IPC
 * channel as plain JSON.
 */

export interface GeneratorInit {
  type: 'init';
  streams: number;
  /** Loopback address the generator binds its per-stream sockets to (127.0.0.x). */
  bindAddress: string;
  /** Where the gateway's fake Realtime WebSocket listens. */
  realtimeUrl: string;
  payloadType: number;
  /** Audio each stream's answer carries per burst, ms. */
  burstAudioMs: number;
  /** Period of the bursts per stream, ms (bursts are spread evenly across streams). */
  burstEveryMs: number;
}

export interface GeneratorStart {
  type: 'start';
  /** The gateway's RTP port for stream i. */
  sessionPorts: number[];
  gatewayAddress: string;
}

export interface GeneratorStop {
  type: 'stop';
}

export interface GeneratorReportRequest {
  type: 'report';
}

export type ToGenerator = GeneratorInit | GeneratorStart | GeneratorStop | GeneratorReportRequest;

export interface GeneratorReady {
  type: 'ready';
  /** The generator's socket port for stream i (the session's remote). */
  ports: number[];
}

export interface GeneratorStopped {
  type: 'stopped';
  /** RTP packets the generator sent to the gateway. */
  rtpSent: number;
  /** Audio deltas sent over the fake Realtime socket. */
  deltasSent: number;
  /** The generator's own CPU between start and stop, % of one core. */
  cpuPct: number;
}

export interface GeneratorReport {
  type: 'report';
  /** RTP packets received from the gateway (RTCP excluded). */
  rtpReceived: number;
  /** Arrival time minus media time, relative to each stream's earliest packet: p99 over all, ms. */
  arrivalSpreadP99Ms: number;
  /** Largest gap between consecutive packets of one stream, ms. */
  maxGapMs: number;
}

export type FromGenerator = GeneratorReady | GeneratorStopped | GeneratorReport;

/** Fake Realtime events (the two the playout path needs), multiplexed over one socket by `stream`. */
export type FakeRealtimeEvent =
  | { type: 'response.output_audio.delta'; stream: number; response_id: string; item_id: string; delta: string }
  | { type: 'response.output_audio.done'; stream: number; response_id: string; item_id: string };
