/**
 * Caller audio to Realtime in one input_audio_buffer.append per `everyMs` instead of one per 20 ms
 * frame. Each append is a JSON + base64 message, a masked WebSocket frame and a TCP write: at 50 a
 * second per call those writes are the largest single cost of a full call (docs/performance.md). The
 * price is latency: a frame waits up to `everyMs − 20` ms before the model hears it (speech onset,
 * hence barge-in, included), so the default (REALTIME_APPEND_MS=20) sends every frame at once.
 *
 * The batch is one preallocated buffer reused for the call's life: the backend copies (base64) what
 * it is given before returning, so nothing is allocated per frame. Order is kept: a frame that does
 * not fit (a larger frame than the ones before it) sends the batch first.
 */
import { describeStage, type Stage } from '../rtp/index.js';

/** One frame: 20 ms. */
export const FRAME_MS = 20;
/** Largest frame a caller chain writes: 20 ms of 24 kHz 16-bit PCM. */
export const MAX_FRAME_BYTES = 960;

export class AppendBatch implements Stage<Uint8Array> {
  readonly #next: Stage<Uint8Array>;
  readonly #frames: number;
  readonly #buffer: Buffer;
  #filled = 0;
  #count = 0;

  /** `everyMs`: a multiple of 20, at least 40 (20 needs no batch). */
  constructor(everyMs: number, next: Stage<Uint8Array>) {
    if (!Number.isInteger(everyMs) || everyMs < 2 * FRAME_MS || everyMs % FRAME_MS !== 0) {
      throw new RangeError(`append batch: everyMs must be a multiple of ${FRAME_MS} and >= ${2 * FRAME_MS}, got ${everyMs}`);
    }
    this.#next = next;
    this.#frames = everyMs / FRAME_MS;
    this.#buffer = Buffer.alloc(this.#frames * MAX_FRAME_BYTES);
  }

  /** Frames waiting for the next append. */
  get pendingFrames(): number {
    return this.#count;
  }

  write(bytes: Uint8Array): void {
    if (bytes.byteLength > MAX_FRAME_BYTES) {
      // Not a caller frame: never held back, and never reordered behind what waits.
      this.flush();
      this.#next.write(bytes);
      return;
    }
    if (this.#filled + bytes.byteLength > this.#buffer.byteLength) this.flush();
    this.#buffer.set(bytes, this.#filled);
    this.#filled += bytes.byteLength;
    if (++this.#count >= this.#frames) this.flush();
  }

  /** Sends what waits (the call ends, or the chain is rebuilt). */
  flush(): void {
    if (this.#filled === 0) return;
    const n = this.#filled;
    this.#filled = 0;
    this.#count = 0;
    this.#next.write(this.#buffer.subarray(0, n));
  }

  toString(): string {
    return describeStage(`AppendBatch(${this.#frames * FRAME_MS} ms)`, this.#next);
  }
}
