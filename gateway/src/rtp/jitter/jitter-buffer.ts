/**
 * Adaptive playout buffer for one inbound G.711 stream. Packets go in as they arrive (any order,
 * any packet size); on each 20 ms scheduler tick at most one frame of 160 samples comes out, in
 * timestamp order, with no holes inside a talkspurt.
 *
 * Storage is a sample ring addressed relative to the playout point (`playTs`), so 32-bit timestamp
 * wrap needs no special case and packets of 10/20/30 ms all land where they belong.
 *
 * Rules at each tick, for the frame at `playTs` (the head):
 *  1. Not playing yet (start, or after an underrun): wait until the buffered span reaches the target
 *     delay, or the oldest buffered audio has waited that long; nothing comes out meanwhile.
 *  2. Head complete: it comes out unchanged (an uninterrupted stream is byte-identical).
 *  3. Head missing and a later packet is present, so the loss is proven: conceal it with the
 *     LossConcealer on PCM and re-encode with the stream's codec. A gap longer than `maxConcealMs`
 *     is skipped instead (concealment that long is worse than a jump).
 *  4. Head missing and nothing later: underrun. Output stops and nothing is invented. If the stream
 *     just stopped (end of talkspurt, hold, hang-up) there is no endless concealed tail and nothing
 *     counts as loss; if the packet was only delayed, it plays when it comes (byte-identical still).
 *  5. A hole the sender meant (timestamp jump with contiguous sequence numbers, or marker bit:
 *     silence suppression, RFC 3551 §4.1) is skipped without concealment.
 *
 * Adaptation: the target delay is the minimum plus the measured delay spread (DelayEstimator),
 * rounded to frames and capped at the maximum. Delay grows by itself at underruns (waiting is
 * growing). It shrinks by dropping one quiet frame when the buffer has stayed at least two frames
 * above target for two seconds, and is hard-capped: past `maxDelayMs` the oldest frames go.
 *
 * The frame object handed out is reused for every tick: copy what you keep.
 */
import type { G711Codec } from '../../audio/index.js';
import { FRAME_MS, FRAME_SAMPLES, G711_CLOCK_RATE } from '../constants.js';
import { DelayEstimator } from './delay-estimator.js';

/** What fills a lost frame; `LossConcealer` from the audio layer fits. */
export interface FrameConcealer {
  /** Every good frame, in order (may smooth it in place right after a loss). */
  good(frame: Int16Array): void;
  /** Writes a synthetic continuation for one lost frame. */
  conceal(out: Int16Array): void;
}

export interface JitterBufferOptions {
  codec: G711Codec;
  concealer: FrameConcealer;
  /** Lower bound of the target delay, ms (default 20). */
  minDelayMs?: number;
  /** Upper bound: buffered audio beyond this is dropped, ms (default 200). */
  maxDelayMs?: number;
  /** Longest run of lost frames that is concealed rather than skipped, ms (default 100). */
  maxConcealMs?: number;
}

export interface JitterFrame {
  /** 160 G.711 bytes in the stream's codec. */
  readonly payload: Uint8Array;
  /** The same 20 ms as 16-bit PCM at 8 kHz. */
  readonly pcm: Int16Array;
  /** True when synthesised by loss concealment (fully or partly). */
  concealed: boolean;
  /** RTP timestamp of the first sample. */
  timestamp: number;
}

export interface JitterBufferStats {
  framesOut: number;
  concealedFrames: number;
  lateDrops: number;
  duplicates: number;
  underruns: number;
  /** Frames dropped to keep the delay under the maximum (bursts, ring overflow). */
  overflowDrops: number;
  /** Quiet frames dropped to bring the delay back down to target. */
  shrinkDrops: number;
  /** Empty frame slots passed over without output (gap longer than maxConcealMs, or dropped to make room). */
  skippedFrames: number;
  /** Intended timestamp gaps (silence suppression) passed over. */
  talkspurtGaps: number;
  /** Timeline re-anchors (stream restart, large jump, persistent lateness). */
  resyncs: number;
  targetDelayMs: number;
  bufferedMs: number;
}

export type PushResult = 'stored' | 'duplicate' | 'late' | 'empty';

