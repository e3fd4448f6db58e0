/**
 * Media source validation: which source a session accepts RTP/RTCP from, and where it sends.
 * Modelled on rtpengine's strict-source and Asterisk's `strictrtp` (with its sequence-checked
 * learning), after "RTP bleed": latching to the first packet from anywhere let whoever sprayed a
 * call's port first take both directions.
 *
 *  - `strict` (the default): only the SDP address and port (c=/m=, a=rtcp) are accepted. Every
 *    other source is dropped and counted, never answered, never steers our media. An unknown remote
 *    (our offer went out, no answer yet) accepts nothing.
 *  - `learn` (peers behind NAT whose SDP names a private or rewritten address): a new source is
 *    learned only after `packets` consecutive in-sequence RTP packets (one SSRC, each sequence number
 *    the previous + 1) from that one source, AND only while nothing valid has come from the expected
 *    source for `quietMs` (since it was set, or since its last packet). A live expected source can
 *    therefore never be displaced, and a learned source is the expected one from then on (a NAT
 *    rebinding is learned the same way). Learning starts only once the call is confirmed (`arm`).
 *
 * RTCP never moves the RTP latch: RTCP packets carry no sequence number an attacker has to follow,
 * so with rtcp-mux they are checked with `accepts` (exact match, no learning), and the separate RTCP
 * latch only ever `follow`s the address the RTP latch learned (taking the port of the first RTCP
 * packet from that address, as NATs map the RTCP port independently).
 *
 * "Valid" is the caller's job: only packets that parsed as RTP/RTCP with a negotiated payload type
 * (and passed SRTP authentication when SRTP is on) are offered here, so scanners cannot steer us.
 * Per packet nothing is allocated: the candidate is kept as the address string the socket gave us.
 */

export type SourcePolicy = 'strict' | 'learn';

export interface LearningPolicy {
  /** Consecutive in-sequence packets from one new source before it is learned. */
  packets: number;
  /** How long the expected source must have been silent before another may be learned, ms. */
  quietMs: number;
}

/** Asterisk learns after 4 packets (`probation`); one more costs 20 ms and halves a guesser's odds. */
export const DEFAULT_LEARNING: LearningPolicy = Object.freeze({ packets: 5, quietMs: 1000 });

export interface Endpoint {
  address: string;
  port: number;
}

export type LatchVerdict = 'accept' | 'latched' | 'reject';

/** The expected port is not known yet: the first packet from the expected address fixes it. */
const ANY_PORT = -1;

export class SourceLatch {
  #expectedAddress: string | undefined;
  #expectedPort = 0;
  /** When the expected source last sent a valid packet (or was set), ms. */
  #lastValidAt = 0;
  #armed = false;
  #heard = false;

  // The source being learned: address, port, SSRC, last sequence number, packets in a row.
  #candidateAddress: string | undefined;
  #candidatePort = 0;
  #candidateSsrc = 0;
  #candidateSeq = 0;
  #candidateRun = 0;

  readonly #policy: SourcePolicy;
  readonly #learning: LearningPolicy;

  constructor(policy: SourcePolicy, learning: LearningPolicy = DEFAULT_LEARNING) {
    if (!Number.isInteger(learning.packets) || learning.packets < 2) throw new RangeError(`learning needs at least 2 packets, got ${learning.packets}`);
    if (!(learning.quietMs >= 0)) throw new RangeError(`learning quietMs must be >= 0, got ${learning.quietMs}`);
    this.#policy = policy;
    this.#learning = learning;
  }

  get policy(): SourcePolicy {
    return this.#policy;
  }

  /** The address and port the peer should send from / wants media at (SDP); restarts the quiet time. */
  expect(remote: Endpoint | undefined, nowMs: number): void {
    this.#expectedAddress = remote?.address;
    this.#expectedPort = remote?.port ?? 0;
    this.#lastValidAt = nowMs;
    this.#heard = false;
    this.#candidateAddress = undefined;
  }

  /** Expect `address` on whichever port its first packet comes from (the RTCP latch after RTP learned). */
  follow(address: string, nowMs: number): void {
    this.expect({ address, port: ANY_PORT }, nowMs);
  }

  /** Learning may begin (the call is confirmed): the expected source's quiet time starts now. */
  arm(nowMs: number): void {
    if (this.#armed) return;
    this.#armed = true;
    if (!this.#heard) this.#lastValidAt = nowMs;
  }

  /** Where media goes now; undefined while unknown (or while only the RTCP address is followed). */
  get remote(): Endpoint | undefined {
    return this.#expectedAddress === undefined || this.#expectedPort === ANY_PORT ? undefined : { address: this.#expectedAddress, port: this.#expectedPort };
  }

  /** The remote's address, without building an Endpoint (the per-packet send path). */
  get remoteAddress(): string | undefined {
    return this.#expectedPort === ANY_PORT ? undefined : this.#expectedAddress;
  }

  get remotePort(): number {
    return this.#expectedPort;
  }

  /** Whether a valid packet has come from the expected source since it was set. */
  get heard(): boolean {
    return this.#heard;
  }

  /** Exact match with the expected source, no learning (RTCP on an rtcp-mux port). */
  accepts(address: string, port: number): boolean {
    return port === this.#expectedPort && address === this.#expectedAddress;
  }

  /**
   * Decides about one valid packet from `address:port` at `nowMs`. `ssrc` and `seq` are the RTP
   * header's (they decide whether a new source's packets are in sequence); RTCP passes -1.
   */
  check(address: string, port: number, nowMs: number, ssrc: number, seq: number): LatchVerdict {
    if (address === this.#expectedAddress) {
      if (port === this.#expectedPort) {
        this.#onValid(nowMs);
        return 'accept';
      }
      if (this.#expectedPort === ANY_PORT) {
        this.#expectedPort = port;
        this.#onValid(nowMs);
        return 'latched';
      }
    }
    if (this.#policy === 'strict' || !this.#armed || seq < 0) return 'reject';
    if (nowMs - this.#lastValidAt < this.#learning.quietMs) {
      // The expected source is alive: nothing may displace it, and no run may build up meanwhile.
      this.#candidateAddress = undefined;
      return 'reject';
    }
    const inRun =
      address === this.#candidateAddress && port === this.#candidatePort && ssrc === this.#candidateSsrc && seq === ((this.#candidateSeq + 1) & 0xffff);
    if (inRun) this.#candidateRun++;
    else {
      this.#candidateAddress = address;
      this.#candidatePort = port;
      this.#candidateSsrc = ssrc;
      this.#candidateRun = 1;
    }
    this.#candidateSeq = seq;
    if (this.#candidateRun < this.#learning.packets) return 'reject';
    this.#expectedAddress = address;
    this.#expectedPort = port;
    this.#candidateAddress = undefined;
    this.#onValid(nowMs);
    return 'latched';
  }

  #onValid(nowMs: number): void {
    this.#lastValidAt = nowMs;
    this.#heard = true;
    this.#candidateAddress = undefined;
  }
}
