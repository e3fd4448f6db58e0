/**
 * 20 ms ticks on an absolute schedule: tick n is due at t0 + n·20 ms, so timer lateness never
 * accumulates into drift (a phone's sound card does not drift either). A tick that runs late is
 * still sent, with its own timestamp; after an event-loop stall the missed ticks go out at once,
 * like a phone flushing its capture buffer. No busy-waiting: the machine is shared.
 */
import type { PacerStats } from '../result.js';
import type { RunClock } from '../run-clock.js';

export const FRAME_MS = 20;
/** Ticks run back to back in one callback at most, before yielding to I/O. */
const MAX_BURST = 8;

export class FramePacer {
  readonly #clock: RunClock;
  readonly #onTick: (index: number, due: number) => void;
  #t0 = 0;
  #next = 0;
  #cancel: (() => void) | undefined;
  #running = false;
  #lateSum = 0;
  #lateMax = 0;
  #catchUps = 0;

  constructor(clock: RunClock, onTick: (index: number, due: number) => void) {
    this.#clock = clock;
    this.#onTick = onTick;
  }

  /** Run time of tick 0. */
  get t0(): number {
    return this.#t0;
  }

  /** Index of the next tick to run (= ticks run so far). */
  get nextIndex(): number {
    return this.#next;
  }

  get running(): boolean {
    return this.#running;
  }

  start(t0: number = this.#clock.now()): void {
    if (this.#running) return;
    this.#running = true;
    this.#t0 = t0;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    this.#cancel?.();
    this.#cancel = undefined;
  }

  get stats(): PacerStats {
    return {
      ticks: this.#next,
      lateMsMax: this.#lateMax,
      lateMsMean: this.#next === 0 ? 0 : this.#lateSum / this.#next,
      catchUps: this.#catchUps,
    };
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#cancel = this.#clock.at(this.#t0 + this.#next * FRAME_MS, () => this.#fire());
  }

  #fire(): void {
    if (!this.#running) return;
    const now = this.#clock.now();
    for (let burst = 0; burst < MAX_BURST && this.#running; burst++) {
      const due = this.#t0 + this.#next * FRAME_MS;
      if (due > now) break;
      const late = now - due;
      this.#lateSum += late;
      if (late > this.#lateMax) this.#lateMax = late;
      if (late >= FRAME_MS) this.#catchUps++;
      const index = this.#next++;
      this.#onTick(index, due);
    }
    this.#schedule();
  }
}