export const DEFAULT_MIN_DELAY_MS = 20;
export const DEFAULT_MAX_DELAY_MS = 200;
export const DEFAULT_MAX_CONCEAL_MS = 100;
/** Extra ring room beyond the maximum delay, so a burst is trimmed at tick time rather than lost on arrival. */
const RING_SLACK_FRAMES = 8;
/** This many wholly-late packets in a row (100 ms of audio), rising, with nothing newer buffered, mean our timeline is wrong. */
const LATE_RUN_RESYNC = 5;
/**
 * Ticks the buffer must stay >= 2 frames above target before one quiet frame is dropped. One frame of
 * excess is never shrunk: it is the phase margin a single underrun buys, and removing it would trade a
 * byte-exact stream for a few ms.
 */
const SHRINK_WINDOW_TICKS = 100;
/** A frame whose peak is below this (about -36 dBFS) is quiet enough to drop unheard. */
const QUIET_PEAK = 512;

/**
 * A tick this late means our process stalled (GC, a blocking call, an overloaded core), not that the
 * network jittered: two periods, beyond the scheduler's ordinary timer slack.
 */
const STALL_MS = 2 * FRAME_MS;
/** Packets read this soon after a stalled tick were queued during the stall. */
const STALL_GRACE_MS = FRAME_MS / 2;

const SLOT_EMPTY = 0;
/** The sender skipped this frame on purpose (silence suppression): pass over it, never conceal. */
const SLOT_SKIP = 1;

export class JitterBuffer {
  readonly #codec: G711Codec;
  readonly #concealer: FrameConcealer;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly #maxConcealFrames: number;
  readonly #capFrames: number;
  readonly #capSamples: number;
  readonly #data: Uint8Array;
  readonly #have: Uint8Array;
  readonly #fill: Uint16Array;
  readonly #slot: Uint8Array;
  readonly #estimator = new DelayEstimator(G711_CLOCK_RATE);
  readonly #frame: JitterFrame;
  readonly #scratchPcm = new Int16Array(FRAME_SAMPLES);

