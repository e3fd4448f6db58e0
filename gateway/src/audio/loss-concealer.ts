/**
 * Packet-loss concealment for 8 kHz G.711 audio after ITU-T G.711 Appendix I ("A high quality
 * low-complexity algorithm for packet loss concealment with G.711"):
 *
 *  - at the start of a loss, find the pitch period P of the recent history (findPitch) and repeat the
 *    last period; the end of that period is cross-faded over P/4 samples ("1/4 wavelength overlap-add")
 *    with the quarter-period before it, so the repetitions join without a step;
 *  - after 10 ms and again after 20 ms, widen the repeated segment to 2 and then 3 periods (less buzzy
 *    than one period repeated for a long time), cross-fading into the wider buffer over P/4 samples;
 *  - attenuate linearly by 20% per 10 ms starting 10 ms into the loss, reaching silence at 60 ms;
 *  - when audio resumes, cross-fade the first P/4 + 4 ms per extra 10 ms lost (≤ 10 ms) of the real
 *    frame with the continuing synthetic signal.
 *
 * One deliberate difference: Appendix I delays all output by 3.75 ms so it can rewrite the last
 * quarter-period of history (fading it towards the period before) when a loss starts. We add no delay
 * (audio is never held back for a loss that may not happen). Instead the repeat is spliced on with an
 * offset that makes it start from the last real sample, faded out over P/4: the first concealed step
 * is then a step the signal really took one period earlier, and a perfectly periodic signal is
 * continued exactly (the offset is zero).
 *
 * Works on any frame length (20 ms = 160 samples is the norm); all buffers are preallocated, so
 * `good` and `conceal` allocate nothing.
 */
import { findPitch, PITCH_MAX } from './pitch.js';

/** Appendix I works in 10 ms blocks: structure changes (period widening, muting) happen on their edges. */
const BLOCK = 80;
/** Longest 1/4-wavelength overlap: PITCH_MAX / 4. */
const MAX_OVERLAP = PITCH_MAX >> 2;
/** Three pitch periods of the longest pitch plus one overlap: all a 3-period repeat can need. */
const HISTORY_LENGTH = 3 * PITCH_MAX + MAX_OVERLAP;
/** Attenuation slope: 20% per 10 ms block, applied per sample. */
const ATTENUATION_PER_SAMPLE = 0.2 / BLOCK;
/** Concealment starts fading after the first 10 ms. */
const FULL_LEVEL_SAMPLES = BLOCK;
/** Extra overlap at resume per additional 10 ms lost (4 ms): longer gaps need gentler joins. */
const RESUME_OVERLAP_STEP = 32;
/** Blocks (10 ms) after whose start the repeated segment grows by a period: at 10 ms and 20 ms. */
const LAST_WIDENING_BLOCK = 2;

export class LossConcealer {
  /** What the listener heard most recently (real and concealed), oldest first. */
  readonly #history = new Float64Array(HISTORY_LENGTH);
  /** Snapshot of history at the start of the loss; its tail is reshaped for seamless repetition. */
  readonly #pitchBuf = new Float64Array(HISTORY_LENGTH);
  /** The original last quarter-period of history (before reshaping), for the overlaps. */
  readonly #lastQuarter = new Float64Array(MAX_OVERLAP);
  /** Continuation of the narrower repeat, faded out when the repeat widens. */
  readonly #fadeFrom = new Float64Array(MAX_OVERLAP);
  #pitch = 0;
  #overlap = 0;
  /** Last real sample minus the sample preceding the repeated period: faded out over the first overlap. */
  #spliceOffset = 0;
  /** Length of the repeated segment: 1, 2 or 3 periods, ending at the end of pitchBuf. */
  #repeatLength = 0;
  /** Read position within the repeated segment. */
  #offset = 0;
  /** Samples concealed since the loss began; 0 while audio is flowing. */
  #missing = 0;
  #concealedFrames = 0;

  /** Number of frames produced by `conceal` since construction. */
  get concealedFrames(): number {
    return this.#concealedFrames;
  }

  /** Pitch period (samples at 8 kHz) chosen for the current or last loss; 0 before any loss. */
  get pitch(): number {
    return this.#pitch;
  }

