/**
 * 24 kHz -> 8 kHz, streaming, for audio coming back from Realtime's PCM16 24 kHz output.
 *
 * Realtime's 24 kHz speech has energy up to 12 kHz; everything above 4 kHz would fold into the
 * telephone band, so the stream is low-passed (RESAMPLER_PROTOTYPE, stopband from 4600 Hz) and every
 * third sample kept. Only the kept samples are computed: output m = Σ_k h[k]·x[3m+2−k], evaluated as
 * soon as its newest input x[3m+2] arrives. The symmetric taps are folded (h[k] = h[94−k]) to halve
 * the multiplies. History and the position within each group of three inputs are carried between
 * calls, so any chunking (480-sample frames or odd sizes) gives bit-identical output.
 */
import { newAudioFaultCounts, type AudioFaultCounts } from './errors.js';
import { RESAMPLER_DELAY_24K, RESAMPLER_PROTOTYPE } from './resampler-filter.js';

const FACTOR = 3;
const TAPS = RESAMPLER_PROTOTYPE.length;
/** Number of folded coefficient pairs; the odd centre tap is handled on its own. */
const HALF = (TAPS - 1) / 2;
const CENTRE_TAP = RESAMPLER_PROTOTYPE[HALF] as number;
const FOLDED: Float64Array = RESAMPLER_PROTOTYPE.slice(0, HALF);
/** Output m is aligned to input 3m+2, so the delay is (47 − 2) / 3 = 15 samples at 8 kHz. */
const DELAY_24K = RESAMPLER_DELAY_24K - (FACTOR - 1);

export class Downsampler24to8 {
  /** The last TAPS inputs, stored twice so the window `history[head .. head+TAPS)` is contiguous. */
  readonly #history = new Float64Array(2 * TAPS);
  #head = 0;
  /** Inputs received since the last output (0..2): the position within the current group of three. */
  #phase = 0;
  readonly #faults: AudioFaultCounts = newAudioFaultCounts();

  /** Group delay of the conversion in milliseconds (constant: the filter is linear-phase). */
  get delayMs(): number {
    return DELAY_24K / 24;
  }

  /** Tolerated bad calls, by code (an `output` too short for the samples produced). */
  get faults(): Readonly<AudioFaultCounts> {
    return this.#faults;
  }

  /**
   * Converts all of `input` (24 kHz) and writes one sample per three inputs to `output` (8 kHz),
   * rounded and saturated to int16; a partial group of three is remembered for the next call. If
   * `output` is too short the excess is dropped (state still advances) and counted. Returns the number
   * of samples written.
   */
  process(input: Int16Array, output: Int16Array): number {
    const history = this.#history;
    const folded = FOLDED;
    const capacity = output.length;
    let head = this.#head;
    let phase = this.#phase;
    let written = 0;
    let dropped = false;
    for (let n = 0; n < input.length; n++) {
      const x = input[n] as number;
      history[head] = x;
      history[head + TAPS] = x;
      head = head + 1 === TAPS ? 0 : head + 1;
      if (++phase < FACTOR) continue;
      phase = 0;
      if (written === capacity) {
        dropped = true;
        continue;
      }
      // Window oldest..newest is history[head .. head+TAPS); tap k pairs with age k = TAPS−1−j.
      const last = head + TAPS - 1;
      let acc = CENTRE_TAP * (history[head + HALF] as number);
      for (let k = 0; k < HALF; k++) {
        acc += (folded[k] as number) * ((history[last - k] as number) + (history[head + k] as number));
      }
      const r = Math.round(acc);
      output[written++] = r > 32767 ? 32767 : r < -32768 ? -32768 : r;
    }
    this.#head = head;
    this.#phase = phase;
    if (dropped) this.#faults.AUDIO_ERR_OUTPUT_TOO_SMALL++;
    return written;
  }

  /** Forgets the history and the group position, as if freshly constructed. */
  reset(): void {
    this.#history.fill(0);
    this.#head = 0;
    this.#phase = 0;
  }
}
