/**
 * Hands out even RTP ports from a configured range (RFC 3550 §11: RTP on an even port, RTCP on the
 * next odd one). Allocation walks the range round-robin from where it last stopped, so a port
 * released by a finished call is reused as late as possible and stray packets of the old call are
 * unlikely to reach the new one.
 */

export interface PortRange {
  /** Lowest port (inclusive); rounded up to even. */
  min: number;
  /** Highest port (inclusive); an RTP port p is only used if p + 1 <= max (room for RTCP). */
  max: number;
}

export class PortAllocator {
  readonly min: number;
  readonly max: number;
  readonly #inUseSet = new Set<number>();
  #cursor: number;

  constructor(range: PortRange) {
    const min = range.min + (range.min % 2);
    if (!Number.isInteger(range.min) || !Number.isInteger(range.max) || min < 1024 || range.max > 65535 || min + 1 > range.max) {
      throw new RangeError(`port range must hold at least one even/odd pair within 1024..65535, got ${range.min}..${range.max}`);
    }
    this.min = min;
    this.max = range.max;
    this.#cursor = min;
  }

  /** Number of RTP ports (pairs) the range can hold. */
  get capacity(): number {
    return Math.floor((this.max - this.min + 1) / 2);
  }

  get inUse(): number {
    return this.#inUseSet.size;
  }

  /** The next free even port, or undefined when every pair is taken. */
  allocate(): number | undefined {
    const pairs = this.capacity;
    for (let i = 0; i < pairs; i++) {
      const port = this.#cursor;
      this.#cursor = port + 2 + 1 > this.max ? this.min : port + 2;
      if (!this.#inUseSet.has(port)) {
        this.#inUseSet.add(port);
        return port;
      }
    }
    return undefined;
  }

  release(port: number): void {
    this.#inUseSet.delete(port);
  }
}
