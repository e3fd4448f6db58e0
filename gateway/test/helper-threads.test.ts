import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lowerHelperThreads } from '../src/helper-threads.js';

/** The nice value of one of this process's threads, from /proc (field 19 of stat, after the command). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

const threads = (): number[] => readdirSync('/proc/self/task').map(Number);

describe('lowerHelperThreads on this Linux process', () => {
  let worker: Worker;
  beforeAll(async () => {
    // One helper of our own besides V8's and libuv's, so there is always something to move.
    worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    await new Promise((resolve) => worker.once('online', resolve));
  });
  afterAll(() => worker.terminate());

  it('moves every thread but the event loop to the nice value, and leaves the event loop alone', () => {
    const loopBefore = niceOf(process.pid);
    const target = loopBefore + 7 > 19 ? 19 : loopBefore + 7;
    const first = lowerHelperThreads(target);
    const helpers = threads().filter((tid) => tid !== process.pid);
    expect(helpers.length).toBeGreaterThan(1);
    expect(first.failed).toBe(0);
    expect(first.changed).toBeGreaterThan(0);
    for (const tid of helpers) expect(niceOf(tid)).toBe(target);
    expect(niceOf(process.pid)).toBe(loopBefore);
    // A second pass finds nothing left to move.
    expect(lowerHelperThreads(target)).toEqual({ changed: 0, failed: 0 });
  });
});

describe('lowerHelperThreads, its decisions', () => {
  it('0 touches nothing; a thread that refuses is counted, the others still move; the event loop is never asked', () => {
    const set: number[] = [];
    const deps = {
      listThreads: () => [process.pid, 101, 102, 103],
      getPriority: (tid: number) => (tid === 103 ? 19 : 0),
      setPriority: (tid: number) => {
        if (tid === 102) throw new Error('ESRCH');
        set.push(tid);
      },
    };
    expect(lowerHelperThreads(0, deps)).toEqual({ changed: 0, failed: 0 });
    expect(set).toEqual([]);
    expect(lowerHelperThreads(19, deps)).toEqual({ changed: 1, failed: 1 });
    expect(set).toEqual([101]);
  });
});
