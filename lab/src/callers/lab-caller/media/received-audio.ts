/**
 * The agent's audio as the caller heard it: decoded frames placed by RTP timestamp, so losses stay
 * silent gaps and reordering is undone. Each SSRC (and each timestamp jump the arrival times do
 * not explain) starts a new segment anchored at its arrival time. Bounded: nothing is written
 * past `maxSamples`.
 */
const SAMPLES_PER_MS = 8;
/** A timestamp step this far from the arrival-time step (ms) is a jump, not jitter. */
const JUMP_MS = 2_000;

export class ReceivedAudio {
  readonly #max: number;
  #buf: Int16Array;
  #length = 0;
  #ssrc: number | undefined;
  #ts0 = 0;
  #pos0 = 0;

  constructor(maxSamples: number) {
    this.#max = maxSamples;
    this.#buf = new Int16Array(Math.min(maxSamples, 8000 * 10));
  }

  /** `pcm[0..n)` with RTP timestamp `ts` of `ssrc`, arrived at run time t (ms), where t0 is sample 0. */
  add(ssrc: number, ts: number, t: number, t0: number, pcm: Int16Array, n: number): void {
    const arrivalPos = Math.round((t - t0) * SAMPLES_PER_MS);
    let pos: number;
    const delta = (ts - this.#ts0) | 0; // signed 32-bit difference: wraps cleanly
    if (this.#ssrc !== ssrc || Math.abs(this.#pos0 + delta - arrivalPos) > JUMP_MS * SAMPLES_PER_MS) {
      this.#ssrc = ssrc;
      this.#ts0 = ts;
      this.#pos0 = Math.max(0, arrivalPos);
      pos = this.#pos0;
    } else {
      pos = this.#pos0 + delta;
    }
    if (pos < 0 || pos >= this.#max) return;
    const count = Math.min(n, this.#max - pos);
    this.#ensure(pos + count);
    this.#buf.set(pcm.subarray(0, count), pos);
    if (pos + count > this.#length) this.#length = pos + count;
  }

  /** A copy of everything written (silence where nothing arrived). */
  samples(): Int16Array {
    return this.#buf.slice(0, this.#length);
  }

  #ensure(n: number): void {
    if (n <= this.#buf.length) return;
    let cap = Math.max(1, this.#buf.length) * 2;
    while (cap < n) cap *= 2;
    const grown = new Int16Array(Math.min(cap, this.#max));
    grown.set(this.#buf.subarray(0, this.#length));
    this.#buf = grown;
  }
}
