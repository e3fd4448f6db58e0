/**
 * The recordings directory: created 0700 and checked writable at start-up (a clear error otherwise),
 * crash leftovers repaired, the retention sweep (fake clock + file mtimes, bounded work), and the disk
 * budget refusing new recordings.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAgentDefinition } from '../../src/agent/index.js';
import { ManualClock } from '../../src/clock.js';
import { ConfigError, parseEnv } from '../../src/config/env.js';
import { openRecordingStore } from '../../src/recording/open-recording-store.js';
import { createRootLogger } from '../../src/log.js';
import { RecordingStore, SWEEP_INTERVAL_MS } from '../../src/recording/recording-store.js';
import { sweepRecordings } from '../../src/recording/retention-sweep.js';
import { headerDataBytes, writeWavHeader, WAV_HEADER_BYTES } from '../../src/recording/wav-header.js';

const log = createRootLogger('silent');

async function loadOkBuiltIn() {
  const r = await loadAgentDefinition(undefined, { env: {} });
  if (!r.ok) throw new Error(r.error.join('; '));
  return r.value;
}
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T12:00:00Z');
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'recordings-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const name = (i: number): string => `20261101T000000Z-${String(i).padStart(8, '0')}-0000-4000-8000-000000000000.wav`;

/** A recording file last modified `ageDays` before NOW. */
function recording(dir: string, i: number, ageDays: number, bytes = 1000): string {
  const path = join(dir, name(i));
  writeFileSync(path, Buffer.concat([writeWavHeader(Buffer.alloc(WAV_HEADER_BYTES), bytes), Buffer.alloc(bytes)]));
  const t = (NOW - ageDays * DAY) / 1000;
  utimesSync(path, t, t);
  return path;
}

