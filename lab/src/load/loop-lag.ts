import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export interface LoopLag {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/**
 * Event-loop delay of this process since the last take: a timer asks to run every `resolutionMs`,
 * and how much later than that it ran is the delay (an idle loop reads about 0, a loop blocked for
 * 200 ms about 200). Measured with our own timer rather than perf_hooks.monitorEventLoopDelay,
 * whose reset() drops the interval right after it, so a block starting then went unseen. The timer
 * never keeps the process alive.
 */
export class LoopLagMonitor {
  readonly #h: RecordableHistogram = createHistogram();
  readonly #resolutionMs: number;
  #last = performance.now();
  #timer: NodeJS.Timeout;

  constructor(resolutionMs = 10) {
    this.#resolutionMs = resolutionMs;
    this.#timer = this.#arm();
  }

  #arm(): NodeJS.Timeout {
    const t = setTimeout(() => {
      const now = performance.now();
      // In µs (the histogram takes integers >= 1).
      this.#h.record(Math.max(1, Math.round((now - this.#last - this.#resolutionMs) * 1000)));
      this.#last = now;
      this.#timer = this.#arm();
    }, this.#resolutionMs);
    t.unref();
    return t;
  }

  take(): LoopLag {
    const ms = (us: number): number => (this.#h.count === 0 ? 0 : Math.round(us) / 1000);
    const lag = { p50Ms: ms(this.#h.percentile(50)), p99Ms: ms(this.#h.percentile(99)), maxMs: ms(this.#h.max), meanMs: ms(this.#h.mean) };
    this.#h.reset();
    return lag;
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
