/**
 * How many of something each source holds (connections, server transactions): a counter per key
 * that forgets the key at zero, so a flood from many addresses leaves nothing behind once it is over.
 */
export class SourceCounts {
  readonly #counts = new Map<string, number>();
  #total = 0;

  get(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  get total(): number {
    return this.#total;
  }

  /** Keys currently holding at least one. */
  get sources(): number {
    return this.#counts.size;
  }

  add(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    this.#total += 1;
  }

  remove(key: string): void {
    const n = this.#counts.get(key);
    if (n === undefined) return;
    if (n <= 1) this.#counts.delete(key);
    else this.#counts.set(key, n - 1);
    this.#total -= 1;
  }
}
