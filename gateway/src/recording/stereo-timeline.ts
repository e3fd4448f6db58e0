/**
 * The recording's timeline: 20 ms frames numbered from the first packet the gateway sent. The agent
 * side advances it — one frame per packet the pacer sent, at the frame its media timestamp names, so
 * ticks the scheduler skipped or spent on hold become silence and the timeline keeps wall time. Caller
 * audio is placed at any sample position within a window around it (late packets still land where
 * they belong). Frames older than the window are final: they go to the writer in order, as silence in
 * both channels when the recording was paused at that frame.
 *
 * All storage is preallocated (a ring of frames); nothing is allocated per packet.
 */
import { FRAME_SAMPLES } from './wav-chunk-writer.js';

/** Where committed frames go (the chunk writer). */
export interface FrameSink {
  frame(index: number, left: Int16Array, right: Int16Array, offset: number, silent: boolean): void;
}

/** How long caller audio may arrive after its place on the timeline and still be recorded, in frames (500 ms). */
export const LATE_FRAMES = 25;
/** How far ahead of the last sent packet caller audio may be placed, in frames (the ring's rest). */
export const AHEAD_FRAMES = 6;
const RING_FRAMES = LATE_FRAMES + AHEAD_FRAMES + 1;

export class StereoTimeline {
  readonly #left = new Int16Array(RING_FRAMES * FRAME_SAMPLES);
  readonly #right = new Int16Array(RING_FRAMES * FRAME_SAMPLES);
  readonly #paused = new Uint8Array(RING_FRAMES);
  readonly #sink: FrameSink;
  readonly #maxFrames: number;
  /** Next frame to commit; frames below are in the sink. */
  #committed = 0;
  /** Next frame the agent side will write. */
  #head = 0;
  /** Caller samples that came too late or too early for the window. */
  lateSamples = 0;
  earlySamples = 0;

  constructor(sink: FrameSink, maxFrames: number) {
    this.#sink = sink;
    this.#maxFrames = maxFrames;
  }

  /** Frames on the timeline so far (the agent side's head). */
  get frames(): number {
    return this.#head;
  }

  /** True once `maxFrames` are committed: nothing more is recorded. */
  get full(): boolean {
    return this.#committed >= this.#maxFrames;
  }

  /**
   * The agent side's frame `index`: `samples[0…160)` (undefined: silence) sent in it; `paused`
   * marks the frame as paused. Frames between the previous head and `index` are silence with the
   * same pause state. An index behind the head is ignored.
   */
  agent(index: number, samples: Int16Array | undefined, paused: boolean): void {
    if (index < this.#head) return;
    const last = Math.min(index, this.#maxFrames);
    while (this.#head <= last && this.#head < this.#maxFrames) {
      const f = this.#head;
      this.#commitBefore(f - LATE_FRAMES);
      const slot = f % RING_FRAMES;
      const at = slot * FRAME_SAMPLES;
      if (f === index && samples !== undefined) for (let i = 0; i < FRAME_SAMPLES; i++) this.#right[at + i] = samples[i] as number;
      else this.#right.fill(0, at, at + FRAME_SAMPLES);
      this.#paused[slot] = paused ? 1 : 0;
      this.#head = f + 1;
    }
  }

  /** Caller samples `samples[0…n)` at timeline sample `position`; what falls outside the window is counted. */
  caller(position: number, samples: Int16Array, n: number): void {
    const lo = this.#committed * FRAME_SAMPLES;
    const hi = Math.min(this.#head + AHEAD_FRAMES, this.#committed + RING_FRAMES, this.#maxFrames) * FRAME_SAMPLES;
    const ring = RING_FRAMES * FRAME_SAMPLES;
    for (let i = 0; i < n; i++) {
      const s = position + i;
      if (s < lo) this.lateSamples++;
      else if (s >= hi) this.earlySamples++;
      else this.#left[s % ring] = samples[i] as number;
    }
  }

  /** Commits every frame up to the head (the end of the recording); caller audio ahead of it is dropped. */
  flush(): void {
    this.#commitBefore(this.#head);
  }

  #commitBefore(frame: number): void {
    while (this.#committed < frame) {
      const f = this.#committed;
      const slot = f % RING_FRAMES;
      const at = slot * FRAME_SAMPLES;
      // A frame the agent side never reached (the end) is committed as it is: silence on the right.
      if (f >= this.#head) this.#right.fill(0, at, at + FRAME_SAMPLES);
      this.#sink.frame(f, this.#left, this.#right, at, f < this.#head && this.#paused[slot] === 1);
      this.#left.fill(0, at, at + FRAME_SAMPLES);
      this.#paused[slot] = 0;
      this.#committed = f + 1;
    }
  }
}
