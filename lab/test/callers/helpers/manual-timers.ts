/** A hand-driven timer host for the transaction tests: time moves only when advance() is called. */
export class ManualTimers {
  now = 0;
  #next = 1;
  readonly #pending = new Map<number, { due: number; fn: () => void }>();

  after(ms: number, fn: () => void): () => void {
    const id = this.#next++;
    this.#pending.set(id, { due: this.now + Math.max(0, ms), fn });
    return () => this.#pending.delete(id);
  }

  /** Runs every timer due within the next `ms`, in due order (timers set meanwhile included). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      let best: [number, { due: number; fn: () => void }] | undefined;
      for (const e of this.#pending) if (e[1].due <= end && (best === undefined || e[1].due < best[1].due)) best = e;
      if (best === undefined) break;
      this.#pending.delete(best[0]);
      this.now = best[1].due;
      best[1].fn();
    }
    this.now = end;
  }

  get pending(): number {
    return this.#pending.size;
  }
}
