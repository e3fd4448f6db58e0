import { estimateDelaySamples } from '../analysis/delay.js';
import { fractionalRead } from '../analysis/fractional-read.js';

/**
 * What a listener got of a reference signal: where it sits in the recording (cross-correlation, to a
 * fraction of a sample), how much of it arrived, and how faithfully — aligned SNR with the best gain,
 * segmental SNR over speech frames, and dropouts (speech frames that arrived as near-silence).
 */
export interface SignalComparison {
  /** Recording sample index where reference sample 0 sits. */
  offsetSamples: number;
  gain: number;
  /** Aligned SNR over the heard part, dB; capped at SNR_CAP_DB (bit-exact copies). */
  snrDb: number;
  /** Mean per-frame SNR over speech frames, each clamped to [−10, 35] dB. */
  segSnrDb: number;
  /** 20 ms frames of the reference that carry speech, and how many of those were heard. */
  speechFrames: number;
  heardFrames: number;
  dropouts: { count: number; ms: number };
  /** Speech after the last heard frame (an answer cut short, e.g. by barge-in), ms. */
  truncatedMs: number;
  /** Energies behind snrDb, so several comparisons add up to one figure. */
  signalEnergy: number;
  noiseEnergy: number;
}

export const FRAME = 160;
export const SNR_CAP_DB = 99;
/** Speech: a frame within this many dB of the reference's loudest frame, and above the floor. */
const SPEECH_RANGE_DB = 35;
const SPEECH_FLOOR_DBOV = -55;
/** A speech frame is a dropout when it arrives this much weaker than sent. */
const DROPOUT_DB = 20;
const SEG_MIN_DB = -10;
const SEG_MAX_DB = 35;

export function frameRms(x: ArrayLike<number>, frame: number): number {
  let s = 0;
  const start = frame * FRAME;
  for (let i = start; i < start + FRAME; i++) {
    const v = (x[i] as number | undefined) ?? 0;
    s += v * v;
  }
  return Math.sqrt(s / FRAME);
}

/** Per-frame flags: which 20 ms frames of `signal` carry speech. */
export function speechFrames(signal: ArrayLike<number>): boolean[] {
  const n = Math.floor(signal.length / FRAME);
  const rms = Array.from({ length: n }, (_, f) => frameRms(signal, f));
  const loudest = Math.max(0, ...rms);
  const floor = Math.max(32768 * 10 ** (SPEECH_FLOOR_DBOV / 20), loudest * 10 ** (-SPEECH_RANGE_DB / 20));
  return rms.map((r) => r > 0 && r >= floor);
}

/**
 * Compares `reference` with where it sits in `recording`. With `searchFrom`, the reference must start
 * at or after that sample: answers are found one after another, never before they were sent (plain
 * cross-correlation could otherwise line a louder later syllable of a cut-off answer up with the part
 * that was heard). Returns undefined when the reference carries no speech.
 */
export function compareSignals(reference: Int16Array, recording: ArrayLike<number>, searchFrom?: number): SignalComparison | undefined {
  const speech = speechFrames(reference);
  const speechCount = speech.filter(Boolean).length;
  if (speechCount === 0) return undefined;
  const from = Math.max(0, Math.floor(searchFrom ?? 0));
  const tail = sliceFrom(recording, from);
  const lag = estimateDelaySamples(reference, tail, Math.max(reference.length, tail.length), searchFrom === undefined ? undefined : 0);
  const offset = from + lag;
  const aligned = fractionalRead(recording, offset, reference.length);
  const frames = speech.length;
  const heard: boolean[] = new Array(frames).fill(false);
  let lastHeard = -1;
  for (let f = 0; f < frames; f++) {
    if (!speech[f]) continue;
    heard[f] = frameRms(aligned, f) >= frameRms(reference, f) * 10 ** (-DROPOUT_DB / 20);
    if (heard[f]) lastHeard = f;
  }
  let truncated = 0;
  for (let f = lastHeard + 1; f < frames; f++) if (speech[f]) truncated++;
  const span = (lastHeard + 1) * FRAME;
  // Best gain over the heard part, then signal and error energies.
  let dot = 0;
  let refEnergy = 0;
  for (let i = 0; i < span; i++) {
    dot += reference[i]! * aligned[i]!;
    refEnergy += reference[i]! * reference[i]!;
  }
  const gain = refEnergy > 0 ? dot / refEnergy : 0;
  let signal = 0;
  let noise = 0;
  let segSum = 0;
  let segCount = 0;
  for (let f = 0; f <= lastHeard; f++) {
    let fs = 0;
    let fn = 0;
    for (let i = f * FRAME; i < (f + 1) * FRAME; i++) {
      const s = gain * reference[i]!;
      const e = aligned[i]! - s;
      fs += s * s;
      fn += e * e;
    }
    signal += fs;
    noise += fn;
    if (speech[f]) {
      const db = fn === 0 ? SEG_MAX_DB : 10 * Math.log10(fs / fn);
      segSum += Math.min(SEG_MAX_DB, Math.max(SEG_MIN_DB, db));
      segCount++;
    }
  }
  let count = 0;
  let dropFrames = 0;
  for (let f = 0; f <= lastHeard; f++) {
    if (!speech[f] || heard[f]) continue;
    dropFrames++;
    // A new dropout starts where the previous speech frame was heard (silence between words does not join two).
    let g = f - 1;
    while (g >= 0 && !speech[g]) g--;
    if (g < 0 || heard[g]) count++;
  }
  const snr = lastHeard < 0 ? -Infinity : noise === 0 ? SNR_CAP_DB : Math.min(SNR_CAP_DB, 10 * Math.log10(signal / noise));
  return {
    offsetSamples: offset,
    gain,
    snrDb: snr,
    segSnrDb: segCount ? segSum / segCount : SEG_MIN_DB,
    speechFrames: speechCount,
    heardFrames: speech.filter((s, f) => s && heard[f]).length,
    dropouts: { count, ms: dropFrames * 20 },
    truncatedMs: truncated * 20,
    signalEnergy: signal,
    noiseEnergy: noise,
  };
}

