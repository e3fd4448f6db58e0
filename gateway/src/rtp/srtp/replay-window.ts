/**
 * RFC 3711 §3.3.2 replay list as a sliding window over packet indices (48-bit SRTP index or
 * 31-bit SRTCP index), in a ring of bits: index i lives at bit i mod size. check() is read-only so
 * a packet can be tested before authentication and accept() called only once it authenticated.
 */
export type ReplayVerdict = 'fresh' | 'duplicate' | 'too-old';

/** RFC 3711 §3.3.2: the window MUST be at least 64. */
export const MIN_REPLAY_WINDOW = 64;
/** Upper bound on the configurable window (bits), to bound memory. */
export const MAX_REPLAY_WINDOW = 0x8000;

export class ReplayWindow {
  readonly #size: number;
  readonly #bits: Uint32Array;
  /** Highest accepted index, -1 before the first packet. */
  #max = -1;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < MIN_REPLAY_WINDOW || size > MAX_REPLAY_WINDOW) {
      throw new RangeError(`replay window ${size} not in ${MIN_REPLAY_WINDOW}..${MAX_REPLAY_WINDOW}`);
    }
    // Round up to whole 32-bit words so the ring is exactly the word array.
    this.#size = Math.ceil(size / 32) * 32;
    this.#bits = new Uint32Array(this.#size / 32);
  }

  get size(): number {
    return this.#size;
  }

  /** Highest index accepted so far (-1 if none). */
  get highest(): number {
    return this.#max;
  }

  check(index: number): ReplayVerdict {
    if (this.#max < 0 || index > this.#max) return 'fresh';
    if (this.#max - index >= this.#size) return 'too-old';
    return this.#get(index) ? 'duplicate' : 'fresh';
  }

  /** Records an authenticated index (call only after check() returned 'fresh'). */
  accept(index: number): void {
    if (index > this.#max) {
      const advance = this.#max < 0 ? this.#size : index - this.#max;
      if (advance >= this.#size) {
        this.#bits.fill(0);
      } else {
        // Bounded by the window size: clears the slots the window slides over.
        for (let i = this.#max + 1; i < index; i++) this.#clear(i);
      }
      this.#max = index;
    }
    this.#set(index);
  }

  #get(index: number): boolean {
    const slot = index % this.#size;
    return ((this.#bits[slot >>> 5] as number) & (1 << (slot & 31))) !== 0;
  }

  #set(index: number): void {
    const slot = index % this.#size;
    this.#bits[slot >>> 5] = (this.#bits[slot >>> 5] as number) | (1 << (slot & 31));
  }

  #clear(index: number): void {
    const slot = index % this.#size;
    this.#bits[slot >>> 5] = (this.#bits[slot >>> 5] as number) & ~(1 << (slot & 31));
  }
}
