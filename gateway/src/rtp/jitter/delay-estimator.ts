/**
 * Estimates how much playout delay the arriving stream needs, from each packet's transit time
 * (arrival minus media time). Transit has an unknown constant offset (clocks are not synchronised)
 * and drifts slowly (the sender's 8 kHz is not ours), so we measure each packet against the
 * minimum transit of the recent past (two rotating windows: the baseline follows drift within
 * ~2 windows) and keep a decaying peak of that spread: one late burst raises the delay at once, and
 * it comes back down over seconds once the network calms.
 */

/** Baseline window length, ms. */
const BASELINE_WINDOW_MS = 2000;
/** Peak spread halves after this many ms without a new peak. */
const PEAK_HALF_LIFE_MS = 4000;

export class DelayEstimator {
  #extTs = 0;
  #lastTs = 0;
  #started = false;
  #windowStartMs = 0;
  #curMin = Number.POSITIVE_INFINITY;
  #prevMin = Number.POSITIVE_INFINITY;
  #peak = 0;
  #lastPeakMs = 0;
  /** The peak as it stood at the last on-time scheduler tick (see `checkpoint`). */
  #savedPeak = 0;
  #savedPeakMs = 0;
  /** Packets read up to this time arrived during a local stall: their transit says nothing. */
  #blindUntilMs = Number.NEGATIVE_INFINITY;

  readonly #clockRate: number;

  constructor(clockRate: number) {
    this.#clockRate = clockRate;
  }

  /** Feed one packet (any order). */
  onPacket(timestamp: number, arrivalMs: number): void {
    if (arrivalMs <= this.#blindUntilMs) {
      // Keep the timestamp chain so the next measured packet's media time is right.
      if (this.#started) {
        this.#extTs += (timestamp - this.#lastTs) | 0;
        this.#lastTs = timestamp;
      }
      return;
    }
    if (!this.#started) {
      this.#started = true;
      this.#lastTs = timestamp;
      this.#extTs = 0;
      this.#windowStartMs = arrivalMs;
      this.#lastPeakMs = arrivalMs;
    } else {
      this.#extTs += (timestamp - this.#lastTs) | 0; // signed delta survives 32-bit wrap
      this.#lastTs = timestamp;
    }
    const transit = arrivalMs - (this.#extTs * 1000) / this.#clockRate;
    if (arrivalMs - this.#windowStartMs >= BASELINE_WINDOW_MS) {
      this.#prevMin = this.#curMin;
      this.#curMin = Number.POSITIVE_INFINITY;
      this.#windowStartMs = arrivalMs;
    }
    if (transit < this.#curMin) this.#curMin = transit;
    const base = Math.min(this.#curMin, this.#prevMin);
    const spread = transit - base;
    // Decay the held peak by elapsed time, then raise it to the new spread.
    const decay = Math.pow(0.5, (arrivalMs - this.#lastPeakMs) / PEAK_HALF_LIFE_MS);
    this.#lastPeakMs = arrivalMs;
    this.#peak = Math.max(spread, this.#peak * decay);
  }

  /** Remembers the current peak: called when our own process is known to be on time. */
  checkpoint(): void {
    this.#savedPeak = this.#peak;
    this.#savedPeakMs = this.#lastPeakMs;
  }

  /**
   * Our process stalled until `nowMs` (the scheduler woke up late). Packets read during and right
   * after the stall carry our read time, not their arrival time: a 300 ms stall would look like
   * 300 ms of network jitter and hold the delay high for seconds. Forget what they raised since the
   * last checkpoint, and do not measure packets read until `nowMs + graceMs`.
   */
  discardStall(nowMs: number, graceMs: number): void {
    this.#peak = this.#savedPeak;
    this.#lastPeakMs = this.#savedPeakMs;
    this.#blindUntilMs = nowMs + graceMs;
  }

  /** Delay variation the buffer should absorb, ms. */
  get spreadMs(): number {
    return this.#peak;
  }

  /** The media timeline restarted (new SSRC / sequence restart): keep the learned peak, drop the baseline. */
  resetTimeline(): void {
    this.#started = false;
    this.#curMin = Number.POSITIVE_INFINITY;
    this.#prevMin = Number.POSITIVE_INFINITY;
  }
}
