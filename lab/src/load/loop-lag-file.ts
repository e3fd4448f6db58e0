/** The gateway's loop-lag file (written by loop-lag-probe.ts, one JSON line per second), read as it grows. */
import { existsSync, readFileSync } from 'node:fs';

export interface LoopLagSample {
  at: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** New lines of the gateway's loop-lag file since byte `from`; returns the new offset. */
export function readLoopLag(file: string, from: number, into: LoopLagSample[]): number {
  if (!existsSync(file)) return from;
  const text = readFileSync(file, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  for (const line of text.slice(from, end).split('\n')) {
    if (line === '') continue;
    try {
      into.push(JSON.parse(line) as LoopLagSample);
    } catch {
      // a torn line cannot happen with appendFileSync; ignore anything odd rather than fail the run
    }
  }
  return Math.max(from, end);
}
