/**
 * The one media clock of the process. Every RTP session registers here; each 20 ms tick serves every
 * session once (send one outbound frame, play one inbound frame out of its jitter buffer), so a
 * thousand calls cost 50 timer wake-ups per phase per second instead of a thousand timers.
 *
 * Drift-free: tick k of phase p is due at start + k·20 ms + p·(20/phases) ms, computed from the
 * start, never from the previous wake-up (setInterval drifts by its own lateness every period).
 *
 * Phases: sessions are spread over `phases` sub-slots of the 20 ms period, so with the default 10
 * phases 500 sessions send in bursts of 50 every 2 ms rather than 500 at once; the kernel's socket
 * buffers and the far side's jitter buffers see a smooth packet rate and the last session of a burst
 * is late by a tenth of the work. A phase is filled up to `phaseFill` sessions before the next is
 * opened (then the least-loaded phase takes the next one), and only occupied phases wake the
 * process: a handful of calls costs 50 wake-ups a second, not 500, and a burst of `phaseFill`
 * sessions is a fraction of a millisecond of work.
 *
 * Catch-up: if the event loop stalled, overdue slots are served at once (at most `maxCatchUpTicks`
 * periods' worth), so RTP timestamps, which follow the tick index, stay on wall time and the remote
 * jitter buffer absorbs the burst. Longer stalls skip the excess ticks (counted) rather than blast
 * seconds of audio in one go.
 */
import type { Clock, TimerId } from '../../clock.js';
import { FRAME_MS } from '../constants.js';
import { LatenessHistogram, type LatenessSummary } from './lateness-histogram.js';

export interface ScheduledStream {
  /**
   * Called once per 20 ms tick. `tick` is the scheduler's absolute tick index (consecutive while the
   * stream is registered, except for skipped ticks after a long stall); `scheduledAt` is when this
   * call was due on the Clock.
   */
  onTick(tick: number, scheduledAt: number): void;
}

export interface MediaSchedulerOptions {
  clock: Clock;
  /** Sub-slots per 20 ms period (default 10, i.e. one burst every 2 ms). */
  phases?: number;
  /** Most overdue periods served after a stall before the rest are skipped (default 5 = 100 ms). */
  maxCatchUpTicks?: number;
  /** Sessions a phase takes before the next phase is opened (default 16). */
  phaseFill?: number;
  /** A stream's onTick threw (the scheduler carries on with the others). */
  onStreamError?: (error: unknown) => void;
}

export interface MediaSchedulerStats {
  streams: number;
  /** Periods completed since start. */
  ticks: number;
  /** Slots served late by more than one slot interval (caught up after a stall). */
  catchUpSlots: number;
  /** Periods skipped after stalls longer than the catch-up bound. */
  skippedTicks: number;
  streamErrors: number;
  /** How late each stream's onTick finished (its packet sent) relative to its due time. */
  lateness: LatenessSummary;
}

export interface Registration {
  unregister(): void;
}

/** A wake-up this close before a slot's due time serves it (timer granularity is ~1 ms). */
const EARLY_TOLERANCE_MS = 0.5;
/**
 * 10 sub-slots of 2 ms: at 500 calls a burst is 50 sessions (~1.3 ms of work), so the last packet
 * of a burst leaves ~1.3 ms late instead of ~3.3 ms with 4 phases; 500 timer wake-ups per second
 * cost next to nothing.
 */
export const DEFAULT_PHASES = 10;
export const DEFAULT_MAX_CATCH_UP_TICKS = 5;
/** 16 sessions are ~0.4 ms of work: a burst that small costs nothing in lateness, and 5 calls wake 50 times a second, not 250. */
export const DEFAULT_PHASE_FILL = 16;

export class MediaScheduler {
  readonly #clock: Clock;
  readonly phases: number;
  readonly #slotMs: number;
  readonly #maxCatchUpSlots: number;
  readonly #phaseFill: number;
  readonly #onStreamError: ((error: unknown) => void) | undefined;
  readonly #lanes: Array<Array<ScheduledStream | null>>;
  readonly #laneDirty: boolean[];
  readonly #laneCounts: number[];
  #count = 0;
  /** True while onTimer serves slots: an emptied scheduler stops after the pass, not in the middle. */
  #inTimer = false;
  #startAt = 0;
  #nextSlot = 0;
  #timer: TimerId | undefined;
  #running = false;
  #servingLane = -1;
  readonly #lateness = new LatenessHistogram();
  #catchUpSlots = 0;
  #skippedTicks = 0;
  #streamErrors = 0;
  readonly #fire = (): void => this.#onTimer();

