/**
 * The recording's file: chunked asynchronous writes with exact header sizes at the end, headers kept
 * current after each chunk (an abrupt stop loses at most the last chunk), the start-up repair of a
 * header a SIGKILL left at its placeholder, and frames dropped (never waited for) when the disk stalls.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRootLogger } from '../../src/log.js';
import { CHUNK_FRAMES, WavChunkWriter } from '../../src/recording/wav-chunk-writer.js';
import { headerDataBytes, repairWavHeader, writeWavHeader, WAV_HEADER_BYTES } from '../../src/recording/wav-header.js';

const log = createRootLogger('silent');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wav-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const left = new Int16Array(160).map((_, i) => i);
const right = new Int16Array(160).map((_, i) => -i);

/** Waits until `cond` holds (the writer works on its own promises). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
}

describe('WavChunkWriter', () => {
  it('writes interleaved stereo at 8 kHz with exact sizes, as sox and any reader expect', async () => {
    const path = join(dir, 'a.wav');
    const w = new WavChunkWriter(path, log);
    for (let f = 0; f < 123; f++) w.frame(f, left, right, 0, f === 5);
    const stats = await w.finish();
    const bytes = readFileSync(path);
    expect(stats).toMatchObject({ frames: 123, droppedFrames: 0, dataBytes: 123 * 640 });
    expect(bytes.length).toBe(WAV_HEADER_BYTES + 123 * 640);
    expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
    expect(bytes.readUInt32LE(4)).toBe(36 + 123 * 640);
    expect(bytes.readUInt16LE(22)).toBe(2); // channels
    expect(bytes.readUInt32LE(24)).toBe(8000);
    expect(bytes.readUInt32LE(28)).toBe(32000); // byte rate
    expect(bytes.readUInt16LE(32)).toBe(4); // block align
    expect(bytes.readUInt16LE(34)).toBe(16);
    expect(headerDataBytes(bytes)).toBe(123 * 640);
    // Frame 1, sample 7: caller 7 on the left, agent -7 on the right; frame 5 was silent.
    expect(bytes.readInt16LE(44 + 640 + 7 * 4)).toBe(7);
    expect(bytes.readInt16LE(44 + 640 + 7 * 4 + 2)).toBe(-7);
    expect(bytes.subarray(44 + 5 * 640, 44 + 6 * 640).every((b) => b === 0)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('keeps the header current after each chunk, so a process stopped abruptly leaves a readable file', async () => {
    const path = join(dir, 'b.wav');
    const w = new WavChunkWriter(path, log);
    for (let f = 0; f < CHUNK_FRAMES * 2 + 10; f++) w.frame(f, left, right, 0, false);
    // Never finished (the process died): two whole chunks are on disk and the header says so.
    await until(() => w.stats.dataBytes === CHUNK_FRAMES * 2 * 640);
    await until(() => headerDataBytes(readFileSync(path)) === CHUNK_FRAMES * 2 * 640);
    expect(readFileSync(path).length).toBe(WAV_HEADER_BYTES + CHUNK_FRAMES * 2 * 640);
    await w.finish();
    expect(headerDataBytes(readFileSync(path))).toBe((CHUNK_FRAMES * 2 + 10) * 640);
  });

  it('drops and counts frames when the disk cannot keep up, and never waits', async () => {
    let release: (fh: FileHandle) => void = () => undefined;
    const { open } = await import('node:fs/promises');
    const path = join(dir, 'c.wav');
    // The file takes "forever" to open: every chunk of the pool fills, then frames are dropped.
    const w = new WavChunkWriter(path, log, { poolChunks: 2, openFile: (p) => new Promise((r) => { release = r; void p; }) });
    for (let f = 0; f < CHUNK_FRAMES * 5; f++) w.frame(f, left, right, 0, false);
    expect(w.stats.droppedFrames).toBe(CHUNK_FRAMES * 3);
    release(await open(path, 'wx', 0o600));
    const stats = await w.finish();
    expect(stats.droppedFrames).toBe(CHUNK_FRAMES * 3);
    expect(stats.dataBytes).toBe(CHUNK_FRAMES * 2 * 640);
  });

  it('a file that cannot be created stops the recording with the error, not the call', async () => {
    const w = new WavChunkWriter(join(dir, 'missing', 'd.wav'), log);
    w.frame(0, left, right, 0, false);
    const stats = await w.finish();
    expect(stats.error).toMatch(/ENOENT/);
  });
});

describe('repairWavHeader', () => {
  it('sets the sizes a SIGKILL left at the placeholder from the file length, whole sample frames only', async () => {
    const path = join(dir, 'killed.wav');
    const header = writeWavHeader(Buffer.alloc(WAV_HEADER_BYTES), 0);
    writeFileSync(path, Buffer.concat([header, Buffer.alloc(640 * 7 + 3, 1)]));
    expect(await repairWavHeader(path)).toBe('repaired');
    const bytes = readFileSync(path);
    expect(headerDataBytes(bytes)).toBe(640 * 7);
    expect(bytes.readUInt32LE(4)).toBe(36 + 640 * 7);
    expect(await repairWavHeader(path)).toBe('ok');
  });

  it('leaves files that are not its own recordings alone', async () => {
    const path = join(dir, 'other.wav');
    writeFileSync(path, 'not a wav at all, just text that is long enough to have a header');
    expect(await repairWavHeader(path)).toBe('foreign');
    truncateSync(path, 10);
    expect(await repairWavHeader(path)).toBe('foreign');
  });
});
