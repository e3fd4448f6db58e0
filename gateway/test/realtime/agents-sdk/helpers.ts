/** Shared pieces of the agents-sdk tests: session config, a backend with its events recorded, audio. */
import { Writable } from 'node:stream';
import { RealtimeAgent } from '@openai/agents-realtime';
import { encodeMulaw } from '../../../src/audio/index.js';
import { systemClock, type Clock } from '../../../src/clock.js';
import { callLogger, createRootLogger } from '../../../src/log.js';
import { AgentsSdkBackend, type AgentLoader, type AgentsSdkFactoryOptions } from '../../../src/realtime/agents-sdk/index.js';
import type { RealtimeBackendEvents, RealtimeFunctionToolConfig, RealtimeSessionConfig } from '../../../src/realtime/backend.js';

export const SECRET = 'sk-test-agents-sdk-SECRET-never-in-logs';
export const CALL_ID = 'call-7@example.invalid';

export const baseConfig: RealtimeSessionConfig = {
  model: 'gpt-realtime',
  instructions: 'Call context: caller number +15550100.',
  voice: 'marin',
  audioFormat: 'pcmu',
  turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 200, createResponse: true, interruptResponse: true },
  noiseReduction: null,
  transcription: { model: 'gpt-4o-mini-transcribe' },
  tools: [],
};

/** The gateway's end_call, as the call layer puts it in the session config. */
export const END_CALL: RealtimeFunctionToolConfig = {
  type: 'function',
  name: 'end_call',
  description: 'End the phone call.',
  parameters: { type: 'object', properties: { reason: { type: 'string' } }, additionalProperties: false },
};

export function frontDesk(extra: Partial<ConstructorParameters<typeof RealtimeAgent>[0]> = {}): RealtimeAgent {
  return new RealtimeAgent({ name: 'Front desk', instructions: 'You answer the phone for Acme.', ...extra });
}

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
];

export function makeBackend(baseURL: string, loadAgent: AgentLoader, opts: Partial<AgentsSdkFactoryOptions> = {}, clock: Clock = systemClock) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const logger = callLogger(createRootLogger('debug', sink), CALL_ID);
  const backend = new AgentsSdkBackend({ apiKey: SECRET, baseURL, loadAgent, connectTimeoutMs: 5000, ...opts }, { logger, callId: CALL_ID, clock });
  const events: Recorded[] = [];
  for (const name of EVENT_NAMES) {
    // One generic recorder for every event name; the tuple map types each payload.
    (backend.on as (n: string, l: (p: unknown) => void) => unknown)(name, (payload) => events.push({ name, payload } as Recorded));
  }
  const of = <K extends keyof RealtimeBackendEvents>(name: K): Array<RealtimeBackendEvents[K][0]> =>
    events.filter((e) => e.name === name).map((e) => e.payload as RealtimeBackendEvents[K][0]);
  const states = (): string[] => of('state').map((s) => s.state);
  return { backend, events, of, states, lines };
}

/** A sine at 8 kHz. */
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

/** Feeds µ-law in 20 ms appends, as the media bridge does. */
export function appendInFrames(backend: { appendAudio(b: Uint8Array): void }, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length; off += 160) backend.appendAudio(bytes.subarray(off, off + 160));
}
