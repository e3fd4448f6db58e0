/**
 * "Has the agent been talking for X ms?" from received frame levels. A talkspurt starts at the
 * arrival of the first frame above the threshold and survives pauses up to `hangoverMs` (speech
 * has gaps between words); a longer pause ends it. Precision is one received frame (20 ms).
 */
export const DEFAULT_HANGOVER_MS = 250;

export class TalkDetector {
  readonly #thresholdDbov: number;
  readonly #hangoverMs: number;
  #onset: number | undefined;
  #lastVoiced = Number.NEGATIVE_INFINITY;

  constructor(thresholdDbov: number, hangoverMs = DEFAULT_HANGOVER_MS) {
    this.#thresholdDbov = thresholdDbov;
    this.#hangoverMs = hangoverMs;
  }

  /** One received frame's level at run time t. */
  onFrame(levelDbov: number, t: number): void {
    if (levelDbov >= this.#thresholdDbov) {
      if (this.#onset === undefined || t - this.#lastVoiced > this.#hangoverMs) this.#onset = t;
      this.#lastVoiced = t;
    } else if (this.#onset !== undefined && t - this.#lastVoiced > this.#hangoverMs) {
      this.#onset = undefined;
    }
  }

  /** Start of the current talkspurt, if one is going on at t. */
  onsetAt(t: number): number | undefined {
    if (this.#onset === undefined || t - this.#lastVoiced > this.#hangoverMs) return undefined;
    return this.#onset;
  }

  /** How long the agent has been talking at t (0 when silent). */
  talkingForMs(t: number): number {
    const onset = this.onsetAt(t);
    return onset === undefined ? 0 : t - onset;
  }
}
