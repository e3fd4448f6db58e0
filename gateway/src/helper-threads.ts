/**
 * The event-loop thread paces every call's media; the process's other threads do work that can wait a
 * few milliseconds: V8's helpers (concurrent marking, sweeping, compilation), libuv's pool (log and
 * file writes), the records thread. When the gateway shares a core with them (a pinned gateway, a
 * saturated host), the kernel's fair scheduler gives each runnable helper as much CPU as the event
 * loop: while four V8 workers mark the heap together the loop gets a fifth of the core, for tens of
 * milliseconds, and every call's next packet waits (docs/performance.md, section 7).
 *
 * So the helpers run at a higher nice value than the event loop. On Linux the nice value belongs to
 * the thread, not the process (setpriority(2), "BUGS"), `/proc/self/task` lists the threads, and
 * raising one's own nice value needs no privilege. Threads started later by the event loop (libuv
 * starts its pool on first use) begin at the loop's value, so the gateway looks again now and then.
 * Elsewhere there is nothing to list and nothing changes.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';

const TASK_DIR = '/proc/self/task';

export interface HelperThreadsResult {
  /** Threads moved to the requested nice value by this call. */
  changed: number;
  /** Threads that refused (they ended between listing and setting, or the system said no). */
  failed: number;
}

/**
 * Sets every thread of this process except the event loop's (whose id is the process id) to `nice`,
 * unless it is already there. `nice` 0 leaves them alone.
 */
export function lowerHelperThreads(nice: number, deps: { listThreads?: () => number[]; getPriority?: (tid: number) => number; setPriority?: (tid: number, nice: number) => void } = {}): HelperThreadsResult {
  const result: HelperThreadsResult = { changed: 0, failed: 0 };
  if (nice === 0) return result;
  const list = deps.listThreads ?? listThreads;
  const get = deps.getPriority ?? ((tid: number) => os.getPriority(tid));
  const set = deps.setPriority ?? ((tid: number, value: number) => os.setPriority(tid, value));
  for (const tid of list()) {
    if (tid === process.pid) continue;
    try {
      if (get(tid) === nice) continue;
      set(tid, nice);
      result.changed++;
    } catch {
      result.failed++;
    }
  }
  return result;
}

/** This process's thread ids; empty where the system has no `/proc/self/task`. */
function listThreads(): number[] {
  try {
    return readdirSync(TASK_DIR).map(Number).filter((tid) => Number.isInteger(tid) && tid > 0);
  } catch {
    return [];
  }
}