describe('RecordingStore', () => {
  const open = (dir: string, clock = new ManualClock(0, NOW), over: Partial<Parameters<typeof RecordingStore.open>[0]> = {}) =>
    RecordingStore.open({ dir, retentionDays: 30, maxDurationS: 60, maxTotalBytes: 0, clock, logger: log, ...over });

  it('creates the directory 0700 and writes recordings 0600', async () => {
    const dir = join(root, 'a', 'recordings');
    const store = await open(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const rec = store.start('0b6f3c1e-4d2a-4f5b-9c8d-7e6f5a4b3c2d', log);
    expect(rec?.file).toMatch(/^20261207T120000Z-0b6f3c1e-4d2a-4f5b-9c8d-7e6f5a4b3c2d\.wav$/);
    rec?.recorder.agent(true, new Uint8Array(172).fill(0xff), 12, 172, 'PCMU', 0);
    const done = await rec?.finish().done;
    expect(done?.durationMs).toBe(20);
    expect(statSync(join(dir, rec?.file ?? '')).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it('refuses to open a directory that cannot be created or written', async () => {
    writeFileSync(join(root, 'file'), 'x');
    await expect(open(join(root, 'file', 'recordings'))).rejects.toThrow(/ENOTDIR|EEXIST/);
  });

  it('repairs at start-up the header a killed process left at its placeholder', async () => {
    const path = join(root, name(1));
    writeFileSync(path, Buffer.concat([writeWavHeader(Buffer.alloc(WAV_HEADER_BYTES), 0), Buffer.alloc(6400)]));
    const store = await open(root);
    expect(headerDataBytes(readFileSync(path))).toBe(6400);
    expect(store.stats().repaired).toBe(1);
    await store.close();
  });

  it('deletes recordings past the retention at start-up and then every hour, on its clock', async () => {
    const clock = new ManualClock(0, NOW);
    recording(root, 1, 40);
    recording(root, 2, 30 - 1 / 48); // 30 minutes short of the retention
    writeFileSync(join(root, 'notes.txt'), 'not ours');
    utimesSync(join(root, 'notes.txt'), 0, 0);
    const store = await open(root, clock);
    expect(existsSync(join(root, name(1)))).toBe(false);
    expect(existsSync(join(root, name(2)))).toBe(true);
    expect(existsSync(join(root, 'notes.txt'))).toBe(true);
    clock.advance(SWEEP_INTERVAL_MS - 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(join(root, name(2)))).toBe(true);
    clock.advance(1);
    for (let i = 0; i < 100 && existsSync(join(root, name(2))); i++) await new Promise((r) => setTimeout(r, 5));
    expect(existsSync(join(root, name(2)))).toBe(false);
    expect(store.stats().deleted).toBe(2);
    await store.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses new recordings once the directory holds its disk budget', async () => {
    recording(root, 1, 1, 5000);
    const store = await open(root, new ManualClock(0, NOW), { maxTotalBytes: 4000 });
    expect(store.start('0b6f3c1e-4d2a-4f5b-9c8d-7e6f5a4b3c2d', log)).toBeUndefined();
    expect(store.stats().refused).toBe(1);
    await store.close();
  });
});

describe('sweepRecordings', () => {
  it('bounds its work per sweep and never deletes a recording being written', async () => {
    for (let i = 0; i < 10; i++) recording(root, i, 100);
    const first = await sweepRecordings(root, { nowMs: NOW, maxAgeMs: 30 * DAY, active: new Set([name(3)]), maxDeletes: 4 });
    expect(first.deleted).toBe(4);
    expect(first.partial).toBe(true);
    const second = await sweepRecordings(root, { nowMs: NOW, maxAgeMs: 30 * DAY, active: new Set([name(3)]), maxDeletes: 4 });
    expect(second.deleted).toBe(4);
    const third = await sweepRecordings(root, { nowMs: NOW, maxAgeMs: 30 * DAY, active: new Set([name(3)]), maxDeletes: 4 });
    expect(third.deleted).toBe(1);
    expect(existsSync(join(root, name(3)))).toBe(true);
    const kept = await sweepRecordings(root, { nowMs: NOW, maxAgeMs: undefined, active: new Set() });
    expect(kept).toMatchObject({ deleted: 0, scanned: 1, keptBytes: WAV_HEADER_BYTES + 1000 });
  });
});

describe('openRecordingStore (start-up)', () => {
  const env = (over: Record<string, string>) => parseEnv({ SIP_ALLOW_FROM: 'any', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', RECORDS_PATH: join(root, 'records', 'calls.db'), ...over });

  it('opens nothing when no agent records, and recordings/ beside the records when one does', async () => {
    const { definition } = await loadOkBuiltIn();
    expect(await openRecordingStore(env({}), definition, new ManualClock(0, NOW), log)).toBeUndefined();
    expect(existsSync(join(root, 'records', 'recordings'))).toBe(false);
    const store = await openRecordingStore(env({}), { ...definition, recording: { enabled: true, pauseDuringDtmfCollection: true } }, new ManualClock(0, NOW), log);
    expect(store?.dir).toBe(join(root, 'records', 'recordings'));
    expect(statSync(join(root, 'records', 'recordings')).mode & 0o777).toBe(0o700);
    await store?.close();
  });

  it('a directory that cannot be used is a start-up error naming RECORDINGS_DIR', async () => {
    writeFileSync(join(root, 'file'), 'x');
    const { definition } = await loadOkBuiltIn();
    const recording = { ...definition, recording: { enabled: true, pauseDuringDtmfCollection: true } };
    const failed = await openRecordingStore(env({ RECORDINGS_DIR: join(root, 'file', 'rec') }), recording, new ManualClock(0, NOW), log).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ConfigError);
    expect((failed as ConfigError).problems[0]).toMatch(/^RECORDINGS_DIR: .*file\/rec cannot be used for call recordings: ENOTDIR/);
  });

  it('bad recording settings are one line each', () => {
    expect(() => env({ RECORDING_MAX_DURATION_S: '5' })).toThrow(/RECORDING_MAX_DURATION_S must be >= 10/);
    expect(() => env({ RECORDING_RETENTION_DAYS: '-1' })).toThrow(/RECORDING_RETENTION_DAYS must be >= 0/);
    expect(() => env({ RECORDINGS_MAX_TOTAL_MB: 'lots' })).toThrow(/RECORDINGS_MAX_TOTAL_MB must be a number/);
  });
});
