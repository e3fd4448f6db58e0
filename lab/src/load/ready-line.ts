/**
 * A load part's start-up handshake (the tap, the reference pacer and peer): the part prints
 * `READY_PREFIX<json>` on stdout once it listens. `readyLine` resolves with what follows the prefix;
 * every other line of the part's stdout, and all of its stderr, goes to its log. It rejects when the
 * part exits before it is ready, or is not ready in time, naming the log to read.
 */
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ToolProcess } from '../runner/backends/backend.js';
import { READY_PREFIX } from '../runner/backends/containers/part-protocol.js';

export interface ReadyLineOptions {
  /** The part, for the errors: "load tap", "reference pacer". */
  name: string;
  logPath: string;
  timeoutMs: number;
  /** Append to the log (parts of one run share it) instead of starting it afresh. */
  append?: boolean;
  /**
   * Sees each stdout line first, before and after the ready line: true when it took the line (then it
   * is neither logged nor the ready line), or a note to log in the line's place.
   */
  take?: (line: string) => boolean | string;
  /** How long the log stays open after the part exits, for output still in flight; ms. */
  logGraceMs?: number;
}

export function readyLine(p: ToolProcess, opts: ReadyLineOptions): Promise<string> {
  const { name, logPath, timeoutMs, append = false, take, logGraceMs = 200 } = opts;
  const log = createWriteStream(logPath, { flags: append ? 'a' : 'w' });
  p.stderr.on('data', (d: Buffer) => log.write(d));
  void p.exited.then(() => setTimeout(() => log.end(), logGraceMs));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready within ${timeoutMs} ms; see ${logPath}`)), timeoutMs);
    createInterface({ input: p.stdout }).on('line', (line) => {
      const taken = take?.(line) ?? false;
      if (taken !== false) {
        if (typeof taken === 'string') log.write(`${taken}\n`);
        return;
      }
      log.write(`${line}\n`);
      if (line.startsWith(READY_PREFIX)) {
        clearTimeout(timer);
        resolve(line.slice(READY_PREFIX.length));
      }
    });
    void p.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}) before it was ready; see ${logPath}`));
    });
  });
}
