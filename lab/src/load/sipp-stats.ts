/** SIPp's `-trace_stat` CSV (`;`-separated, a header line, then one line per `-fd` period). */
import { existsSync, readFileSync } from 'node:fs';

export interface SippCallStats {
  created: number;
  successful: number;
  failed: number;
  current: number;
}

/** The cumulative counts of the last line, or undefined when the file has no data line yet. */
export function lastSippStats(text: string): SippCallStats | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return undefined;
  const header = lines[0]!.split(';');
  const row = lines[lines.length - 1]!.split(';');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    const v = i < 0 ? NaN : Number(row[i]);
    return Number.isFinite(v) ? v : NaN;
  };
  const stats = { created: col('TotalCallCreated'), successful: col('SuccessfulCall(C)'), failed: col('FailedCall(C)'), current: col('CurrentCall') };
  return Object.values(stats).every(Number.isFinite) ? stats : undefined;
}

export function readSippStats(file: string): SippCallStats | undefined {
  return existsSync(file) ? lastSippStats(readFileSync(file, 'utf8')) : undefined;
}
