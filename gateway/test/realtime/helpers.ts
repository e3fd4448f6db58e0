/** Shared pieces of the backend-against-fake tests: fakes, config, log capture, event recorder, audio. */
import { Writable } from 'node:stream';
import { afterEach } from 'vitest';
import { startFakeRealtime, type FakeRealtimeServer, type FakeScript } from '../../../lab/src/fake-realtime/index.js';
import { encodeMulaw } from '../../src/audio/index.js';
import type { Clock } from '../../src/clock.js';
import { callLogger, createRootLogger, type Logger } from '../../src/log.js';
import type { RealtimeBackend, RealtimeBackendEvents, RealtimeSessionConfig, RealtimeStreamLimits } from '../../src/realtime/backend.js';
import { OpenAIRealtimeBackend } from '../../src/realtime/openai/openai-backend.js';
import type { OpenAIBackendOptions } from '../../src/realtime/openai/options.js';

export const SECRET = 'sk-test-SECRET-never-in-logs';

/**
 * The lab's fake Realtime servers (on 127.0.0.1, port 0) and the backends a test file opens, all
 * closed after each test: `fake(script)` starts one, `track(backend)` closes it with the test.
 */
export function fakeRealtimeFixture() {
  const servers: FakeRealtimeServer[] = [];
  const backends: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const b of backends.splice(0)) await b.close();
    for (const s of servers.splice(0)) await s.close();
  });
  return {
    async fake(script: FakeScript): Promise<FakeRealtimeServer> {
      const server = await startFakeRealtime({ host: '127.0.0.1', port: 0, script });
      servers.push(server);
      return server;
    },
    track<B extends { close(): Promise<void> }>(backend: B): B {
      backends.push(backend);
      return backend;
    },
  };
}

export const baseConfig: RealtimeSessionConfig = {
  model: 'gpt-realtime',
  instructions: 'Be brief.',
  voice: 'marin',
  audioFormat: 'pcmu',
  turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 200, createResponse: true, interruptResponse: true },
  noiseReduction: null,
  transcription: { model: 'gpt-4o-mini-transcribe' },
  tools: [],
};

export type Recorded = { [K in keyof RealtimeBackendEvents]: { name: K; payload: RealtimeBackendEvents[K][0] } }[keyof RealtimeBackendEvents];

const EVENT_NAMES: Array<keyof RealtimeBackendEvents> = [
  'audio',
  'audioDone',
  'responseStarted',
  'responseDone',
  'speechStarted',
  'speechStopped',
  'functionCall',
  'transcript',
  'truncated',
  'rateLimits',
  'error',
  'state',
  'interrupted',
  'handBackRequested',
];

/** A call logger whose JSON lines are kept in `lines` (to check what is, and is not, logged). */
export function capturingLogger(callId: string): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: callLogger(createRootLogger('debug', sink), callId), lines };
}

/** Records every backend event in order; `of(name)` gives one event's payloads, typed. */
export function recordEvents(backend: RealtimeBackend) {
  const events: Recorded[] = [];
  for (const name of EVENT_NAMES) {
    // One generic recorder for every event name; the tuple map types each payload.
    (backend.on as (n: string, l: (p: unknown) => void) => unknown)(name, (payload) => events.push({ name, payload } as Recorded));
  }
  const of = <K extends keyof RealtimeBackendEvents>(name: K): Array<RealtimeBackendEvents[K][0]> =>
    events.filter((e) => e.name === name).map((e) => e.payload as RealtimeBackendEvents[K][0]);
  const states = (): string[] => of('state').map((s) => s.state);
  return { events, of, states };
}

export function makeBackend(baseURL: string, clock: Clock, opts: Partial<OpenAIBackendOptions> = {}, limits?: RealtimeStreamLimits) {
  const { logger, lines } = capturingLogger('call-1@example.invalid');
  const backend = new OpenAIRealtimeBackend(
    { apiKey: SECRET, baseURL, initialBackoffMs: 5, maxBackoffMs: 20, random: () => 0.5, connectAttemptTimeoutMs: 5000, ...opts },
    { logger, callId: 'call-1@example.invalid', clock, limits },
  );
  return { backend, ...recordEvents(backend), lines };
}

export function tone(ms: number, hz = 440, dbov = -20): Int16Array {
  const n = Math.round(ms * 8);
  const peak = 32768 * Math.SQRT2 * 10 ** (dbov / 20);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(peak * Math.sin((2 * Math.PI * hz * i) / 8000));
  return out;
}

export function mulaw(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  encodeMulaw(pcm, out);
  return out;
}

/** A caller turn as µ-law: silence, speech, silence (enough for the fake's 200 ms hang-over). */
export function callerTurnMulaw(): Uint8Array {
  const pcm = new Int16Array(8 * 1200);
  pcm.set(tone(400), 8 * 300);
  return mulaw(pcm);
}

/** Feeds µ-law in 20 ms appends, as the call layer does. */
export function appendInFrames(backend: { appendAudio(b: Uint8Array): void }, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length; off += 160) backend.appendAudio(bytes.subarray(off, off + 160));
}
