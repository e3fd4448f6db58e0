/**
 * Retention of call recordings: files in the recordings directory last modified more than the
 * retention ago are deleted. A sweep's work is bounded (`maxScan` directory entries looked at,
 * `maxDeletes` files deleted); what it could not reach waits for the next sweep. Only our own file
 * names (`*.wav`) are touched; recordings still being written are skipped.
 */
import { opendir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const RECORDING_FILE = /^[0-9]{8}T[0-9]{6}Z-[0-9a-f-]{36}\.wav$/;

export interface SweepOptions {
  /** Wall-clock now, ms since the epoch. */
  nowMs: number;
  /** Files older than this are deleted; undefined keeps them (the sweep still measures the total). */
  maxAgeMs: number | undefined;
  /** Names being written now (never deleted). */
  active: ReadonlySet<string>;
  maxScan?: number;
  maxDeletes?: number;
}

export interface SweepResult {
  scanned: number;
  deleted: number;
  deletedBytes: number;
  /** Bytes of the recordings that remain among those scanned. */
  keptBytes: number;
  /** True when the scan stopped at its bound before the end of the directory. */
  partial: boolean;
}

export async function sweepRecordings(dir: string, opts: SweepOptions): Promise<SweepResult> {
  const maxScan = opts.maxScan ?? 20_000;
  const maxDeletes = opts.maxDeletes ?? 1_000;
  const result: SweepResult = { scanned: 0, deleted: 0, deletedBytes: 0, keptBytes: 0, partial: false };
  const entries = await opendir(dir);
  try {
    for await (const entry of entries) {
      if (result.scanned >= maxScan) {
        result.partial = true;
        break;
      }
      if (!entry.isFile() || !RECORDING_FILE.test(entry.name)) continue;
      result.scanned++;
      const path = join(dir, entry.name);
      const info = await stat(path).catch(() => undefined);
      if (info === undefined) continue;
      const expired = opts.maxAgeMs !== undefined && opts.nowMs - info.mtimeMs > opts.maxAgeMs && !opts.active.has(entry.name);
      if (expired && result.deleted < maxDeletes) {
        const gone = await unlink(path).then(
          () => true,
          () => false,
        );
        if (gone) {
          result.deleted++;
          result.deletedBytes += info.size;
          continue;
        }
      } else if (expired) {
        result.partial = true;
      }
      result.keptBytes += info.size;
    }
  } finally {
    await entries.close().catch(() => undefined);
  }
  return result;
}