function sliceFrom(x: ArrayLike<number>, from: number): ArrayLike<number> {
  return from === 0 ? x : sliceRange(x, from, x.length);
}

/** SNR in dB from summed energies, capped like snrDb. */
export function snrFromEnergies(signal: number, noise: number): number {
  if (signal === 0) return -Infinity;
  return noise === 0 ? SNR_CAP_DB : Math.min(SNR_CAP_DB, 10 * Math.log10(signal / noise));
}

/** Silence that separates two utterances, in frames (300 ms): where receivers adjust their delay. */
const UTTERANCE_GAP_FRAMES = 15;
/** How far an utterance may have moved from the stream's alignment, in frames (±80 ms). */
const UTTERANCE_SLACK_FRAMES = 4;

/** Sample ranges [start, end) of the reference's utterances: speech runs split by a long silence. */
export function utteranceSpans(reference: Int16Array): Array<[number, number]> {
  const speech = speechFrames(reference);
  const spans: Array<[number, number]> = [];
  let first = -1;
  let last = -1;
  for (let f = 0; f < speech.length; f++) {
    if (!speech[f]) continue;
    if (first >= 0 && f - last > UTTERANCE_GAP_FRAMES) {
      spans.push([first * FRAME, (last + 1) * FRAME]);
      first = -1;
    }
    if (first < 0) first = f;
    last = f;
  }
  if (first >= 0) spans.push([first * FRAME, (last + 1) * FRAME]);
  return spans;
}

/**
 * Aligned and segmental SNR with each utterance aligned on its own (as PESQ does), near where the
 * whole stream's alignment `offsetSamples` puts it. A receiver may drop or repeat a frame in a pause
 * to move its playout delay (a jitter buffer shrinking, RFC 3550 §6.4.1 receivers adapting): what
 * follows then sits 20 ms off, which one alignment for the whole stream would count as error for the
 * rest of the call although nothing was lost. Undefined when no utterance was found.
 */
export function utteranceSnr(reference: Int16Array, recording: ArrayLike<number>, offsetSamples: number): { snrDb: number; segSnrDb: number } | undefined {
  let signal = 0;
  let noise = 0;
  let segSum = 0;
  let segFrames = 0;
  const slack = UTTERANCE_SLACK_FRAMES * FRAME;
  for (const [start, end] of utteranceSpans(reference)) {
    const from = Math.max(0, Math.floor(start + offsetSamples - slack));
    const to = Math.min(recording.length, Math.ceil(end + offsetSamples + slack));
    if (to - from < end - start) continue;
    const c = compareSignals(reference.subarray(start, end), sliceRange(recording, from, to), 0);
    if (!c || c.heardFrames === 0) continue;
    signal += c.signalEnergy;
    noise += c.noiseEnergy;
    segSum += c.segSnrDb * c.heardFrames;
    segFrames += c.heardFrames;
  }
  if (segFrames === 0) return undefined;
  return { snrDb: snrFromEnergies(signal, noise), segSnrDb: segSum / segFrames };
}

function sliceRange(x: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  if (x instanceof Int16Array || x instanceof Float64Array) return x.subarray(from, to);
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => x[i + from] as number);
}
