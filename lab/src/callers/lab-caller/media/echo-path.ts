/**
 * A handset's acoustic echo: what the far end sends comes back into our microphone after a fixed
 * delay, attenuated. Received frames are played out by their RTP timestamps, like a phone's jitter
 * buffer: the schedule is set by the least-late arrival seen (a late first frame does not delay
 * everything after it), each frame plays at schedule + timestamp offset + delay, and the echo is
 * mixed into a ring indexed by outgoing sample position, from which the sender takes each frame.
 *
 * Positions are samples on the outgoing timeline (0 = the first sample we sent). Samples whose
 * playout time has already been sent are lost, as in a real jitter buffer (late loss).
 */
export interface EchoSettings {
  gainDb: number;
  delayMs: number;
}

const SAMPLES_PER_MS = 8;
/** Ring size: covers the 2 s maximum delay plus lateness and a frame. */
export const ECHO_RING_SAMPLES = 1 << 15;
/** A frame this much earlier than the schedule moves the schedule earlier, ms. */
export const DEFAULT_EARLY_TOLERANCE_MS = 10;
/** A frame this much later than the schedule means the stream moved: re-anchor on it, ms. */
export const DEFAULT_RESYNC_LATE_MS = 100;

export class EchoPath {
  readonly #ring = new Float32Array(ECHO_RING_SAMPLES);
  readonly #earlyTolerance: number;
  readonly #resyncLate: number;
  #gain = 0;
  #delay = 0;
  #enabled = false;
  #ssrc: number | undefined;
  #ts0 = 0;
  /** Outgoing position at which timestamp ts0 "arrived" on schedule. */
  #base = 0;
  /** Schedule changes after the first anchoring. */
  reanchors = 0;
  /** Samples not played because their time had already been sent. */
  lateSamples = 0;

  constructor(earlyToleranceMs = DEFAULT_EARLY_TOLERANCE_MS, resyncLateMs = DEFAULT_RESYNC_LATE_MS) {
    this.#earlyTolerance = earlyToleranceMs * SAMPLES_PER_MS;
    this.#resyncLate = resyncLateMs * SAMPLES_PER_MS;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Turns the echo on (a fresh schedule) or off (pending echo is discarded). */
  configure(s: EchoSettings | undefined): void {
    this.#ring.fill(0);
    this.#ssrc = undefined;
    this.#enabled = s !== undefined;
    if (s !== undefined) {
      this.#gain = 10 ** (s.gainDb / 20);
      this.#delay = Math.round(s.delayMs * SAMPLES_PER_MS);
    }
  }

  /**
   * A received frame (decoded, `n` samples, RTP timestamp `ts` of `ssrc`) that arrived at outgoing
   * position `arrivalPos`, while `nextSendPos` is the first sample not yet sent.
   */
  push(pcm: Int16Array, n: number, ssrc: number, ts: number, arrivalPos: number, nextSendPos: number): void {
    if (!this.#enabled || n <= 0) return;
    let rel = (ts - this.#ts0) | 0; // signed 32-bit: timestamp wrap-around is harmless
    const offset = arrivalPos - rel;
    if (this.#ssrc !== ssrc || offset > this.#base + this.#resyncLate) {
      if (this.#ssrc === ssrc) this.reanchors++;
      this.#ssrc = ssrc;
      this.#ts0 = ts;
      this.#base = arrivalPos;
      rel = 0;
    } else if (offset < this.#base - this.#earlyTolerance) {
      // Earlier than the schedule allows: the schedule was set by a late frame.
      this.#base = offset;
      this.reanchors++;
    }
    const at = Math.round(this.#base + rel + this.#delay);
    const skip = Math.max(0, nextSendPos - at);
    this.lateSamples += Math.min(n, skip);
    // Samples beyond the ring's horizon would overwrite audio still to be sent: drop them.
    const end = Math.min(n, nextSendPos + ECHO_RING_SAMPLES - at);
    const g = this.#gain;
    for (let i = skip; i < end; i++) {
      const k = (at + i) % ECHO_RING_SAMPLES;
      this.#ring[k] = (this.#ring[k] as number) + g * (pcm[i] as number);
    }
  }

  /** Adds the echo for [pos, pos + out.length) into `out` and clears it; true when any was non-zero. */
  take(pos: number, out: Float32Array): boolean {
    let any = false;
    for (let i = 0; i < out.length; i++) {
      const k = (pos + i) % ECHO_RING_SAMPLES;
      const v = this.#ring[k] as number;
      if (v !== 0) {
        out[i] = (out[i] as number) + v;
        this.#ring[k] = 0;
        any = true;
      }
    }
    return any;
  }
}
