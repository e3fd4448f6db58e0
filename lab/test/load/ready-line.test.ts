/** The load parts' start-up handshake (ready-line.ts), against a part whose streams the test drives. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readyLine } from '../../src/load/ready-line.js';
import type { ToolProcess } from '../../src/runner/backends/backend.js';
import { READY_PREFIX } from '../../src/runner/backends/containers/part-protocol.js';

function part() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let exit!: (code: number | null) => void;
  const exited = new Promise<number | null>((resolve) => (exit = resolve));
  const p: ToolProcess = { stdout, stderr, exited, startError: Promise.resolve(undefined), hostPid: () => Promise.resolve(undefined), kill: () => undefined };
  return { p, stdout, stderr, exit };
}

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 30));

describe('readyLine', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ready-line-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves with what follows the prefix; every other line and stderr go to the log, which it appends to when asked', async () => {
    const log = join(dir, 'part.log');
    writeFileSync(log, 'earlier part\n');
    const { p, stdout, stderr, exit } = part();
    const ready = readyLine(p, { name: 'pacer', logPath: log, timeoutMs: 2_000, append: true, logGraceMs: 0 });
    stdout.write('starting\n');
    stderr.write('a warning\n');
    stdout.write(`${READY_PREFIX}{"ports":[4000]}\n`);
    expect(JSON.parse(await ready)).toEqual({ ports: [4000] });
    exit(0);
    await settle();
    const text = readFileSync(log, 'utf8');
    expect(text.startsWith('earlier part\n')).toBe(true);
    expect(text).toContain('starting\n');
    expect(text).toContain('a warning\n');
  });

  it('hands the lines `take` claims to it before and after the ready line, and logs its note instead of a line it refuses', async () => {
    const log = join(dir, 'tap.log');
    const taken: string[] = [];
    const { p, stdout, exit } = part();
    const ready = readyLine(p, {
      name: 'tap',
      logPath: log,
      timeoutMs: 2_000,
      logGraceMs: 0,
      take: (line) => (line.startsWith('STATS ') ? (line === 'STATS bad' ? 'bad stats line' : (taken.push(line), true)) : false),
    });
    stdout.write('STATS 1\n');
    stdout.write(`${READY_PREFIX}{}\n`);
    await ready;
    stdout.write('STATS 2\nSTATS bad\n');
    await settle();
    exit(0);
    await settle();
    expect(taken).toEqual(['STATS 1', 'STATS 2']);
    const text = readFileSync(log, 'utf8');
    expect(text).not.toContain('STATS');
    expect(text).toContain('bad stats line\n');
  });

  it('rejects, naming the part and its log, when it exits before it is ready or is not ready in time', async () => {
    const early = part();
    const log = join(dir, 'x.log');
    const a = readyLine(early.p, { name: 'reference peer', logPath: log, timeoutMs: 2_000, logGraceMs: 0 });
    early.exit(3);
    await expect(a).rejects.toThrow(`reference peer exited (code 3) before it was ready; see ${log}`);

    const slow = part();
    const b = readyLine(slow.p, { name: 'load tap', logPath: log, timeoutMs: 50, logGraceMs: 0 });
    await expect(b).rejects.toThrow(`load tap not ready within 50 ms; see ${log}`);
    slow.exit(0);
  });
});
