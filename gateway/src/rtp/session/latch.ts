/**
 * Symmetric-RTP latching (the "comedia" behaviour of RFC 4961's symmetric RTP, as SBCs do it).
 *
 * The SDP tells us where the peer wants media. Behind NAT that address is often private or the
 * port is rewritten, and the peer's packets then arrive from somewhere else. Policy:
 *  - The latching window opens with the first valid packet after the remote was (re)set and lasts
 *    `windowMs` or `windowPackets` packets, whichever ends first.
 *  - Inside the window, a valid packet from a source other than the expected one moves our remote
 *    to that source, once; the window then closes.
 *  - A packet from the expected source closes the window too (the SDP was right).
 *  - After the window, packets from any other source are dropped and counted: no hijacking a call
 *    by spraying RTP at its port.
 * "Valid" is the caller's job: only packets that parsed as RTP with a negotiated payload type (and
 * passed SRTP authentication when SRTP is on) are offered here, so scanners cannot steer us.
 * With policy 'off' nothing ever latches: only the SDP address is accepted.
 */

export interface LatchingPolicy {
  /** How long after the first packet a different source may still be latched onto, ms. */
  windowMs: number;
  /** How many packets the window lasts at most. */
  windowPackets: number;
}

export const DEFAULT_LATCHING: LatchingPolicy = Object.freeze({ windowMs: 2000, windowPackets: 50 });

export interface Endpoint {
  address: string;
  port: number;
}

export type LatchVerdict = 'accept' | 'latched' | 'reject';

export class SourceLatch {
  #expectedAddress: string | undefined;
  #expectedPort = 0;
  #windowOpenedAt = -1;
  #packetsInWindow = 0;
  #closed = false;

  readonly #policy: LatchingPolicy | 'off';

  constructor(policy: LatchingPolicy | 'off') {
    this.#policy = policy;
  }

  /** The address the peer should be sending from / wants media at; reopens the window. */
  expect(remote: Endpoint | undefined): void {
    this.#expectedAddress = remote?.address;
    this.#expectedPort = remote?.port ?? 0;
    this.#windowOpenedAt = -1;
    this.#packetsInWindow = 0;
    this.#closed = this.#policy === 'off';
  }

  get remote(): Endpoint | undefined {
    return this.#expectedAddress === undefined ? undefined : { address: this.#expectedAddress, port: this.#expectedPort };
  }

  /** The remote's address, without building an Endpoint (the per-packet send path). */
  get remoteAddress(): string | undefined {
    return this.#expectedAddress;
  }

  get remotePort(): number {
    return this.#expectedPort;
  }

  /** Decides about one valid packet from `address:port` at `nowMs`. */
  check(address: string, port: number, nowMs: number): LatchVerdict {
    if (port === this.#expectedPort && address === this.#expectedAddress) {
      this.#closed = true;
      return 'accept';
    }
    if (this.#closed || this.#policy === 'off') return 'reject';
    if (this.#windowOpenedAt < 0) this.#windowOpenedAt = nowMs;
    this.#packetsInWindow++;
    if (nowMs - this.#windowOpenedAt > this.#policy.windowMs || this.#packetsInWindow > this.#policy.windowPackets) {
      this.#closed = true;
      return 'reject';
    }
    this.#expectedAddress = address;
    this.#expectedPort = port;
    this.#closed = true;
    return 'latched';
  }
}
