/**
 * Which SSRC is "the caller" right now. RFC 3550 §8.2/A.1: a new SSRC is a new source that must pass
 * probation; when it does, we follow it and the media timeline re-syncs (a re-INVITE or an SBC
 * failover changed the sender, which is not a loss burst). While the current source is still
 * talking, a stray second SSRC is not allowed to take over: the switch waits until the current one
 * has been silent for more than a frame interval, so two interleaved streams cannot make us flap.
 */
import { FRAME_MS } from '../constants.js';
import { SourceState } from './source-state.js';

/**
 * - `media`: deliver to the jitter buffer.
 * - `media-resync`: a (new) source was validated or restarted; reset the playout timeline, then
 *   deliver (and replay the packet held just before, if it is this one's predecessor).
 * - `hold`: not validated yet (probation or an unconfirmed jump); keep it aside, do not play it.
 * - `duplicate`: already seen; drop.
 */
export type PacketVerdict = 'media' | 'media-resync' | 'hold' | 'duplicate';

export class SourceTracker {
  #currentSource: SourceState | undefined;
  #candidate: SourceState | undefined;
  #lastCurrentAtMs = Number.NEGATIVE_INFINITY;
  /** Times the stream followed a new SSRC (the first source is not a change). */
  ssrcChanges = 0;
  /** Packets of a validated second SSRC held back because the current one was still active. */
  competingPackets = 0;

  readonly #clockRate: number;

  constructor(clockRate: number) {
    this.#clockRate = clockRate;
  }

  get current(): SourceState | undefined {
    return this.#currentSource;
  }

  onPacket(ssrc: number, seq: number, timestamp: number, arrivalMs: number): PacketVerdict {
    const cur = this.#currentSource;
    if (cur !== undefined && cur.ssrc === ssrc) {
      this.#lastCurrentAtMs = arrivalMs;
      switch (cur.update(seq, timestamp, arrivalMs)) {
        case 'valid':
          return 'media';
        case 'restart':
          return 'media-resync';
        case 'duplicate':
          return 'duplicate';
        default:
          return 'hold';
      }
    }
    if (this.#candidate === undefined || this.#candidate.ssrc !== ssrc) {
      this.#candidate = new SourceState(ssrc, seq, this.#clockRate);
    }
    const cand = this.#candidate;
    const verdict = cand.update(seq, timestamp, arrivalMs);
    if (verdict === 'duplicate') return 'duplicate';
    if (!cand.validated || verdict === 'bad') return 'hold';
    if (cur !== undefined && arrivalMs - this.#lastCurrentAtMs <= FRAME_MS) {
      this.competingPackets++;
      return 'hold';
    }
    if (cur !== undefined) this.ssrcChanges++;
    this.#currentSource = cand;
    this.#candidate = undefined;
    this.#lastCurrentAtMs = arrivalMs;
    return 'media-resync';
  }

  /** Forget every source (re-INVITE with a new remote, or receiving switched off). */
  reset(): void {
    this.#currentSource = undefined;
    this.#candidate = undefined;
    this.#lastCurrentAtMs = Number.NEGATIVE_INFINITY;
  }
}