  constructor(opts: MediaSchedulerOptions) {
    this.#clock = opts.clock;
    this.phases = opts.phases ?? DEFAULT_PHASES;
    if (!Number.isInteger(this.phases) || this.phases < 1 || this.phases > FRAME_MS) {
      throw new RangeError(`phases must be an integer in 1..${FRAME_MS}, got ${this.phases}`);
    }
    const catchUp = opts.maxCatchUpTicks ?? DEFAULT_MAX_CATCH_UP_TICKS;
    if (!Number.isInteger(catchUp) || catchUp < 1) throw new RangeError(`maxCatchUpTicks must be an integer >= 1, got ${catchUp}`);
    this.#maxCatchUpSlots = catchUp * this.phases;
    this.#phaseFill = opts.phaseFill ?? DEFAULT_PHASE_FILL;
    if (!Number.isInteger(this.#phaseFill) || this.#phaseFill < 1) throw new RangeError(`phaseFill must be an integer >= 1, got ${this.#phaseFill}`);
    this.#slotMs = FRAME_MS / this.phases;
    this.#onStreamError = opts.onStreamError;
    this.#lanes = Array.from({ length: this.phases }, () => []);
    this.#laneDirty = Array.from({ length: this.phases }, () => false);
    this.#laneCounts = Array.from({ length: this.phases }, () => 0);
  }

  get size(): number {
    return this.#count;
  }

  /** Adds a stream to the first phase with room (fewer than `phaseFill`), else to the least-loaded one. The timer starts with the first stream. */
  register(stream: ScheduledStream): Registration {
    let best = -1;
    for (let p = 0; p < this.phases && best < 0; p++) if ((this.#laneCounts[p] as number) < this.#phaseFill) best = p;
    if (best < 0) {
      best = 0;
      for (let p = 1; p < this.phases; p++) if ((this.#laneCounts[p] as number) < (this.#laneCounts[best] as number)) best = p;
    }
    const lane = this.#lanes[best] as Array<ScheduledStream | null>;
    lane.push(stream);
    this.#laneCounts[best] = (this.#laneCounts[best] as number) + 1;
    this.#count++;
    if (!this.#running) this.#start();
    let registered = true;
    return {
      unregister: () => {
        if (!registered) return;
        registered = false;
        this.#remove(best, stream);
      },
    };
  }

  stats(): MediaSchedulerStats {
    return {
      streams: this.#count,
      ticks: Math.floor(this.#nextSlot / this.phases),
      catchUpSlots: this.#catchUpSlots,
      skippedTicks: this.#skippedTicks,
      streamErrors: this.#streamErrors,
      lateness: this.#lateness.summary(),
    };
  }

  /** Starts a fresh lateness measurement (benchmarks discard their warm-up). */
  resetLateness(): void {
    this.#lateness.reset();
  }

  /** Due time of a slot on the Clock. */
  #slotTime(slot: number): number {
    const tick = Math.floor(slot / this.phases);
    return this.#startAt + tick * FRAME_MS + (slot - tick * this.phases) * this.#slotMs;
  }

  #start(): void {
    this.#running = true;
    this.#startAt = this.#clock.now();
    this.#nextSlot = 0;
    this.#arm();
  }

  #stop(): void {
    this.#running = false;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    // A phase nobody is in would be a wake-up that serves nothing: with a handful of calls most of
    // the ten phases are empty, and those wake-ups were most of the idle cost. A stream that joins
    // an empty phase is first served on that phase's next slot after the armed one.
    for (let i = 1; i < this.phases && this.#laneCounts[this.#nextSlot % this.phases] === 0; i++) this.#nextSlot++;
    this.#timer = this.#clock.setTimeout(this.#fire, this.#slotTime(this.#nextSlot) - this.#clock.now());
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const now = this.#clock.now();
    let served = 0;
    this.#inTimer = true;
    try {
      // Bounded by maxCatchUpSlots per wake-up.
      while (served < this.#maxCatchUpSlots && this.#slotTime(this.#nextSlot) <= now + EARLY_TOLERANCE_MS) {
        if (served > 0) this.#catchUpSlots++;
        this.#serve(this.#nextSlot);
        this.#nextSlot++;
        served++;
      }
    } finally {
      this.#inTimer = false;
    }
    if (this.#count === 0) {
      // Everyone left during this pass: go idle (the next register restarts on a fresh grid).
      this.#stop();
      return;
    }
    if (this.#slotTime(this.#nextSlot) <= now - FRAME_MS) {
      // Still more than a period behind after catching up: skip to the present.
      const behind = Math.floor((now - this.#slotTime(this.#nextSlot)) / this.#slotMs);
      this.#skippedTicks += Math.floor(behind / this.phases);
      this.#nextSlot += behind - (behind % this.phases);
    }
    this.#arm();
  }

  #serve(slot: number): void {
    const phase = slot % this.phases;
    const tick = (slot - phase) / this.phases;
    const scheduledAt = this.#slotTime(slot);
    const lane = this.#lanes[phase] as Array<ScheduledStream | null>;
    const n = lane.length; // streams registered during this pass wait for the next period
    this.#servingLane = phase;
    for (let i = 0; i < n; i++) {
      const s = lane[i];
      if (s === null || s === undefined) continue;
      try {
        s.onTick(tick, scheduledAt);
      } catch (error) {
        this.#streamErrors++;
        this.#onStreamError?.(error);
      }
      // Measured when the stream's tick is done, i.e. after its packet was handed to the socket.
      this.#lateness.record(this.#clock.now() - scheduledAt);
    }
    this.#servingLane = -1;
    if (this.#laneDirty[phase]) this.#compact(phase);
  }

  #remove(phase: number, stream: ScheduledStream): void {
    const lane = this.#lanes[phase] as Array<ScheduledStream | null>;
    const i = lane.indexOf(stream);
    if (i < 0) return;
    lane[i] = null;
    this.#laneCounts[phase] = (this.#laneCounts[phase] as number) - 1;
    this.#count--;
    // Never reshuffle a lane while it is being iterated; compact after the pass.
    if (this.#servingLane === phase) this.#laneDirty[phase] = true;
    else this.#compact(phase);
    if (this.#count === 0 && !this.#inTimer) this.#stop();
  }

  #compact(phase: number): void {
    const lane = this.#lanes[phase] as Array<ScheduledStream | null>;
    let w = 0;
    for (let r = 0; r < lane.length; r++) {
      const s = lane[r];
      if (s !== null && s !== undefined) lane[w++] = s;
    }
    lane.length = w;
    this.#laneDirty[phase] = false;
  }
}
