import { eventToDigit, MAX_DTMF_EVENT } from './digits.js';
import { MAX_EVENT_DURATION_UNITS, parseDtmfPayloadInto, type DtmfPayload } from './event-payload.js';

/** One detected key press, reported once however many packets carried it. */
export interface DtmfDigitEvent {
  digit: string;
  durationMs: number;
  /** Power level in -dBm0 (0..63), from the last packet of the event. */
  volume: number;
  /** The event's RTP timestamp (all packets of one event share it, RFC 4733 §2.5.1.1). */
  startTimestamp: number;
}

/**
 * What the receiver saw, for metrics. Every packet is counted in `packets` and in exactly one of
 * malformed, unsupportedEvents, retransmissions, stale, accepted.
 */
export interface DtmfReceiverCounters {
  packets: number;
  /** Payload shorter than 4 bytes. */
  malformed: number;
  /** Event codes above 15 (hook flash, fax tones): not digits. */
  unsupportedEvents: number;
  /** Packets of an event already reported (the 3x end retransmissions, duplicates). */
  retransmissions: number;
  /** Late packets of an earlier event (reordered behind a newer one). */
  stale: number;
  /** Packets that started, continued or ended the event being tracked. */
  accepted: number;
  /** Events reported without any end packet (lost ends: flush() or a newer event). */
  endsLost: number;
}

const TIMESTAMP_HALF_RANGE = 0x80000000;
const SEQ_HALF_RANGE = 0x8000;

/** a is after b in RFC 1982 serial arithmetic over 32 bits. */
function timestampAfter(a: number, b: number): boolean {
  const d = (a - b) >>> 0;
  return d !== 0 && d < TIMESTAMP_HALF_RANGE;
}

/** a is after b in serial arithmetic over 16 bits. */
function seqAfter(a: number, b: number): boolean {
  const d = (a - b) & 0xffff;
  return d !== 0 && d < SEQ_HALF_RANGE;
}

/**
 * RFC 4733 §2.5.2 receiver for DTMF digits.
 *
 * An event is identified by its RTP timestamp: the start packet (marker set), continuation packets
 * with growing duration and the (usually three) end packets all carry the same timestamp. A digit is
 * reported once, on the first end packet; later packets with that timestamp are counted as
 * retransmissions. A packet with a newer timestamp starts a new event (if the previous one never
 * ended, it is reported first: its end packets were lost). A marker packet with the same timestamp
 * and a newer sequence number after an event ended is a new press by a sender that did not advance
 * the timestamp. Packets with an older timestamp are late leftovers of an earlier event.
 *
 * Long events (over 0xFFFF timestamp units, 8.2 s at 8 kHz) arrive in segments (§2.5.2.3): a new
 * timestamp exactly 0xFFFF after the previous segment, same event, no marker, previous segment not
 * ended. Those are folded into the same digit.
 *
 * Per packet this allocates nothing; one object is created per reported digit.
 */
