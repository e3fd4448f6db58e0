/**
 * Reception statistics for our RTCP report block (RFC 3550 §6.4.1, Appendix A.1, A.3, A.8):
 * extended highest sequence number, cumulative and fractional loss, interarrival jitter, and the
 * LSR/DLSR pair from the last sender report, so the gateway can measure round-trip time.
 */
const RTP_SEQ_MOD = 1 << 16;
/** A.1: a jump larger than this is a restart, not loss. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

export interface ReportBlock {
  ssrc: number;
  fractionLost: number;
  cumulativeLost: number;
  extendedHighestSeq: number;
  jitter: number;
  lsr: number;
  dlsr: number;
}

export class ReceiveStats {
  #ssrc: number | undefined;
  #baseSeq = 0;
  #maxSeq = 0;
  #cycles = 0;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  /** A.8 jitter in timestamp units, ×16 as the RFC's integer form suggests, kept as float here. */
  #jitter = 0;
  #lastTransit: number | undefined;
  #lsr = 0;
  #lsrAt: number | undefined;

  /** One RTP packet of the audio stream (clock 8 kHz), arrived at run time t ms. */
  onPacket(ssrc: number, seq: number, ts: number, t: number): void {
    if (ssrc !== this.#ssrc) {
      this.#ssrc = ssrc;
      this.#baseSeq = seq;
      this.#maxSeq = seq;
      this.#cycles = 0;
      this.#received = 0;
      this.#expectedPrior = 0;
      this.#receivedPrior = 0;
      this.#jitter = 0;
      this.#lastTransit = undefined;
    }
    const udelta = (seq - this.#maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
    if (udelta < MAX_DROPOUT) {
      if (seq < this.#maxSeq) this.#cycles += RTP_SEQ_MOD;
      this.#maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A.1: a very large jump; treat as a restart of the sequence.
      this.#baseSeq = seq;
      this.#maxSeq = seq;
      this.#cycles = 0;
      this.#received = 0;
      this.#expectedPrior = 0;
      this.#receivedPrior = 0;
    }
    this.#received++;
    // A.8: transit in timestamp units; J += (|D| - J) / 16.
    const arrival = t * 8;
    const transit = arrival - ts;
    if (this.#lastTransit !== undefined) {
      let d = transit - this.#lastTransit;
      // Timestamps wrap at 2^32: fold the difference back into range.
      if (d > 2 ** 31) d -= 2 ** 32;
      else if (d < -(2 ** 31)) d += 2 ** 32;
      this.#jitter += (Math.abs(d) - this.#jitter) / 16;
    }
    this.#lastTransit = transit;
  }

  /** A sender report arrived at run time t: its NTP middle 32 bits become our LSR. */
  onSenderReport(ntpMiddle32: number, t: number): void {
    this.#lsr = ntpMiddle32 >>> 0;
    this.#lsrAt = t;
  }

  get received(): number {
    return this.#received;
  }

  /** The report block at run time t (and resets the fraction-lost interval), or undefined before any packet. */
  block(t: number): ReportBlock | undefined {
    if (this.#ssrc === undefined) return undefined;
    const extended = this.#cycles + this.#maxSeq;
    const expected = extended - this.#baseSeq + 1;
    const lost = Math.max(-0x800000, Math.min(0x7fffff, expected - this.#received));
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
    // DLSR in 1/65536 s since the last SR arrived (0 when none has).
    const dlsr = this.#lsrAt === undefined ? 0 : Math.round(((t - this.#lsrAt) / 1000) * 65_536);
    return {
      ssrc: this.#ssrc,
      fractionLost: Math.min(255, fractionLost),
      cumulativeLost: lost,
      extendedHighestSeq: extended >>> 0,
      jitter: Math.round(this.#jitter) >>> 0,
      lsr: this.#lsrAt === undefined ? 0 : this.#lsr,
      dlsr: dlsr >>> 0,
    };
  }
}