  /**
   * Feed every received (decoded) frame. If it follows concealed frames, its start is cross-faded in
   * place with the synthetic signal so the transition is smooth — use the frame after this call.
   */
  good(frame: Int16Array): void {
    const n = frame.length;
    if (this.#missing > 0) {
      const blocksLost = Math.ceil(this.#missing / BLOCK);
      const length = Math.min(this.#overlap + (blocksLost - 1) * RESUME_OVERLAP_STEP, BLOCK, n);
      const gain = gainAt(this.#missing);
      const step = 1 / length;
      for (let i = 0; i < length; i++) {
        const realWeight = (i + 1) * step;
        const synthetic = this.#nextSynthetic();
        frame[i] = toInt16((1 - realWeight) * gain * synthetic + realWeight * (frame[i] as number));
      }
      this.#missing = 0;
    }
    this.#remember(frame, n);
  }

  /** Produce one concealed frame of `out.length` samples in place of a lost one. */
  conceal(out: Int16Array): void {
    const n = out.length;
    for (let i = 0; i < n; i++) {
      const position = this.#missing % BLOCK;
      const block = (this.#missing - position) / BLOCK;
      if (position === 0) this.#startBlock(block);
      let v = this.#nextSynthetic();
      if (position < this.#overlap) {
        if (block === 0) {
          // Splice: shift the repeat to start from the last real sample, fading the shift out over
          // P/4, so the first concealed step is a step the signal really took one period earlier.
          v += this.#spliceOffset * (1 - position / this.#overlap);
        } else if (block <= LAST_WIDENING_BLOCK) {
          // Fade from the narrower repeat into the wider one (Appendix I overlap-add).
          const newWeight = (position + 1) / this.#overlap;
          v = (1 - newWeight) * (this.#fadeFrom[position] as number) + newWeight * v;
        }
      }
      out[i] = toInt16(v * gainAt(this.#missing));
      this.#missing++;
    }
    this.#concealedFrames++;
    this.#remember(out, n);
  }

  #startBlock(block: number): void {
    const end = HISTORY_LENGTH;
    if (block === 0) {
      this.#pitchBuf.set(this.#history);
      this.#pitch = findPitch(this.#pitchBuf, end);
      this.#overlap = this.#pitch >> 2;
      const q = this.#overlap;
      for (let i = 0; i < q; i++) this.#lastQuarter[i] = this.#pitchBuf[end - q + i] as number;
      this.#offset = 0;
      this.#repeatLength = this.#pitch;
      // The repeat starts one period back; the sample before that start is what the repeat "expects"
      // to follow. Its difference to the real last sample is the mismatch at the splice.
      this.#spliceOffset = (this.#pitchBuf[end - 1] as number) - (this.#pitchBuf[end - this.#pitch - 1] as number);
      this.#reshapeTail();
    } else if (block <= LAST_WIDENING_BLOCK) {
      // Remember how the narrower repeat would have continued, then widen by one period.
      const saved = this.#offset;
      for (let i = 0; i < this.#overlap; i++) this.#fadeFrom[i] = this.#nextSynthetic();
      this.#offset = saved;
      while (this.#offset > this.#pitch) this.#offset -= this.#pitch;
      this.#repeatLength += this.#pitch;
      this.#reshapeTail();
    }
  }

  /**
   * Cross-fade the last quarter-period of pitchBuf from its original samples to the samples just
   * before the start of the repeated segment, so that wrapping from the end back to the start is
   * seamless (it continues exactly as the signal did after those earlier samples).
   */
  #reshapeTail(): void {
    const end = HISTORY_LENGTH;
    const q = this.#overlap;
    const start = end - this.#repeatLength;
    const step = 1 / q;
    for (let i = 0; i < q; i++) {
      const w = (i + 1) * step;
      this.#pitchBuf[end - q + i] = (1 - w) * (this.#lastQuarter[i] as number) + w * (this.#pitchBuf[start - q + i] as number);
    }
  }

  #nextSynthetic(): number {
    const v = this.#pitchBuf[HISTORY_LENGTH - this.#repeatLength + this.#offset] as number;
    this.#offset++;
    if (this.#offset === this.#repeatLength) this.#offset = 0;
    return v;
  }

  #remember(frame: Int16Array, n: number): void {
    const history = this.#history;
    if (n >= HISTORY_LENGTH) {
      for (let i = 0; i < HISTORY_LENGTH; i++) history[i] = frame[n - HISTORY_LENGTH + i] as number;
      return;
    }
    history.copyWithin(0, n);
    for (let i = 0; i < n; i++) history[HISTORY_LENGTH - n + i] = frame[i] as number;
  }
}

/** Level of concealment `missing` samples into a loss: 1 for 10 ms, then −20% per 10 ms, 0 from 60 ms. */
function gainAt(missing: number): number {
  if (missing < FULL_LEVEL_SAMPLES) return 1;
  const g = 1 - (missing - FULL_LEVEL_SAMPLES) * ATTENUATION_PER_SAMPLE;
  return g > 0 ? g : 0;
}

function toInt16(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}
