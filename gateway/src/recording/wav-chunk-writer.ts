/**
 * Writes one call's stereo recording to disk off the media path. The timeline hands over one 20 ms
 * frame at a time (caller and agent samples); they are interleaved into a preallocated chunk of one
 * second, and a full chunk is written asynchronously at the file position its frames belong to. The
 * chunks come from a fixed pool: when the disk cannot keep up and the pool is empty, frames are
 * dropped and counted — the media path never waits. A dropped stretch is a hole in the file (it reads
 * as silence), so what follows stays at its place on the timeline.
 *
 * The header is written with a zero size on open, rewritten after every chunk and at the end, so a
 * SIGTERM'd process (which finishes its calls) leaves exact sizes and a SIGKILL'd one at most the
 * last chunk beyond them (recording-store.ts repairs those at start-up).
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { describeError } from '../describe-error.js';
import { RECORDING_BLOCK_ALIGN, WAV_HEADER_BYTES, writeWavHeader } from './wav-header.js';

export const FRAME_SAMPLES = 160;
const FRAME_BYTES = FRAME_SAMPLES * RECORDING_BLOCK_ALIGN;
/** One second per chunk: one write (and one header update) per second per call. */
export const CHUNK_FRAMES = 50;
/** Chunks per call: how many seconds the disk may fall behind before frames are dropped. */
export const DEFAULT_POOL_CHUNKS = 8;

interface Chunk {
  buffer: Buffer;
  startFrame: number;
  frames: number;
}

export interface WavChunkWriterStats {
  /** Frames handed over. */
  frames: number;
  /** Frames dropped because every chunk was still waiting for the disk (or the file failed). */
  droppedFrames: number;
  /** Bytes of sample data in the file. */
  dataBytes: number;
  /** The first write error, if any (the recording stopped there). */
  error: string | undefined;
}

export class WavChunkWriter {
  readonly #path: string;
  readonly #logger: Logger;
  readonly #free: Chunk[] = [];
  readonly #queue: Chunk[] = [];
  readonly #header = Buffer.alloc(WAV_HEADER_BYTES);
  #file: Promise<FileHandle | undefined>;
  #current: Chunk | undefined;
  #draining: Promise<void> | undefined;
  #finished: Promise<WavChunkWriterStats> | undefined;
  #failed = false;
  readonly #stats: WavChunkWriterStats = { frames: 0, droppedFrames: 0, dataBytes: 0, error: undefined };
  /** Told the bytes each chunk added (the store's disk budget). */
  readonly #onBytes: (bytes: number) => void;

  constructor(path: string, logger: Logger, opts: { poolChunks?: number; onBytes?: (bytes: number) => void; openFile?: (path: string) => Promise<FileHandle> } = {}) {
    this.#path = path;
    this.#logger = logger;
    this.#onBytes = opts.onBytes ?? (() => undefined);
    for (let i = 0; i < (opts.poolChunks ?? DEFAULT_POOL_CHUNKS); i++) this.#free.push({ buffer: Buffer.alloc(CHUNK_FRAMES * FRAME_BYTES), startFrame: 0, frames: 0 });
    const openFile = opts.openFile ?? ((p: string) => open(p, 'wx', 0o600));
    this.#file = openFile(path).then(
      async (fh) => {
        await fh.write(writeWavHeader(this.#header, 0), 0, WAV_HEADER_BYTES, 0);
        return fh;
      },
      (err: unknown) => {
        this.#fail(err);
        return undefined;
      },
    );
  }

  get stats(): Readonly<WavChunkWriterStats> {
    return this.#stats;
  }

  /**
   * Frame `index` of the timeline: 160 caller samples from `left[offset…]`, 160 agent samples from
   * `right[offset…]`, or digital silence in both when `silent`. Frames come in order, each once.
   */
  frame(index: number, left: Int16Array, right: Int16Array, offset: number, silent: boolean): void {
    this.#stats.frames++;
    if (this.#failed || this.#finished !== undefined) {
      this.#stats.droppedFrames++;
      return;
    }
    let chunk = this.#current;
    if (chunk !== undefined && chunk.startFrame + chunk.frames !== index) {
      this.#enqueue(chunk);
      chunk = undefined;
    }
    if (chunk === undefined) {
      chunk = this.#free.pop();
      if (chunk === undefined) {
        this.#stats.droppedFrames++;
        return;
      }
      chunk.startFrame = index;
      chunk.frames = 0;
      this.#current = chunk;
    }
    const buf = chunk.buffer;
    let at = chunk.frames * FRAME_BYTES;
    if (silent) buf.fill(0, at, at + FRAME_BYTES);
    else {
      for (let i = 0; i < FRAME_SAMPLES; i++, at += RECORDING_BLOCK_ALIGN) {
        buf.writeInt16LE(left[offset + i] as number, at);
        buf.writeInt16LE(right[offset + i] as number, at + 2);
      }
    }
    chunk.frames++;
    if (chunk.frames === CHUNK_FRAMES) this.#enqueue(chunk);
  }

  /** Writes what is buffered, the final header, and closes the file. Idempotent. */
  finish(): Promise<WavChunkWriterStats> {
    if (this.#finished) return this.#finished;
    if (this.#current) this.#enqueue(this.#current);
    this.#finished = (async () => {
      this.#drain();
      while (this.#draining) await this.#draining;
      const fh = await this.#file;
      if (fh === undefined) return this.#stats;
      try {
        if (!this.#failed) {
          await fh.write(writeWavHeader(this.#header, this.#stats.dataBytes), 0, WAV_HEADER_BYTES, 0);
          await fh.datasync();
        }
      } catch (err) {
        this.#fail(err);
      } finally {
        await fh.close().catch(() => undefined);
      }
      return this.#stats;
    })();
    return this.#finished;
  }

  #enqueue(chunk: Chunk): void {
    if (this.#current === chunk) this.#current = undefined;
    this.#queue.push(chunk);
    this.#drain();
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = (async () => {
      const fh = await this.#file;
      while (this.#queue.length > 0) {
        const chunk = this.#queue.shift() as Chunk;
        try {
          if (fh !== undefined && !this.#failed) await this.#write(fh, chunk);
        } catch (err) {
          this.#fail(err);
        }
        this.#free.push(chunk);
      }
    })().finally(() => {
      this.#draining = undefined;
      if (this.#queue.length > 0) this.#drain();
    });
  }

  async #write(fh: FileHandle, chunk: Chunk): Promise<void> {
    const bytes = chunk.frames * FRAME_BYTES;
    const position = WAV_HEADER_BYTES + chunk.startFrame * FRAME_BYTES;
    await fh.write(chunk.buffer, 0, bytes, position);
    const end = position + bytes - WAV_HEADER_BYTES;
    if (end > this.#stats.dataBytes) {
      this.#onBytes(end - this.#stats.dataBytes);
      this.#stats.dataBytes = end;
    }
    await fh.write(writeWavHeader(this.#header, this.#stats.dataBytes), 0, WAV_HEADER_BYTES, 0);
  }

  #fail(err: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#stats.error = describeError(err, { firstLine: true });
    this.#logger.error({ file: this.#path, err: this.#stats.error }, 'call recording: write failed, the rest of this recording is dropped');
  }
}
