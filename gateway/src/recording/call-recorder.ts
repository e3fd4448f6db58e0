/**
 * One call's recording, fed by the media taps (rtp/stages/media-tap.ts) on the media path:
 *
 * - agent (right): every packet the pacer sent, decoded, at the frame its media timestamp names
 *   relative to the first packet sent (RTP timestamps follow the shared scheduler's tick index);
 *   telephone-event packets are silence. Frame 0 is the first packet the gateway sent.
 * - caller (left): every audio packet as it arrived, decoded, at its place on the call's timeline:
 *   its RTP timestamp relative to the stream's, plus the smallest offset of arrival time over RTP time
 *   seen in the last two windows of 100 packets (arrival time on the same clock as frame 0). The
 *   earliest arrivals fix where the stream sits, so jitter does not smear it, a late packet lands at
 *   its own place (or is counted when it comes more than 500 ms late), a lost one leaves silence, and
 *   a slow drift between the two clocks is followed within two windows. A new SSRC or a jump of the
 *   timestamps by more than a second starts over.
 * - pause: every frame the pacer sends while paused is digital silence in both channels; the
 *   timeline goes on, so what follows still lines up with the wire.
 *
 * Nothing is allocated per packet: one decode buffer, the timeline's ring, the writer's chunk pool.
 */
import { ALAW_DECODE_TABLE, MULAW_DECODE_TABLE, type G711Name } from '../audio/index.js';
import type { Clock } from '../clock.js';
import type { MediaTap } from '../rtp/index.js';
import { StereoTimeline, type FrameSink } from './stereo-timeline.js';
import { FRAME_SAMPLES } from './wav-chunk-writer.js';

const SAMPLES_PER_MS = 8;
/** Packets per window of the caller's offset minimum. */
const OFFSET_WINDOW = 100;
/** An offset further than this from the current one is a new timeline, samples (1 s). */
const RESTART_SAMPLES = 8_000;
/** Largest caller payload decoded (a 60 ms packet is 480 bytes; more is cut). */
const MAX_CALLER_SAMPLES = 1_280;

export interface PauseSpan {
  /** Timeline ms where the pause starts / ends (end undefined while paused). */
  fromMs: number;
  toMs: number | undefined;
  reason: string;
}

export interface CallRecorderStats {
  /** Frames on the timeline (20 ms each). */
  frames: number;
  durationMs: number;
  callerPackets: number;
  /** Caller samples that arrived too late (or too far ahead) for their place. */
  callerSamplesOutsideWindow: number;
  /** True when the maximum duration cut the recording. */
  truncated: boolean;
}

export class CallRecorder implements MediaTap {
  readonly #clock: Clock;
  readonly #timeline: StereoTimeline;
  readonly #maxFrames: number;
  readonly #decoded = new Int16Array(MAX_CALLER_SAMPLES);
  readonly #pauses: PauseSpan[] = [];
  readonly #maxPauses: number;
  /** Why the recording is paused now (a tool call, DTMF collection): it records again when none is left. */
  readonly #pausedFor = new Set<string>();
  #paused = false;
  #stopped = false;
  // Agent side: the first packet's timestamp and clock time (frame 0), the last frame written.
  #agentTs0 = 0;
  #t0 = Number.NaN;
  #lastAgentFrame = -1;
  // Caller side.
  #ssrc = -1;
  #callerTs0 = 0;
  #offset = 0;
  #windowMin = Number.POSITIVE_INFINITY;
  #previousMin = Number.POSITIVE_INFINITY;
  #windowCount = 0;
  #callerPackets = 0;
  /** Pause/resume requests beyond `maxPauses` that could not be listed (the pause itself still applies). */
  pausesNotListed = 0;

