/**
 * Time for one run: ms since run() started (performance.now(), monotonic), and timers that are all
 * cancelled by one dispose(). This is a real-time tool, so no injected clock: what it measures is
 * what the gateway experienced.
 */
export class RunClock {
  readonly #origin = performance.now();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #sleepers = new Set<() => void>();
  #disposed = false;

  /** ms since the run started. */
  now(): number {
    return performance.now() - this.#origin;
  }

  /** Runs fn after ms (clamped at 0); nothing runs once disposed. Returns a cancel function. */
  after(ms: number, fn: () => void): () => void {
    if (this.#disposed) return () => {};
    const id = setTimeout(() => {
      this.#timers.delete(id);
      if (!this.#disposed) fn();
    }, Math.max(0, ms));
    this.#timers.add(id);
    return () => {
      clearTimeout(id);
      this.#timers.delete(id);
    };
  }

  /** Runs fn at run time t (ms since start). */
  at(t: number, fn: () => void): () => void {
    return this.after(t - this.now(), fn);
  }

  /** Resolves after ms, or at once when disposed (every wait is bounded and ends with the run). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#disposed) {
        resolve();
        return;
      }
      const wake = (): void => {
        this.#sleepers.delete(wake);
        resolve();
      };
      this.#sleepers.add(wake);
      this.after(ms, wake);
    });
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const id of this.#timers) clearTimeout(id);
    this.#timers.clear();
    for (const wake of this.#sleepers) wake();
    this.#sleepers.clear();
  }
}
