/**
 * Test doubles for the call layer: a Realtime backend that records what the call layer asks of it
 * (and lets the test emit provider events), an RTP session stand-in that carries a real PlayoutQueue,
 * a silent logger, and a bounded "let the promise chains run" helper (no timers, no sleeps).
 */
import { createRootLogger, type Logger } from '../../src/log.js';
import { SafeEmitter } from '../../src/safe-emitter.js';
import type { RealtimeBackend, RealtimeBackendEvents, RealtimeBackendStats, RealtimeConnectOptions, RealtimeSessionConfig } from '../../src/realtime/backend.js';
import type { PlaybackItem } from '../../src/call/playback-ledger.js';
import { newBackendStats } from '../../src/realtime/core/backend-stats.js';
import { PlayoutQueue, type JitterFrame, type RtpSession } from '../../src/rtp/index.js';
import type { Stage } from '../../src/rtp/stages/stage.js';

export const silentLog: Logger = createRootLogger('silent');

/** One request the call layer made of the backend, in order. Byte arguments are copied. */
export type BackendCall =
  | { kind: 'appendAudio'; bytes: Uint8Array }
  | { kind: 'truncate'; itemId: string; contentIndex: number; audioEndMs: number }
  | { kind: 'deleteItem'; itemId: string }
  | { kind: 'cancelResponse'; responseId: string | undefined }
  | { kind: 'createResponse'; instructions: string | undefined }
  | { kind: 'sendFunctionOutput'; callId: string; output: string; respond: boolean | undefined }
  | { kind: 'addUserText'; text: string; respond: boolean | undefined }
  | { kind: 'updateSession'; partial: Partial<RealtimeSessionConfig> }
  | { kind: 'askOutOfBand'; instructions: string }
  | { kind: 'addAssistantText'; text: string };

export class FakeBackend extends SafeEmitter<RealtimeBackendEvents> implements RealtimeBackend {
  readonly calls: BackendCall[] = [];
  readonly #onCall: ((call: BackendCall) => void) | undefined;

  /** `onCall` sees every request as it is made (to interleave with other recorders). */
  constructor(onCall?: (call: BackendCall) => void) {
    super();
    this.#onCall = onCall;
  }

  #record(call: BackendCall): void {
    this.calls.push(call);
    this.#onCall?.(call);
  }

  /** The recorded calls of one kind. */
  of<K extends BackendCall['kind']>(kind: K): Array<Extract<BackendCall, { kind: K }>> {
    return this.calls.filter((c): c is Extract<BackendCall, { kind: K }> => c.kind === kind);
  }

  connect(_config?: RealtimeSessionConfig, _opts?: RealtimeConnectOptions): Promise<void> {
    return Promise.resolve();
  }
  appendAudio(bytes: Uint8Array): void {
    // The bridge reuses its buffers: keep a copy of what was handed over at this moment.
    this.#record({ kind: 'appendAudio', bytes: Uint8Array.from(bytes) });
  }
  truncate(itemId: string, contentIndex: number, audioEndMs: number): void {
    this.#record({ kind: 'truncate', itemId, contentIndex, audioEndMs });
  }
  deleteItem(itemId: string): void {
    this.#record({ kind: 'deleteItem', itemId });
  }
  cancelResponse(responseId?: string): void {
    this.#record({ kind: 'cancelResponse', responseId });
  }
  createResponse(opts?: { instructions?: string }): void {
    this.#record({ kind: 'createResponse', instructions: opts?.instructions });
  }
  sendFunctionOutput(callId: string, output: string, opts?: { respond?: boolean }): void {
    this.#record({ kind: 'sendFunctionOutput', callId, output, respond: opts?.respond });
  }
  addUserText(text: string, opts?: { respond?: boolean }): void {
    this.#record({ kind: 'addUserText', text, respond: opts?.respond });
  }
  addAssistantText(text: string): void {
    this.#record({ kind: 'addAssistantText', text });
  }
  updateSession(partial: Partial<RealtimeSessionConfig>): void {
    this.#record({ kind: 'updateSession', partial });
  }
  /** What askOutOfBand answers: a text, undefined (no answer), or 'never' (it does not settle). */
  outOfBandAnswer: string | undefined | 'never' = undefined;
  askOutOfBand(instructions: string): Promise<string | undefined> {
    this.#record({ kind: 'askOutOfBand', instructions });
    const answer = this.outOfBandAnswer;
    return answer === 'never' ? new Promise(() => undefined) : Promise.resolve(answer);
  }
  stats(): RealtimeBackendStats {
    return newBackendStats();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The two parts of RtpSession the media bridge uses: the caller-audio sink (one decoded 20 ms caller
 * frame per tick) and the real outbound PlayoutQueue. `sendTick` does what the session's pacer does
 * per 20 ms: pull one frame, "send" it, then commit.
 */
export class FakeRtp {
  readonly playout: PlayoutQueue<PlaybackItem>;
  /** Every frame pulled for sending, copied. */
  readonly sent: Uint8Array[] = [];
  readonly #frame = new Uint8Array(160);
  sink: Stage<JitterFrame> | undefined;

  constructor(silenceByte: number) {
    this.playout = new PlayoutQueue<PlaybackItem>({ silenceByte });
  }

  setAudioSink(sink: Stage<JitterFrame> | undefined): void {
    this.sink = sink;
  }

  /** The bridge's constructor takes an RtpSession; this stands in for the parts it touches. */
  asSession(): RtpSession<PlaybackItem> {
    return this as unknown as RtpSession<PlaybackItem>;
  }

  /** One caller frame arriving from the jitter buffer. */
  receive(payload: Uint8Array, pcm: Int16Array, concealed = false, timestamp = 0): void {
    this.sink?.write({ payload, pcm, concealed, timestamp });
  }

  /** `n` pacer ticks: pull + send + commit, as RtpSession does every 20 ms. */
  sendTicks(n: number): void {
    for (let i = 0; i < n; i++) {
      this.playout.pull(this.#frame);
      this.sent.push(Uint8Array.from(this.#frame));
      this.playout.commitFrame();
    }
  }
}

/** Lets pending promise chains run: a bounded number of event-loop turns, no timers involved. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A promise the test resolves by hand, to hold an async step at a chosen point. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
