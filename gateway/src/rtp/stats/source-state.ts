/**
 * Receive state of one RTP source (one SSRC), RFC 3550 Appendix A:
 *  - A.1 sequence validation: a new source is on probation until MIN_SEQUENTIAL packets arrive in
 *    sequence; a jump beyond MAX_DROPOUT is believed only when the next packet follows it (the sender
 *    restarted), otherwise it is a stray; 16-bit wrap is counted in `cycles`.
 *  - A.3 expected / lost / fraction lost, per report interval.
 *  - A.8 interarrival jitter, with 32-bit timestamp wrap handled by signed differences.
 * Beyond the RFC we classify each packet (duplicate / reordered) with a small window of recently seen
 * extended sequence numbers, so the quality stats can tell loss from reordering from duplication.
 */

export const RTP_SEQ_MOD = 1 << 16;
export const MAX_DROPOUT = 3000;
export const MAX_MISORDER = 100;
export const MIN_SEQUENTIAL = 2;
/** Recently seen extended sequence numbers kept for duplicate detection (> MAX_MISORDER). */
const SEEN_WINDOW = 128;

/**
 * What one packet means for the stream:
 * - `probation`: source not yet validated (A.1); the packet is not counted.
 * - `valid`: in sequence or an acceptable reorder; counted.
 * - `restart`: the sender restarted its sequence (two sequential packets after a big jump); the
 *   state was re-initialised from this packet and it is counted. The media timeline must re-sync.
 * - `bad`: a big jump not (yet) confirmed; not counted.
 * - `duplicate`: a sequence number seen recently; counted in `received` as A.3 does, but not media.
 */
export type SeqVerdict = 'probation' | 'valid' | 'restart' | 'bad' | 'duplicate';

export interface SourceReport {
  fractionLost: number;
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** A.8 jitter in timestamp units (truncated to an integer as it goes on the wire). */
  jitter: number;
}

export class SourceState {
  readonly ssrc: number;
  readonly clockRate: number;
  // A.1 state
  #maxSeq = 0;
  #cycles = 0;
  #baseSeq = 0;
  #badSeq = RTP_SEQ_MOD + 1;
  #probation = MIN_SEQUENTIAL;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  // A.8 state
  #jitterTs = 0;
  #lastArrivalTs = 0;
  #lastTimestamp = 0;
  #haveTransit = false;
  // classification beyond A.1
  readonly #seen = new Float64Array(SEEN_WINDOW).fill(-1);
  duplicates = 0;
  reordered = 0;
  restarts = 0;
  /** Packets dropped by A.1 as unconfirmed jumps. */
  badSequence = 0;

  constructor(ssrc: number, firstSeq: number, clockRate: number) {
    this.ssrc = ssrc;
    this.clockRate = clockRate;
    this.#initSeq(firstSeq);
    this.#maxSeq = (firstSeq - 1) & 0xffff;
  }

  get validated(): boolean {
    return this.#probation === 0;
  }

  #initSeq(seq: number): void {
    this.#baseSeq = seq;
    this.#maxSeq = seq;
    this.#badSeq = RTP_SEQ_MOD + 1;
    this.#cycles = 0;
    this.#received = 0;
    this.#receivedPrior = 0;
    this.#expectedPrior = 0;
    this.#seen.fill(-1);
    this.#haveTransit = false;
  }

  /** A.1 update_seq plus duplicate/reorder classification and A.8 jitter. `arrivalMs` is monotonic. */
  update(seq: number, timestamp: number, arrivalMs: number): SeqVerdict {
    const udelta = (seq - this.#maxSeq) & 0xffff;
    if (this.#probation > 0) {
      if (seq === ((this.#maxSeq + 1) & 0xffff)) {
        this.#probation--;
        this.#maxSeq = seq;
        if (this.#probation === 0) {
          this.#initSeq(seq);
          this.#accept(seq, timestamp, arrivalMs);
          return 'valid';
        }
      } else {
        this.#probation = MIN_SEQUENTIAL - 1;
        this.#maxSeq = seq;
      }
      return 'probation';
    }
    if (udelta < MAX_DROPOUT) {
      // In order, with a permissible gap.
      if (seq < this.#maxSeq) this.#cycles += RTP_SEQ_MOD;
      this.#maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A very large jump: believe it only if the next packet follows it.
      if (seq === this.#badSeq) {
        this.#initSeq(seq);
        this.restarts++;
        this.#accept(seq, timestamp, arrivalMs);
        return 'restart';
      }
      this.#badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
      this.badSequence++;
      return 'bad';
    } else {
      // Behind max_seq by < MAX_MISORDER: duplicate or reordered (classified below).
    }
    return this.#accept(seq, timestamp, arrivalMs);
  }

  #extended(seq: number): number {
    // maxSeq/cycles are already updated for packets ahead; packets behind may belong to the previous cycle.
    const behindWrap = seq > this.#maxSeq && seq - this.#maxSeq > RTP_SEQ_MOD / 2;
    return this.#cycles + seq - (behindWrap ? RTP_SEQ_MOD : 0);
  }

  #accept(seq: number, timestamp: number, arrivalMs: number): 'valid' | 'duplicate' {
    this.#received++;
    const ext = this.#extended(seq);
    const slot = ext % SEEN_WINDOW;
    if (this.#seen[slot] === ext) {
      this.duplicates++;
      return 'duplicate';
    }
    this.#seen[slot] = ext;
    if (ext < this.#cycles + this.#maxSeq) this.reordered++;
    this.#updateJitter(timestamp, arrivalMs);
    return 'valid';
  }

  /** A.8: J += (|D(i-1,i)| - J) / 16, with D from consecutive arrivals in timestamp units. */
  #updateJitter(timestamp: number, arrivalMs: number): void {
    const arrivalTs = (arrivalMs * this.clockRate) / 1000;
    if (this.#haveTransit) {
      const tsDelta = (timestamp - this.#lastTimestamp) | 0; // signed: survives the 32-bit wrap
      let d = arrivalTs - this.#lastArrivalTs - tsDelta;
      if (d < 0) d = -d;
      this.#jitterTs += (d - this.#jitterTs) / 16;
    }
    this.#haveTransit = true;
    this.#lastArrivalTs = arrivalTs;
    this.#lastTimestamp = timestamp;
  }

  get extendedHighestSeq(): number {
    return this.#cycles + this.#maxSeq;
  }

  get expected(): number {
    return this.extendedHighestSeq - this.#baseSeq + 1;
  }

  get packetsReceived(): number {
    return this.#received;
  }

  /** A.3 cumulative lost (negative when duplicates outnumber losses). */
  get cumulativeLost(): number {
    return this.validated ? this.expected - this.#received : 0;
  }

  get jitterMs(): number {
    return (this.#jitterTs * 1000) / this.clockRate;
  }

  /** A.3 numbers for a report block; advances the report interval (call once per RTCP report). */
  takeReport(): SourceReport {
    const expected = this.validated ? this.expected : 0;
    const expectedInterval = expected - this.#expectedPrior;
    this.#expectedPrior = expected;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#receivedPrior = this.#received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    return {
      fractionLost,
      cumulativeLost: this.cumulativeLost,
      extendedHighestSeq: this.extendedHighestSeq >>> 0,
      jitter: Math.floor(this.#jitterTs) >>> 0,
    };
  }
}
