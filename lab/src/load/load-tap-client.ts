/** The runner's side of the load tap process (load-tap-main.ts): its ready line, its stats, its snapshot. */
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ToolProcess } from '../runner/backends/backend.js';
import { READY_PREFIX } from '../runner/backends/containers/part-protocol.js';
import { decodeSnapshot } from '../runner/backends/snapshot-json.js';
import { LOAD_STATS_PREFIX, type LoadTapSnapshot, type LoadTapStats } from './load-tap-protocol.js';
import { stopTool } from './processes.js';

const PART_READY_MS = 15_000;

/** Resolves once the tap is ready; every stats line after that goes to `onStats`, the rest to its log. */
export function tapReady(tap: ToolProcess, logPath: string, onStats: (s: LoadTapStats) => void): Promise<void> {
  const log = createWriteStream(logPath);
  tap.stderr.on('data', (d: Buffer) => log.write(d));
  void tap.exited.then(() => setTimeout(() => log.end(), 500));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`load tap not ready within ${PART_READY_MS} ms; see ${logPath}`)), PART_READY_MS);
    createInterface({ input: tap.stdout }).on('line', (line) => {
      if (line.startsWith(LOAD_STATS_PREFIX)) {
        try {
          onStats(JSON.parse(line.slice(LOAD_STATS_PREFIX.length)) as LoadTapStats);
        } catch {
          log.write(`bad stats line: ${line.slice(0, 200)}\n`);
        }
        return;
      }
      log.write(`${line}\n`);
      if (line.startsWith(READY_PREFIX)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void tap.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`load tap exited (code ${code}) before it was ready; see ${logPath}`));
    });
  });
}

/** Stops the tap (it writes its counters on SIGTERM) and reads them. */
export async function stopTap(tap: ToolProcess, snapshotFile: string): Promise<LoadTapSnapshot> {
  // With a capture it reads the whole pcap back before it writes: seconds for hundreds of calls.
  await stopTool(tap, 60_000);
  if (!existsSync(snapshotFile)) throw new Error('the load tap exited without its counters');
  return decodeSnapshot<LoadTapSnapshot>(readFileSync(snapshotFile, 'utf8'));
}
