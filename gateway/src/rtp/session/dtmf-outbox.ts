/**
 * Outbound DTMF digits waiting for the pacer. A digit occupies consecutive 20 ms ticks (RFC 4733
 * packets replace audio packets, so the agent's audio pauses, and resumes where it stopped); all of
 * a digit's packets carry the timestamp of the tick it started on. Consecutive digits are separated
 * by a short gap of normal audio so receivers that need an inter-digit pause (most IVRs) see one.
 */
import { DtmfSender, type DtmfPacketPlan } from '../dtmf/index.js';

/** Ticks of audio between two digits (60 ms, above the 40 ms most detectors ask for). */
export const INTER_DIGIT_GAP_TICKS = 3;

interface QueuedDigit {
  packets: DtmfPacketPlan[];
  resolve: (sent: boolean) => void;
}

export class DtmfOutbox {
  readonly #queue: QueuedDigit[] = [];
  #current: QueuedDigit | undefined;
  #index = 0;
  #timestamp = 0;
  #gapTicks = 0;
  /** Timestamp of the packet returned by the last `next` (valid while it returned a packet). */
  eventTimestamp = 0;
  digitsSent = 0;

  readonly #sender: DtmfSender;

  constructor(sender: DtmfSender) {
    this.#sender = sender;
  }

  /** Queues a digit; throws RangeError for a non-digit or a duration out of range. Resolves true once sent. */
  enqueue(digit: string, durationMs: number): Promise<boolean> {
    const packets = this.#sender.plan(digit, durationMs);
    return new Promise((resolve) => this.#queue.push({ packets, resolve }));
  }

  get busy(): boolean {
    return this.#current !== undefined || this.#queue.length > 0;
  }

  /**
   * The packet to send on this tick instead of audio (its RTP timestamp is in `eventTimestamp`),
   * or undefined when audio should go out.
   */
  next(tickTimestamp: number): DtmfPacketPlan | undefined {
    if (this.#current === undefined) {
      if (this.#gapTicks > 0) {
        this.#gapTicks--;
        return undefined;
      }
      const queued = this.#queue.shift();
      if (queued === undefined) return undefined;
      this.#current = queued;
      this.#index = 0;
      this.#timestamp = tickTimestamp;
    }
    const cur = this.#current;
    const packet = cur.packets[this.#index++] as DtmfPacketPlan;
    this.eventTimestamp = this.#timestamp;
    if (this.#index >= cur.packets.length) {
      this.#current = undefined;
      this.#gapTicks = INTER_DIGIT_GAP_TICKS;
      this.digitsSent++;
      cur.resolve(true);
    }
    return packet;
  }

  /** Abandons the digit in progress and every queued one (hold, close): their promises resolve false. */
  cancelAll(): void {
    const cur = this.#current;
    this.#current = undefined;
    cur?.resolve(false);
    for (const q of this.#queue.splice(0)) q.resolve(false);
  }
}