  #anchored = false;
  #playing = false;
  #playTs = 0;
  #headFrame = 0;
  /** Samples from playTs to the end of the furthest data (0 when nothing ahead). */
  #ahead = 0;
  /** Sequence number of the packet that set `ahead` (for telling intended gaps from loss). */
  #aheadSeq = 0;
  #lateRun = 0;
  #lastLateTs = 0;
  /** How far behind the playout point the last late packet started, samples. */
  #lastLateSamples = 0;
  /** Ticks spent waiting (not playing) with audio buffered. */
  #waitTicks = 0;
  #afterLoss = false;
  #shrinkTicks = 0;
  #counters = {
    framesOut: 0,
    concealedFrames: 0,
    lateDrops: 0,
    duplicates: 0,
    underruns: 0,
    overflowDrops: 0,
    shrinkDrops: 0,
    skippedFrames: 0,
    talkspurtGaps: 0,
    resyncs: 0,
  };

  constructor(opts: JitterBufferOptions) {
    this.#codec = opts.codec;
    this.#concealer = opts.concealer;
    this.minDelayMs = opts.minDelayMs ?? DEFAULT_MIN_DELAY_MS;
    this.maxDelayMs = opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    const maxConcealMs = opts.maxConcealMs ?? DEFAULT_MAX_CONCEAL_MS;
    if (!(this.minDelayMs >= 0 && this.maxDelayMs >= this.minDelayMs && this.maxDelayMs <= 2000)) {
      throw new RangeError(`jitter bounds must satisfy 0 <= min <= max <= 2000 ms, got ${this.minDelayMs}..${this.maxDelayMs}`);
    }
    if (!(maxConcealMs >= 0)) throw new RangeError(`maxConcealMs must be >= 0, got ${maxConcealMs}`);
    this.#maxConcealFrames = Math.floor(maxConcealMs / FRAME_MS);
    this.#capFrames = Math.ceil(this.maxDelayMs / FRAME_MS) + RING_SLACK_FRAMES;
    this.#capSamples = this.#capFrames * FRAME_SAMPLES;
    this.#data = new Uint8Array(this.#capSamples);
    this.#have = new Uint8Array(this.#capSamples);
    this.#fill = new Uint16Array(this.#capFrames);
    this.#slot = new Uint8Array(this.#capFrames);
    this.#frame = { payload: new Uint8Array(FRAME_SAMPLES), pcm: new Int16Array(FRAME_SAMPLES), concealed: false, timestamp: 0 };
  }

  /** Current target delay, ms: min + measured spread (whole frames), capped at max. */
  get targetDelayMs(): number {
    const extra = Math.round(this.#estimator.spreadMs / FRAME_MS) * FRAME_MS;
    return Math.min(this.maxDelayMs, Math.max(this.minDelayMs, this.minDelayMs + extra));
  }

  get bufferedMs(): number {
    return this.#anchored ? (this.#ahead * 1000) / G711_CLOCK_RATE : 0;
  }

  get isPlaying(): boolean {
    return this.#playing;
  }

  stats(): JitterBufferStats {
    return { ...this.#counters, targetDelayMs: this.targetDelayMs, bufferedMs: this.bufferedMs };
  }

  /** Drop everything and forget the timeline (new source, sequence restart, receive switched off). */
  reset(): void {
    if (this.#anchored) this.#counters.resyncs++;
    this.#anchored = false;
    this.#playing = false;
    this.#ahead = 0;
    this.#lateRun = 0;
    this.#shrinkTicks = 0;
    this.#have.fill(0);
    this.#fill.fill(0);
    this.#slot.fill(SLOT_EMPTY);
    this.#estimator.resetTimeline();
  }

  /** One received packet. `payload` is copied; the caller may reuse its buffer. */
  push(seq: number, timestamp: number, marker: boolean, payload: Uint8Array, arrivalMs: number): PushResult {
    const len = payload.length;
    if (len === 0) return 'empty';
    const result = this.#place(seq, timestamp, marker, payload);
    // Late packets count too (they are the ones that say the delay is too short), unless they are
    // later than any buffer could absorb: that is a timeline jump, not jitter. Duplicates do not.
    const plausible = result !== 'late' || this.#lastLateSamples <= (this.maxDelayMs * G711_CLOCK_RATE) / 1000;
    if (result !== 'duplicate' && plausible) this.#estimator.onPacket(timestamp, arrivalMs);
    return result;
  }

  #place(seq: number, timestamp: number, marker: boolean, payload: Uint8Array): PushResult {
    const len = payload.length;
    if (!this.#anchored) {
      this.#anchor(timestamp, seq);
      return this.#store(seq, 0, payload);
    }
    let off = (timestamp - this.#playTs) | 0;
    if (off + len <= 0) {
      this.#counters.lateDrops++;
      this.#lastLateSamples = -off;
      // Stragglers are late once each. A run of late packets with rising timestamps while nothing
      // newer is buffered means the sender's timeline moved back under us: follow it.
      if (this.#lateRun === 0 || ((timestamp - this.#lastLateTs) | 0) > 0) this.#lateRun++;
      this.#lastLateTs = timestamp;
      if (this.#lateRun < LATE_RUN_RESYNC || this.#ahead > 0) return 'late';
      this.#counters.resyncs++;
      this.#estimator.resetTimeline();
      this.#anchor(timestamp, seq);
      return this.#store(seq, 0, payload);
    }
    this.#lateRun = 0;
    if (off > this.#ahead) {
      const intended = marker || seq === ((this.#aheadSeq + 1) & 0xffff);
      if (intended && (this.#ahead === 0 || off + len > this.#capSamples)) {
        // A new talkspurt with nothing left of the old one (or too far to keep both): start afresh.
        if (this.#ahead > 0) this.#counters.overflowDrops += this.#framesWithData();
        this.#counters.talkspurtGaps++;
        this.#anchor(timestamp, seq);
        return this.#store(seq, 0, payload);
      }
      if (intended) {
        this.#markSkip(this.#ahead, off);
        this.#counters.talkspurtGaps++;
      }
    }
    if (off + len > this.#capSamples) {
      const excess = off + len - this.#capSamples;
      if (excess >= this.#capSamples / 2) {
        // A jump, not a burst: re-anchor on the new timeline.
        this.#counters.overflowDrops += this.#framesWithData();
        this.#counters.resyncs++;
        this.#estimator.resetTimeline();
        this.#anchor(timestamp, seq);
        return this.#store(seq, 0, payload);
      }
      this.#dropHead(Math.ceil(excess / FRAME_SAMPLES), 'overflow');
      off = (timestamp - this.#playTs) | 0;
      if (off + len <= 0) return 'late';
    }
    return this.#store(seq, off, payload);
  }

  /**
   * A packet of the same stream that carries no audio (an RFC 4733 event) used `seq`: the timestamp
   * gap it leaves in the audio is intended, not loss.
   */
  noteForeignSequence(seq: number): void {
    if (seq === ((this.#aheadSeq + 1) & 0xffff)) this.#aheadSeq = seq;
  }

  /**
   * One scheduler tick: the next 20 ms frame, or undefined when nothing should play (not started,
   * waiting after an underrun, or no stream).
   *
   * `nowMs` and `lateMs` (how late this tick runs, counting periods the scheduler skipped) tell a
   * stall of our own process from network jitter: the caller's packets for the periods we are behind
   * are due, not delay, so they do not count against the maximum; and packets read during a stall
   * carry our read time, so they must not teach the delay estimator (STALL_MS).
   */
  tick(nowMs?: number, lateMs = 0): JitterFrame | undefined {
    if (nowMs !== undefined) {
      if (lateMs >= STALL_MS) this.#estimator.discardStall(nowMs, STALL_GRACE_MS);
      else this.#estimator.checkpoint();
    }
    if (!this.#anchored) return undefined;
    const targetSamples = (this.targetDelayMs * G711_CLOCK_RATE) / 1000;
    if (!this.#playing) {
      if (this.#ahead === 0) return undefined;
      // Start when the target depth is buffered, or when the oldest audio has waited the target
      // delay anyway (the end of a talkspurt must play out even if it is shorter than the target).
      this.#waitTicks++;
      if (this.#ahead < targetSamples && this.#waitTicks * FRAME_MS < this.targetDelayMs) return undefined;
      this.#playing = true;
      this.#waitTicks = 0;
    }
    this.#enforceBounds(targetSamples, lateMs);
    // Bounded: each pass consumes a frame slot, and there are capFrames of them.
    for (let guard = 0; guard <= this.#capFrames; guard++) {
      const h = this.#headFrame;
      if (this.#fill[h] === FRAME_SAMPLES) return this.#emitGood();
      if (this.#slot[h] === SLOT_SKIP && this.#fill[h] === 0) {
        this.#advance();
        continue;
      }
      if (this.#ahead <= FRAME_SAMPLES) {
        // Nothing after the head: the stream stopped or is late. Stop and wait; invent nothing.
        this.#counters.underruns++;
        this.#playing = false;
        return undefined;
      }
      // A later packet exists, so the head is lost.
      if (this.#fill[h] === 0) {
        const gap = this.#missingRun();
        if (gap > this.#maxConcealFrames) {
          this.#counters.skippedFrames += gap;
          for (let i = 0; i < gap; i++) this.#advance();
          continue;
        }
      }
      return this.#emitConcealed();
    }
    return undefined;
  }

  #anchor(timestamp: number, seq: number): void {
    this.#have.fill(0);
    this.#fill.fill(0);
    this.#slot.fill(SLOT_EMPTY);
    this.#anchored = true;
    this.#playing = false;
    this.#playTs = timestamp >>> 0;
    this.#headFrame = 0;
    this.#ahead = 0;
    this.#aheadSeq = seq;
    this.#lateRun = 0;
    this.#shrinkTicks = 0;
    this.#waitTicks = 0;
  }

  #store(seq: number, off: number, payload: Uint8Array): PushResult {
    const len = payload.length;
    let newSamples = 0;
    let first = 0;
    if (off < 0) first = -off; // partly late: keep the part still ahead
    // Bounded by len (<= MAX_DATAGRAM).
    for (let i = first; i < len; i++) {
      const rel = off + i;
      const idx = (this.#headFrame * FRAME_SAMPLES + rel) % this.#capSamples;
      if (this.#have[idx] === 0) {
        this.#have[idx] = 1;
        this.#data[idx] = payload[i] as number;
        const f = (idx / FRAME_SAMPLES) | 0;
        this.#fill[f] = (this.#fill[f] as number) + 1;
        newSamples++;
      }
    }
    if (newSamples === 0) {
      this.#counters.duplicates++;
      return 'duplicate';
    }
    if (off + len > this.#ahead) {
      this.#ahead = off + len;
      this.#aheadSeq = seq;
    }
    return 'stored';
  }

  /** Marks whole frames inside [fromRel, toRel) as intentionally empty. */
  #markSkip(fromRel: number, toRel: number): void {
    const firstFrame = Math.ceil(fromRel / FRAME_SAMPLES);
    const endFrame = Math.floor(toRel / FRAME_SAMPLES);
    for (let k = firstFrame; k < endFrame && k < this.#capFrames; k++) {
      this.#slot[(this.#headFrame + k) % this.#capFrames] = SLOT_SKIP;
    }
  }

  /** Consecutive empty, non-skip frames from the head (bounded by the ring). */
  #missingRun(): number {
    let n = 0;
    for (let k = 0; k < this.#capFrames && k * FRAME_SAMPLES < this.#ahead; k++) {
      const f = (this.#headFrame + k) % this.#capFrames;
      if (this.#fill[f] !== 0 || this.#slot[f] === SLOT_SKIP) break;
      n++;
    }
    return n;
  }

  #framesWithData(): number {
    let n = 0;
    for (let f = 0; f < this.#capFrames; f++) if (this.#fill[f] !== 0) n++;
    return n;
  }

  /** Moves the playout point one frame on, clearing the slot it leaves. */
  #advance(): void {
    const h = this.#headFrame;
    const base = h * FRAME_SAMPLES;
    this.#have.fill(0, base, base + FRAME_SAMPLES);
    this.#fill[h] = 0;
    this.#slot[h] = SLOT_EMPTY;
    this.#headFrame = (h + 1) % this.#capFrames;
    this.#playTs = (this.#playTs + FRAME_SAMPLES) >>> 0;
    this.#ahead = Math.max(0, this.#ahead - FRAME_SAMPLES);
  }

  #dropHead(frames: number, why: 'overflow' | 'shrink'): void {
    for (let i = 0; i < frames && i < this.#capFrames; i++) {
      if (this.#fill[this.#headFrame] === 0) this.#counters.skippedFrames++;
      else if (why === 'overflow') this.#counters.overflowDrops++;
      else this.#counters.shrinkDrops++;
      this.#advance();
    }
  }

  /** Hard cap at maxDelay; soft shrink towards target through quiet frames. */
  #enforceBounds(targetSamples: number, lateMs: number): void {
    const dueSamples = Math.floor(Math.max(0, lateMs) / FRAME_MS) * FRAME_SAMPLES;
    const maxSamples = (this.maxDelayMs * G711_CLOCK_RATE) / 1000 + FRAME_SAMPLES + dueSamples;
    if (this.#ahead > maxSamples) {
      this.#dropHead(Math.ceil((this.#ahead - maxSamples) / FRAME_SAMPLES), 'overflow');
      this.#shrinkTicks = 0;
      return;
    }
    if (this.#ahead >= targetSamples + 2 * FRAME_SAMPLES) {
      this.#shrinkTicks++;
    } else {
      this.#shrinkTicks = 0;
    }
    if (this.#shrinkTicks >= SHRINK_WINDOW_TICKS && this.#fill[this.#headFrame] === FRAME_SAMPLES && this.#headIsQuiet()) {
      this.#dropHead(1, 'shrink');
      this.#shrinkTicks = 0;
    }
  }

  #headIsQuiet(): boolean {
    const base = this.#headFrame * FRAME_SAMPLES;
    this.#codec.decode(this.#data.subarray(base, base + FRAME_SAMPLES), this.#scratchPcm, FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      const v = this.#scratchPcm[i] as number;
      if (v > QUIET_PEAK || v < -QUIET_PEAK) return false;
    }
    return true;
  }

  #emitGood(): JitterFrame {
    const f = this.#frame;
    const base = this.#headFrame * FRAME_SAMPLES;
    const payload = f.payload;
    const data = this.#data;
    // A plain loop: set(subarray()) would allocate a view per frame.
    for (let i = 0; i < FRAME_SAMPLES; i++) payload[i] = data[base + i] as number;
    this.#codec.decode(payload, f.pcm, FRAME_SAMPLES);
    this.#concealer.good(f.pcm);
    // Right after a loss the concealer may cross-fade this frame in place; keep both views in step.
    if (this.#afterLoss) {
      this.#codec.encode(f.pcm, f.payload, FRAME_SAMPLES);
      this.#codec.decode(f.payload, f.pcm, FRAME_SAMPLES);
    }
    this.#afterLoss = false;
    f.concealed = false;
    f.timestamp = this.#playTs;
    this.#counters.framesOut++;
    this.#advance();
    return f;
  }

  #emitConcealed(): JitterFrame {
    const f = this.#frame;
    const h = this.#headFrame;
    this.#concealer.conceal(f.pcm);
    this.#codec.encode(f.pcm, f.payload, FRAME_SAMPLES);
    if (this.#fill[h] !== 0) {
      // Partly present (odd packet sizes): real samples win over synthetic ones.
      const base = h * FRAME_SAMPLES;
      for (let i = 0; i < FRAME_SAMPLES; i++) if (this.#have[base + i] === 1) f.payload[i] = this.#data[base + i] as number;
    }
    // Both views carry the same signal: the PCM is what the G.711 bytes decode to.
    this.#codec.decode(f.payload, f.pcm, FRAME_SAMPLES);
    this.#afterLoss = true;
    f.concealed = true;
    f.timestamp = this.#playTs;
    this.#counters.concealedFrames++;
    this.#advance();
    return f;
  }
}
