/**
 * A log collector that stops reading stdout must neither stall the gateway (its event loop paces RTP)
 * nor grow it without bound: the compiled logger (dist/, as production runs) in a child whose stdout
 * pipe nobody reads for 2 s.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOG_JS = pathToFileURL(join(import.meta.dirname, '../../dist/gateway/src/log.js')).href;

// 20 MB/s of 1 KB lines for 1.5 s while a 5 ms timer measures how late it runs; the result goes to
// stderr; the process stays up until the parent has read stdout again (so the drop report is written).
const CHILD = `
import { createRootLogger } from ${JSON.stringify(LOG_JS)};
const log = createRootLogger('info');
let last = performance.now(), worst = 0, i = 0;
const probe = setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last - 5); last = now; }, 5);
const line = 'x'.repeat(1000);
const burst = setInterval(() => { for (let k = 0; k < 200; k++) log.info({ i: i++, line }, 'burst'); }, 10);
setTimeout(() => {
  clearInterval(burst); clearInterval(probe);
  process.stderr.write(JSON.stringify({ worstLagMs: worst, lines: i }) + '\\n');
  setTimeout(() => process.exit(0), 2500);
}, 1500);
`;

describe('root logger on a stalled stdout', () => {
  it('keeps the event loop running, drops what exceeds the backlog and says so once the reader is back', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let out = '';
    setTimeout(() => {
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stdout.resume();
    }, 2_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const result = JSON.parse(err.trim().split('\n').pop() ?? '{}') as { worstLagMs: number; lines: number };
    expect(result.lines).toBeGreaterThan(10_000);
    // A synchronous write would spin while the pipe is full: the whole 1.5 s.
    expect(result.worstLagMs).toBeLessThan(250);
    // ~30 MB were logged into a 64 KB pipe: the rest beyond the bounded backlog was dropped and reported.
    const report = out.split('\n').find((l) => l.includes('log lines dropped'));
    expect(report).toBeDefined();
    expect(JSON.parse(report!).droppedBytes).toBeGreaterThan(1_000_000);
  }, 20_000);
});
