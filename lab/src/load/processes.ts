/** Process chores of a load run: CPU pinning and bounded stops. */
import { execFileSync } from 'node:child_process';
import type { ToolProcess } from '../runner/backends/backend.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopTool(p: ToolProcess, graceMs = 5_000): Promise<void> {
  p.kill('SIGTERM');
  const done = await Promise.race([p.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) p.kill('SIGKILL');
}

/** Pins a process to `cpus` with taskset; returns what restores its previous affinity. */
export function pinProcess(pid: number, cpus: string): () => void {
  let previous: string | undefined;
  try {
    previous = /:\s*(\S+)\s*$/.exec(execFileSync('taskset', ['-pc', String(pid)]).toString())?.[1];
    execFileSync('taskset', ['-pc', cpus, String(pid)], { stdio: 'ignore' });
  } catch {
    return () => undefined;
  }
  return () => {
    if (previous !== undefined) execFileSync('taskset', ['-pc', previous, String(pid)], { stdio: 'ignore' });
  };
}
