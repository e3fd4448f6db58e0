/**
 * The live progress line of a long run: rewritten in place on a terminal, and on a pipe (CI logs)
 * printed as a new line at most every `pipeEveryMs`, so a log shows progress without a flood.
 */
export class ProgressLine {
  #lastPrinted = -Infinity;
  #shown = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stdout,
    private readonly pipeEveryMs = 5_000,
  ) {}

  update(text: string, now: number = performance.now()): void {
    if (this.out.isTTY === true) {
      const width = Math.max(20, (this.out.columns ?? 120) - 1);
      this.out.write(`\r${text.slice(0, width)}\x1b[K`);
      this.#shown = true;
    } else if (now - this.#lastPrinted >= this.pipeEveryMs) {
      this.out.write(`${text}\n`);
      this.#lastPrinted = now;
    }
  }

  /** Ends the line on a terminal (the next output starts on a fresh line). */
  done(): void {
    if (this.#shown) this.out.write('\n');
    this.#shown = false;
  }
}
