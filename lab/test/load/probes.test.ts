/** The gateway-side probes of a load run: event-loop delay (preloaded) and /proc CPU and RSS. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoopLagMonitor } from '../../src/load/loop-lag.js';
import { cpuPercent, sampleProc } from '../../src/load/proc-sampler.js';
import { repoRoot } from '../../src/repo-root.js';

describe('loop-lag probe', () => {
  it('reports a blocked event loop, one JSON line per interval, and never keeps the process alive', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'loop-probe-')), 'lag.jsonl');
    // The compiled probe, as the load run preloads it (make test builds before it tests).
    const probe = join(repoRoot(), 'dist', 'lab', 'src', 'load', 'loop-lag-probe.js');
    // Block the loop for 300 ms twice, then let the process end by itself.
    const script = 'const block=()=>{const e=Date.now()+300;while(Date.now()<e);};setTimeout(block,150);setTimeout(block,700);setTimeout(()=>{},1400);';
    const child = spawn(process.execPath, ['--import', probe, '-e', script], { env: { ...process.env, LAB_LOOP_PROBE_FILE: file, LAB_LOOP_PROBE_EVERY_MS: '200' } });
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { at: number; p99Ms: number; maxMs: number });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...lines.map((l) => l.maxMs))).toBeGreaterThanOrEqual(250);
    expect(Math.min(...lines.map((l) => l.p99Ms))).toBeLessThan(250);
    expect(lines.every((l, i) => i === 0 || l.at > lines[i - 1]!.at)).toBe(true);
  });
});

describe('LoopLagMonitor', () => {
  it('reads about 0 on an idle loop (the sampling interval is not lag) and the length of a block', async () => {
    const m = new LoopLagMonitor(10);
    await new Promise((r) => setTimeout(r, 300));
    const idle = m.take();
    expect(idle.p50Ms).toBeLessThan(5);
    m.take();
    const end = Date.now() + 120;
    while (Date.now() < end); // block the loop right after a take
    await new Promise((r) => setTimeout(r, 50));
    expect(m.take().maxMs).toBeGreaterThanOrEqual(100);
    m.stop();
  });
});

describe('/proc sampler', () => {
  it('reads CPU time and RSS, and CPU use between samples', () => {
    const a = sampleProc(process.pid);
    const end = Date.now() + 200;
    while (Date.now() < end); // burn some CPU
    const b = sampleProc(process.pid);
    expect(a && b).toBeTruthy();
    expect(b!.rssBytes).toBeGreaterThan(10 * 2 ** 20);
    expect(b!.cpuMs).toBeGreaterThan(a!.cpuMs);
    expect(cpuPercent(a!, b!)).toBeGreaterThan(30);
    expect(sampleProc(2 ** 22 + 12345)).toBeUndefined();
  });
});
