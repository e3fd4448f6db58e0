/**
 * Energy VAD for the fake: 20 ms frames, level in dBov (the gateway's frameEnergyDbov), a threshold,
 * a minimum speech run before "start" and a hang-over of silence before "stop". Positions are ms of
 * audio fed so far, which is what the Realtime API reports (audio_start_ms / audio_end_ms count the
 * session's input audio, not wall time). Pure: no clock, no I/O.
 */
import { frameEnergyDbov } from 'connect-realtime-gateway';

export const VAD_FRAME_MS = 20;

export interface EnergyVadParams {
  thresholdDbov: number;
  /** Consecutive speech needed to declare a start; ms. */
  minSpeechMs: number;
  /** Consecutive silence needed to declare a stop; ms. */
  silenceMs: number;
}

export type VadTransition =
  /** onsetMs: start of the first speech frame of the run. */
  | { kind: 'start'; onsetMs: number }
  /** endMs: where the hang-over expired (includes the silence, as the API's audio_end_ms does). */
  | { kind: 'stop'; endMs: number };

export class EnergyVad {
  readonly #sampleRate: number;
  readonly #frame: Int16Array;
  #params: EnergyVadParams;
  #fill = 0;
  #framesSeen = 0;
  #speaking = false;
  #runStartFrame = -1;
  #speechRun = 0;
  #silenceRun = 0;
  readonly #onTransition: (t: VadTransition) => void;

  constructor(sampleRate: number, params: EnergyVadParams, onTransition: (t: VadTransition) => void) {
    this.#sampleRate = sampleRate;
    this.#frame = new Int16Array((sampleRate * VAD_FRAME_MS) / 1000);
    this.#params = { ...params };
    this.#onTransition = onTransition;
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /** Audio fed so far, ms (whole frames only). */
  get positionMs(): number {
    return this.#framesSeen * VAD_FRAME_MS;
  }

  setParams(params: Partial<EnergyVadParams>): void {
    this.#params = { ...this.#params, ...params };
  }

  /** Feeds `n` samples at the constructor's rate; fires transitions synchronously. */
  push(pcm: Int16Array, n: number = pcm.length): void {
    const frame = this.#frame;
    let i = 0;
    while (i < n) {
      const take = Math.min(frame.length - this.#fill, n - i);
      frame.set(pcm.subarray(i, i + take), this.#fill);
      this.#fill += take;
      i += take;
      if (this.#fill === frame.length) {
        this.#fill = 0;
        this.#onFrame(frameEnergyDbov(frame));
      }
    }
  }

  /** Forget speech state (after a manual commit or clear); the position keeps counting. */
  resetSpeech(): void {
    this.#speaking = false;
    this.#speechRun = 0;
    this.#silenceRun = 0;
    this.#runStartFrame = -1;
  }

  #onFrame(dbov: number): void {
    const index = this.#framesSeen++;
    const voiced = dbov >= this.#params.thresholdDbov;
    const minSpeechFrames = Math.max(1, Math.ceil(this.#params.minSpeechMs / VAD_FRAME_MS));
    const silenceFrames = Math.max(1, Math.ceil(this.#params.silenceMs / VAD_FRAME_MS));
    if (!this.#speaking) {
      if (voiced) {
        if (this.#speechRun === 0) this.#runStartFrame = index;
        this.#speechRun++;
        if (this.#speechRun >= minSpeechFrames) {
          this.#speaking = true;
          this.#silenceRun = 0;
          this.#onTransition({ kind: 'start', onsetMs: this.#runStartFrame * VAD_FRAME_MS });
        }
      } else {
        this.#speechRun = 0;
      }
      return;
    }
    if (voiced) {
      this.#silenceRun = 0;
      return;
    }
    this.#silenceRun++;
    if (this.#silenceRun >= silenceFrames) {
      this.resetSpeech();
      this.#onTransition({ kind: 'stop', endMs: (index + 1) * VAD_FRAME_MS });
    }
  }

  /** For diagnostics: sample rate this instance expects. */
  get sampleRate(): number {
    return this.#sampleRate;
  }
}