export class DtmfReceiver {
  readonly #clockRate: number;
  readonly #scratch: DtmfPayload = { event: 0, end: false, volume: 0, duration: 0 };
  /** Reported digits not yet returned (at most two: an end-lost event and a one-packet event). */
  readonly #queue: DtmfDigitEvent[] = [];
  readonly #counters: DtmfReceiverCounters = {
    packets: 0,
    malformed: 0,
    unsupportedEvents: 0,
    retransmissions: 0,
    stale: 0,
    accepted: 0,
    endsLost: 0,
  };

  // The event being tracked (the most recent one). Flat fields rather than an object: no allocation.
  #tracking = false;
  #reported = false;
  #timestamp = 0;
  #event = 0;
  #volume = 0;
  /** Max duration seen in the current segment, timestamp units. */
  #duration = 0;
  /** Units of completed earlier segments of a long event. */
  #segmentBase = 0;
  #highestSeq = 0;

  constructor(clockRate = 8000) {
    if (!Number.isInteger(clockRate) || clockRate <= 0) throw new RangeError(`clockRate ${clockRate} must be a positive integer`);
    this.#clockRate = clockRate;
  }

  /** Live counters (read-only view). */
  get counters(): Readonly<DtmfReceiverCounters> {
    return this.#counters;
  }

  /**
   * True while a digit has started but neither ended nor been flushed: the caller arms a timeout
   * (a few hundred ms after the last packet) and calls flush() if nothing more arrives.
   */
  get hasPending(): boolean {
    return this.#queue.length > 0 || (this.#tracking && !this.#reported);
  }

  /**
   * Feeds one telephone-event RTP packet (payload after the RTP header). Returns a digit when this
   * packet completes one (or when an earlier completed digit is still queued), otherwise undefined.
   * Never throws on bad input: short payloads and non-digit events are counted and ignored.
   */
  push(payload: Uint8Array, rtpTimestamp: number, marker: boolean, seq: number): DtmfDigitEvent | undefined {
    this.#counters.packets++;
    const p = this.#scratch;
    if (!parseDtmfPayloadInto(payload, p)) {
      this.#counters.malformed++;
      return this.#queue.shift();
    }
    if (p.event > MAX_DTMF_EVENT) {
      this.#counters.unsupportedEvents++;
      return this.#queue.shift();
    }
    const ts = rtpTimestamp >>> 0;
    const sq = seq & 0xffff;

    if (!this.#tracking) {
      this.#begin(p, ts, sq);
    } else if (ts === this.#timestamp && p.event === this.#event) {
      if (this.#reported) {
        if (marker && seqAfter(sq, this.#highestSeq)) {
          // Same timestamp, fresh start after the end: a sender that reuses timestamps.
          this.#begin(p, ts, sq);
        } else {
          this.#counters.retransmissions++;
          if (seqAfter(sq, this.#highestSeq)) this.#highestSeq = sq;
        }
      } else {
        this.#continue(p, sq);
      }
    } else if (ts === this.#timestamp) {
      // Same timestamp, different digit: only a sender reusing timestamps does this.
      if (seqAfter(sq, this.#highestSeq)) {
        this.#finishUnended();
        this.#begin(p, ts, sq);
      } else {
        this.#counters.stale++;
      }
    } else if (timestampAfter(ts, this.#timestamp)) {
      if (this.#isNextSegment(p, ts, marker)) {
        this.#segmentBase += MAX_EVENT_DURATION_UNITS;
        this.#timestamp = ts;
        this.#duration = 0;
        this.#continue(p, sq);
      } else {
        this.#finishUnended();
        this.#begin(p, ts, sq);
      }
    } else {
      this.#counters.stale++;
    }
    return this.#queue.shift();
  }

  /**
   * Reports a digit whose end packets were all lost (call after a quiet timeout), or a digit still
   * queued. Returns undefined when nothing is pending. Later packets of a flushed event are counted
   * as retransmissions, so the digit is never reported twice.
   */
  flush(): DtmfDigitEvent | undefined {
    const queued = this.#queue.shift();
    if (queued !== undefined) return queued;
    if (this.#tracking && !this.#reported) {
      this.#counters.endsLost++;
      this.#report();
      return this.#queue.shift();
    }
    return undefined;
  }

  #begin(p: DtmfPayload, ts: number, seq: number): void {
    this.#tracking = true;
    this.#reported = false;
    this.#timestamp = ts;
    this.#event = p.event;
    this.#duration = 0;
    this.#segmentBase = 0;
    this.#highestSeq = seq;
    this.#continue(p, seq);
  }

  #continue(p: DtmfPayload, seq: number): void {
    this.#counters.accepted++;
    // Out-of-order continuation packets carry a smaller duration: keep the maximum.
    if (p.duration > this.#duration) this.#duration = p.duration;
    if (seqAfter(seq, this.#highestSeq) || seq === this.#highestSeq) {
      this.#highestSeq = seq;
      this.#volume = p.volume;
    }
    if (p.end) this.#report();
  }

  /** §2.5.2.3: the next segment of a long event starts exactly 0xFFFF units later, same event, no marker. */
  #isNextSegment(p: DtmfPayload, ts: number, marker: boolean): boolean {
    return (
      !marker &&
      !this.#reported &&
      p.event === this.#event &&
      this.#duration === MAX_EVENT_DURATION_UNITS &&
      ts === ((this.#timestamp + MAX_EVENT_DURATION_UNITS) >>> 0)
    );
  }

  /** The tracked event is being replaced before its end arrived: report it as end-lost. */
  #finishUnended(): void {
    if (this.#tracking && !this.#reported) {
      this.#counters.endsLost++;
      this.#report();
    }
  }

  #report(): void {
    this.#reported = true;
    const units = this.#segmentBase + this.#duration;
    this.#queue.push({
      // Only DTMF events (0..MAX_DTMF_EVENT) are ever tracked, so the digit exists.
      digit: eventToDigit(this.#event) as string,
      durationMs: Math.round((units * 1000) / this.#clockRate),
      volume: this.#volume,
      startTimestamp: (this.#timestamp - this.#segmentBase) >>> 0,
    });
  }
}
