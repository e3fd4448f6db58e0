/**
 * 8 kHz -> 24 kHz, streaming, for the PCM16 24 kHz Realtime format.
 *
 * Polyphase FIR: conceptually each input sample is followed by two zeros and the 24 kHz stream is
 * low-passed (RESAMPLER_PROTOTYPE, gain 3 to make up for the zeros). Only the non-zero products are
 * computed: output 3n+p = Σ_k 3·h[3k+p]·x[n−k], so every input sample yields three outputs from one
 * pass over the last 32 inputs. The filter history is carried between calls, so a stream cut into
 * 20 ms frames (160 in, 480 out) is bit-identical to the same stream processed whole: no frame-edge clicks.
 */
import { newAudioFaultCounts, type AudioFaultCounts } from './errors.js';
import { RESAMPLER_DELAY_24K, RESAMPLER_PROTOTYPE } from './resampler-filter.js';

const FACTOR = 3;
/** Input samples each output depends on: ceil(taps / 3). */
const SPAN = Math.ceil(RESAMPLER_PROTOTYPE.length / FACTOR);

/**
 * Coefficients reordered for the inner loop: entry 3j+p multiplies the j-th oldest sample of the
 * window for output phase p (window index j pairs with input age k = SPAN−1−j).
 */
const COEFFS: Float64Array = (() => {
  const c = new Float64Array(SPAN * FACTOR);
  for (let j = 0; j < SPAN; j++) {
    const age = SPAN - 1 - j;
    for (let p = 0; p < FACTOR; p++) {
      const tap = FACTOR * age + p;
      c[FACTOR * j + p] = tap < RESAMPLER_PROTOTYPE.length ? FACTOR * (RESAMPLER_PROTOTYPE[tap] as number) : 0;
    }
  }
  return c;
})();

export class Upsampler8to24 {
  /**
   * The last SPAN inputs, stored twice (at i and i+SPAN) so the window is always one contiguous run
   * `history[head .. head+SPAN)` without wrap-around checks in the inner loop.
   */
  readonly #history = new Float64Array(2 * SPAN);
  #head = 0;
  readonly #faults: AudioFaultCounts = newAudioFaultCounts();

  /** Group delay of the conversion in milliseconds (constant: the filter is linear-phase). */
  get delayMs(): number {
    return RESAMPLER_DELAY_24K / 24;
  }

  /** Tolerated bad calls, by code (an `output` too short for 3× the input). */
  get faults(): Readonly<AudioFaultCounts> {
    return this.#faults;
  }

  /**
   * Converts all of `input` (8 kHz) and writes 3 samples per input sample to `output` (24 kHz),
   * rounded and saturated to int16. If `output` is too short the excess is dropped (the filter state
   * still advances, so timing stays right) and counted. Returns the number of samples written.
   */
  process(input: Int16Array, output: Int16Array): number {
    const history = this.#history;
    const coeffs = COEFFS;
    const capacity = output.length;
    let head = this.#head;
    let written = 0;
    for (let n = 0; n < input.length; n++) {
      const x = input[n] as number;
      history[head] = x;
      history[head + SPAN] = x;
      head = head + 1 === SPAN ? 0 : head + 1;
      if (written + FACTOR > capacity) continue;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      for (let j = 0, c = 0; j < SPAN; j++, c += FACTOR) {
        const v = history[head + j] as number;
        a0 += (coeffs[c] as number) * v;
        a1 += (coeffs[c + 1] as number) * v;
        a2 += (coeffs[c + 2] as number) * v;
      }
      output[written] = toInt16(a0);
      output[written + 1] = toInt16(a1);
      output[written + 2] = toInt16(a2);
      written += FACTOR;
    }
    this.#head = head;
    if (written < input.length * FACTOR) this.#faults.AUDIO_ERR_OUTPUT_TOO_SMALL++;
    return written;
  }

  /** Forgets the history (e.g. after a media discontinuity), as if freshly constructed. */
  reset(): void {
    this.#history.fill(0);
    this.#head = 0;
  }
}

/** Round to nearest and saturate: Int16Array stores would otherwise wrap modulo 2^16. */
function toInt16(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}
