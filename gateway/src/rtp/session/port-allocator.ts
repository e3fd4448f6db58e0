/**
 * Hands out even RTP ports from a configured range (RFC 3550 §11: RTP on an even port, RTCP on the
 * next odd one), chosen at random among the free pairs (a CSPRNG by default). Round-robin made the
 * next call's port a guess away: a spray over the range reached a call's port before its caller
 * did. A random pick also makes it unlikely that a port released by a finished call is reused at
 * once (stray packets of the old call are dropped anyway: only the SDP source is accepted).
 * Two calls never share a pair: a pick that lands on a taken pair falls back to the next free one.
 */
import { randomInt } from 'node:crypto';

export interface PortRange {
  /** Lowest port (inclusive); rounded up to even. */
  min: number;
  /** Highest port (inclusive); an RTP port p is only used if p + 1 <= max (room for RTCP). */
  max: number;
}

/** Returns an integer in [0, n). */
export type RandomIndex = (n: number) => number;

/** Random picks before a linear walk to the next free pair (the range is then mostly taken). */
const RANDOM_PICKS = 8;

export class PortAllocator {
  readonly min: number;
  readonly max: number;
  readonly #inUseSet = new Set<number>();
  readonly #randomIndex: RandomIndex;

  constructor(range: PortRange, randomIndex: RandomIndex = randomInt) {
    const min = range.min + (range.min % 2);
    if (!Number.isInteger(range.min) || !Number.isInteger(range.max) || min < 1024 || range.max > 65535 || min + 1 > range.max) {
      throw new RangeError(`port range must hold at least one even/odd pair within 1024..65535, got ${range.min}..${range.max}`);
    }
    this.min = min;
    this.max = range.max;
    this.#randomIndex = randomIndex;
  }

  /** Number of RTP ports (pairs) the range can hold. */
  get capacity(): number {
    return Math.floor((this.max - this.min + 1) / 2);
  }

  get inUse(): number {
    return this.#inUseSet.size;
  }

  /** A free even port picked at random, or undefined when every pair is taken. */
  allocate(): number | undefined {
    const pairs = this.capacity;
    if (this.#inUseSet.size >= pairs) return undefined;
    let index = 0;
    for (let i = 0; i < RANDOM_PICKS; i++) {
      index = this.#pick(pairs);
      if (!this.#inUseSet.has(this.min + 2 * index)) return this.#take(this.min + 2 * index);
    }
    for (let i = 1; i < pairs; i++) {
      const port = this.min + 2 * ((index + i) % pairs);
      if (!this.#inUseSet.has(port)) return this.#take(port);
    }
    return undefined;
  }

  release(port: number): void {
    this.#inUseSet.delete(port);
  }

  #pick(pairs: number): number {
    const i = this.#randomIndex(pairs);
    // A faulty injected source must not hand out a port outside the range.
    return Number.isInteger(i) && i >= 0 && i < pairs ? i : 0;
  }

  #take(port: number): number {
    this.#inUseSet.add(port);
    return port;
  }
}
