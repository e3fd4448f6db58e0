/** The runner's side of the load tap process (load-tap-main.ts): its ready line, its stats, its snapshot. */
import { existsSync, readFileSync } from 'node:fs';
import type { ToolProcess } from '../runner/backends/backend.js';
import { decodeSnapshot } from '../runner/backends/snapshot-json.js';
import { LOAD_STATS_PREFIX, type LoadTapSnapshot, type LoadTapStats } from './load-tap-protocol.js';
import { stopTool } from './processes.js';
import { readyLine } from './ready-line.js';

const PART_READY_MS = 15_000;

/** Resolves once the tap is ready; every stats line after that goes to `onStats`, the rest to its log. */
export async function tapReady(tap: ToolProcess, logPath: string, onStats: (s: LoadTapStats) => void): Promise<void> {
  await readyLine(tap, {
    name: 'load tap',
    logPath,
    timeoutMs: PART_READY_MS,
    logGraceMs: 500,
    take: (line) => {
      if (!line.startsWith(LOAD_STATS_PREFIX)) return false;
      try {
        onStats(JSON.parse(line.slice(LOAD_STATS_PREFIX.length)) as LoadTapStats);
        return true;
      } catch {
        return `bad stats line: ${line.slice(0, 200)}`;
      }
    },
  });
}

/** Stops the tap (it writes its counters on SIGTERM) and reads them. */
export async function stopTap(tap: ToolProcess, snapshotFile: string): Promise<LoadTapSnapshot> {
  // With a capture it reads the whole pcap back before it writes: seconds for hundreds of calls.
  await stopTool(tap, 60_000);
  if (!existsSync(snapshotFile)) throw new Error('the load tap exited without its counters');
  return decodeSnapshot<LoadTapSnapshot>(readFileSync(snapshotFile, 'utf8'));
}