  constructor(sink: FrameSink, clock: Clock, opts: { maxDurationMs: number; maxPauses?: number }) {
    this.#clock = clock;
    this.#maxFrames = Math.max(1, Math.floor(opts.maxDurationMs / 20));
    this.#maxPauses = opts.maxPauses ?? 100;
    this.#timeline = new StereoTimeline(sink, this.#maxFrames);
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Timeline position now, ms (the next frame the pacer sends). */
  get positionMs(): number {
    return (this.#lastAgentFrame + 1) * 20;
  }

  /** Pauses listed so far, in order. */
  get pauses(): readonly PauseSpan[] {
    return this.#pauses;
  }

  /**
   * Silence in both channels from the next frame sent, until every reason given is resumed (a tool's
   * pause outlives a DTMF collection inside it). Returns the timeline ms where the pause starts, or
   * undefined when it was already paused.
   */
  pause(reason: string): number | undefined {
    if (this.#stopped) return undefined;
    this.#pausedFor.add(reason);
    if (this.#paused) return undefined;
    this.#paused = true;
    const at = this.positionMs;
    if (this.#pauses.length < this.#maxPauses) this.#pauses.push({ fromMs: at, toMs: undefined, reason });
    else this.pausesNotListed++;
    return at;
  }

  /** Drops `reason`; records again from the next frame sent when no reason is left. Returns the timeline ms then, else undefined. */
  resume(reason: string): number | undefined {
    if (!this.#paused || this.#stopped || !this.#pausedFor.delete(reason) || this.#pausedFor.size > 0) return undefined;
    this.#paused = false;
    const at = this.positionMs;
    const open = this.#pauses.at(-1);
    if (open !== undefined && open.toMs === undefined) open.toMs = at;
    return at;
  }

  /** Ends the timeline: every frame up to the last one sent goes to the sink; later taps are ignored. */
  stop(): CallRecorderStats {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#timeline.flush();
      const open = this.#pauses.at(-1);
      if (open !== undefined && open.toMs === undefined) open.toMs = this.positionMs;
    }
    const frames = this.#timeline.frames;
    return {
      frames,
      durationMs: frames * 20,
      callerPackets: this.#callerPackets,
      callerSamplesOutsideWindow: this.#timeline.lateSamples + this.#timeline.earlySamples,
      truncated: frames >= this.#maxFrames,
    };
  }

  /** True once the maximum duration is reached (the owner finishes the file). */
  get full(): boolean {
    return this.#timeline.full;
  }

  agent(audio: boolean, bytes: Uint8Array, start: number, end: number, law: G711Name, timestamp: number): void {
    if (this.#stopped) return;
    let frame: number;
    if (Number.isNaN(this.#t0)) {
      if (!audio) return; // the timeline starts with the first audio packet (a call never starts with a key)
      this.#t0 = this.#clock.now();
      this.#agentTs0 = timestamp;
      frame = 0;
    } else if (audio) {
      frame = Math.floor(((timestamp - this.#agentTs0) >>> 0) / FRAME_SAMPLES);
      // A timestamp behind frame 0 (wrap arithmetic gives a huge value): ignore the packet.
      if (frame > this.#lastAgentFrame + 0x100000) return;
    } else {
      frame = this.#lastAgentFrame + 1;
    }
    if (audio) {
      const n = this.#decode(bytes, start, Math.min(end - start, FRAME_SAMPLES), law);
      this.#decoded.fill(0, n, FRAME_SAMPLES);
      this.#timeline.agent(frame, this.#decoded, this.#paused);
    } else {
      this.#timeline.agent(frame, undefined, this.#paused);
    }
    if (frame > this.#lastAgentFrame) this.#lastAgentFrame = frame;
  }

  caller(bytes: Uint8Array, start: number, end: number, law: G711Name, timestamp: number, ssrc: number, arrivalMs: number): void {
    if (this.#stopped || Number.isNaN(this.#t0)) return;
    this.#callerPackets++;
    const arrival = Math.round((arrivalMs - this.#t0) * SAMPLES_PER_MS);
    if (ssrc !== this.#ssrc) this.#restart(ssrc, timestamp, arrival);
    let rel = (timestamp - this.#callerTs0) | 0;
    let offset = arrival - rel;
    if (Math.abs(offset - this.#offset) > RESTART_SAMPLES) {
      this.#restart(ssrc, timestamp, arrival);
      rel = 0;
      offset = arrival;
    }
    if (offset < this.#windowMin) this.#windowMin = offset;
    if (++this.#windowCount >= OFFSET_WINDOW) {
      this.#previousMin = this.#windowMin;
      this.#windowMin = Number.POSITIVE_INFINITY;
      this.#windowCount = 0;
    }
    this.#offset = Math.min(this.#windowMin, this.#previousMin);
    const n = this.#decode(bytes, start, Math.min(end - start, MAX_CALLER_SAMPLES), law);
    this.#timeline.caller(this.#offset + rel, this.#decoded, n);
  }

  /** G.711 `bytes[start, start + n)` into the one decode buffer; returns n. */
  #decode(bytes: Uint8Array, start: number, n: number, law: G711Name): number {
    const table = law === 'PCMU' ? MULAW_DECODE_TABLE : ALAW_DECODE_TABLE;
    const out = this.#decoded;
    for (let i = 0; i < n; i++) out[i] = table[bytes[start + i] as number] as number;
    return n;
  }

  #restart(ssrc: number, timestamp: number, arrival: number): void {
    this.#ssrc = ssrc;
    this.#callerTs0 = timestamp;
    this.#offset = arrival;
    this.#windowMin = arrival;
    this.#previousMin = Number.POSITIVE_INFINITY;
    this.#windowCount = 0;
  }
}
