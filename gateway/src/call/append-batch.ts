/**
 * Caller audio to Realtime in one input_audio_buffer.append per period instead of one per 20 ms
 * frame. Each append is a JSON + base64 message, a masked WebSocket frame and a TCP write: at 50 a
 * second per call those writes are the largest single cost of a full call (docs/performance.md). The
 * price is latency: a frame waits up to `period − 20` ms before the model hears it (speech onset,
 * hence barge-in, included).
 *
 * The period is an `AppendPeriod`: fixed (REALTIME_APPEND_MS=40..200), or `LoadAdaptivePeriod`
 * (REALTIME_APPEND_MS=auto, the default), which sends every frame at once while the gateway carries
 * few calls and coalesces only as the calls on its one event loop grow, the way a NIC moderates its
 * interrupts by packet rate: at light load latency costs nothing to keep, at heavy load the writes
 * are what would make every call's audio late. The period is read at each frame, so a change of load
 * reaches calls already up at their next frame.
 *
 * The batch is one buffer reused for the call's life, allocated the first time a frame has to wait:
 * the backend copies (base64) what it is given before returning, so nothing is allocated per frame.
 * While the period is one frame and nothing waits, a frame goes straight through, uncopied. Order is
 * kept: a frame that does not fit (a larger frame than the ones before it) sends the batch first.
 */
import { describeStage, type Stage } from '../rtp/index.js';

/** One frame: 20 ms. */
export const FRAME_MS = 20;
/** Largest frame a caller chain writes: 20 ms of 24 kHz 16-bit PCM. */
export const MAX_FRAME_BYTES = 960;
/** The longest fixed period REALTIME_APPEND_MS accepts, ms. */
export const MAX_APPEND_MS = 200;

/** How many 20 ms frames make one append, now; never more than `maxFrames`. */
export interface AppendPeriod {
  readonly frames: number;
  readonly maxFrames: number;
  /** For the chain's description: `60 ms` or `auto 20..60 ms`. */
  describe(): string;
}

/** A period of `everyMs` (a multiple of 20, 20..200) whatever the load. */
export function fixedAppendPeriod(everyMs: number): AppendPeriod {
  if (!Number.isInteger(everyMs) || everyMs < FRAME_MS || everyMs > MAX_APPEND_MS || everyMs % FRAME_MS !== 0) {
    throw new RangeError(`append period: must be a multiple of ${FRAME_MS} from ${FRAME_MS} to ${MAX_APPEND_MS} ms, got ${everyMs}`);
  }
  const frames = everyMs / FRAME_MS;
  return { frames, maxFrames: frames, describe: () => `${everyMs} ms` };
}

/** Media streams per step of LoadAdaptivePeriod: one more frame per append for each this many. */
export const AUTO_STREAMS_PER_STEP = 100;
/** The longest LoadAdaptivePeriod goes, ms: at most 40 ms (20 on average) more before the model hears the caller. */
export const AUTO_MAX_MS = 60;

/**
 * REALTIME_APPEND_MS=auto: 20 ms (every frame at once) up to 100 media streams on the gateway's event
 * loop, 40 ms up to 200, 60 ms beyond. `streams` is read per frame and must be cheap (the media
 * scheduler's stream count).
 */
export class LoadAdaptivePeriod implements AppendPeriod {
  readonly maxFrames = AUTO_MAX_MS / FRAME_MS;
  readonly #streams: () => number;
  constructor(streams: () => number) {
    this.#streams = streams;
  }
  get frames(): number {
    const steps = Math.ceil(this.#streams() / AUTO_STREAMS_PER_STEP);
    return steps <= 1 ? 1 : Math.min(steps, this.maxFrames);
  }
  describe(): string {
    return `auto ${FRAME_MS}..${AUTO_MAX_MS} ms`;
  }
}

export class AppendBatch implements Stage<Uint8Array> {
  readonly #next: Stage<Uint8Array>;
  readonly #period: AppendPeriod;
  #buffer: Buffer | undefined;
  #filled = 0;
  #count = 0;

  constructor(period: AppendPeriod, next: Stage<Uint8Array>) {
    this.#next = next;
    this.#period = period;
  }

  /** Frames waiting for the next append. */
  get pendingFrames(): number {
    return this.#count;
  }

  write(bytes: Uint8Array): void {
    const frames = this.#period.frames;
    if (bytes.byteLength > MAX_FRAME_BYTES || (frames <= 1 && this.#count === 0)) {
      // Not a caller frame (never held back, never reordered behind what waits), or nothing to wait for.
      this.flush();
      this.#next.write(bytes);
      return;
    }
    const buffer = (this.#buffer ??= Buffer.alloc(this.#period.maxFrames * MAX_FRAME_BYTES));
    if (this.#filled + bytes.byteLength > buffer.byteLength) this.flush();
    buffer.set(bytes, this.#filled);
    this.#filled += bytes.byteLength;
    if (++this.#count >= frames) this.flush();
  }

  /** Sends what waits (the period is over, the call ends, or the chain is rebuilt). */
  flush(): void {
    if (this.#filled === 0 || this.#buffer === undefined) return;
    const n = this.#filled;
    this.#filled = 0;
    this.#count = 0;
    this.#next.write(this.#buffer.subarray(0, n));
  }

  toString(): string {
    return describeStage(`AppendBatch(${this.#period.describe()})`, this.#next);
  }
}
