/**
 * Where call recordings live (RECORDINGS_DIR, beside the call records by default) and for how long:
 * the directory is created 0700 and each file 0600 (recordings hold personal data); a directory that
 * cannot be written is a start-up error; headers a killed process left unfinished are repaired at
 * start-up; an hourly sweep deletes recordings older than the retention (bounded work per sweep); a
 * total disk budget refuses new recordings once the directory holds that much (the call goes on,
 * unrecorded, and the refusal is logged and counted).
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, opendir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, TimerId } from '../clock.js';
import type { Logger } from '../log.js';
import { describeError } from '../describe-error.js';
import { CallRecorder, type CallRecorderStats } from './call-recorder.js';
import { RECORDING_FILE, sweepRecordings } from './retention-sweep.js';
import { WavChunkWriter, type WavChunkWriterStats } from './wav-chunk-writer.js';
import { repairWavHeader } from './wav-header.js';

const DAY_MS = 86_400_000;
export const SWEEP_INTERVAL_MS = 3_600_000;
/** Files looked at by the start-up header repair. */
const MAX_REPAIR_SCAN = 20_000;

export interface RecordingStoreOptions {
  dir: string;
  /** 0 keeps recordings forever. */
  retentionDays: number;
  /** A recording stops at this length (the call goes on). */
  maxDurationS: number;
  /** New recordings are refused while the directory holds this many bytes; 0: no budget. */
  maxTotalBytes: number;
  clock: Clock;
  logger: Logger;
}

export interface RecordingStoreStats {
  started: number;
  refused: number;
  active: number;
  totalBytes: number;
  droppedFrames: number;
  deleted: number;
  repaired: number;
}

/** What a finished recording says about itself (for the call record and the log). */
export interface FinishedRecording extends CallRecorderStats, Pick<WavChunkWriterStats, 'droppedFrames' | 'dataBytes' | 'error'> {
  file: string;
}

/** One call's recording while it runs: the tap to attach, and the end. */
export interface ActiveRecording {
  readonly file: string;
  /** The file with RECORDINGS_DIR. */
  readonly path: string;
  readonly recorder: CallRecorder;
  /** Stops the timeline now (synchronously) and resolves once the file is complete and closed. */
  finish(): { stats: CallRecorderStats; done: Promise<FinishedRecording> };
}

export class RecordingStore {
  readonly #opts: RecordingStoreOptions;
  readonly #logger: Logger;
  readonly #active = new Set<string>();
  readonly #finishing = new Set<Promise<unknown>>();
  #timer: TimerId | undefined;
  #sweeping: Promise<void> | undefined;
  #closed = false;
  readonly #stats: RecordingStoreStats = { started: 0, refused: 0, active: 0, totalBytes: 0, droppedFrames: 0, deleted: 0, repaired: 0 };

  private constructor(opts: RecordingStoreOptions) {
    this.#opts = opts;
    this.#logger = opts.logger;
  }

  /** Creates (0700) and checks the directory, repairs unfinished headers, measures it, starts the sweep. Throws when unusable. */
  static async open(opts: RecordingStoreOptions): Promise<RecordingStore> {
    await mkdir(opts.dir, { recursive: true, mode: 0o700 });
    await chmod(opts.dir, 0o700);
    // Writable now, or a clear error at start-up rather than a silent loss on the first call.
    const probe = join(opts.dir, `.probe-${randomUUID()}`);
    await writeFile(probe, '', { mode: 0o600 });
    await rm(probe);
    const store = new RecordingStore(opts);
    await store.#repairHeaders();
    await store.#sweep();
    store.#schedule();
    return store;
  }

  get dir(): string {
    return this.#opts.dir;
  }

  stats(): RecordingStoreStats {
    return { ...this.#stats, active: this.#active.size };
  }

  /**
   * A new recording for the call with record id `recordId` (a UUID the gateway made: file names never
   * carry remote input), or undefined when refused (budget reached, store closed).
   */
  start(recordId: string, log: Logger): ActiveRecording | undefined {
    const { maxTotalBytes } = this.#opts;
    if (this.#closed) return undefined;
    if (maxTotalBytes > 0 && this.#stats.totalBytes >= maxTotalBytes) {
      this.#stats.refused++;
      log.warn({ totalBytes: this.#stats.totalBytes, maxTotalBytes }, 'call recording refused: the recordings directory is at its disk budget (RECORDINGS_MAX_TOTAL_MB)');
      return undefined;
    }
    const file = `${compactIso(this.#opts.clock.wallNow())}-${recordId}.wav`;
    if (!RECORDING_FILE.test(file)) throw new Error(`not a recording file name: ${file}`);
    const writer = new WavChunkWriter(join(this.#opts.dir, file), log, { onBytes: (n) => (this.#stats.totalBytes += n) });
    const recorder = new CallRecorder(writer, this.#opts.clock, { maxDurationMs: this.#opts.maxDurationS * 1000 });
    this.#stats.started++;
    this.#active.add(file);
    let finished: { stats: CallRecorderStats; done: Promise<FinishedRecording> } | undefined;
    return {
      file,
      path: join(this.#opts.dir, file),
      recorder,
      finish: () => {
        if (finished) return finished;
        const stats = recorder.stop();
        const done = writer.finish().then((w) => {
          this.#active.delete(file);
          this.#stats.droppedFrames += w.droppedFrames;
          return { ...stats, file, droppedFrames: w.droppedFrames, dataBytes: w.dataBytes, error: w.error };
        });
        this.#finishing.add(done);
        void done.finally(() => this.#finishing.delete(done));
        finished = { stats, done };
        return finished;
      },
    };
  }

  /** Stops the sweep and waits for every recording being finished (their calls have ended first). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#opts.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#sweeping;
    await Promise.allSettled([...this.#finishing]);
  }

  /** One sweep now (tests; the timer runs it hourly). */
  sweepNow(): Promise<void> {
    return this.#sweep();
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = this.#opts.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#sweep().finally(() => this.#schedule());
    }, SWEEP_INTERVAL_MS);
  }

  #sweep(): Promise<void> {
    if (this.#sweeping) return this.#sweeping;
    const { retentionDays, dir, clock } = this.#opts;
    this.#sweeping = (async () => {
      try {
        const r = await sweepRecordings(dir, { nowMs: clock.wallNow(), maxAgeMs: retentionDays > 0 ? retentionDays * DAY_MS : undefined, active: new Set(this.#active) });
        this.#stats.deleted += r.deleted;
        if (!r.partial) this.#stats.totalBytes = r.keptBytes;
        else this.#stats.totalBytes = Math.max(0, this.#stats.totalBytes - r.deletedBytes);
        if (r.deleted > 0 || r.partial) this.#logger.info({ deleted: r.deleted, deletedBytes: r.deletedBytes, partial: r.partial }, 'call recordings past retention deleted');
      } catch (err) {
        this.#logger.error({ err: describeError(err, { firstLine: true }), dir }, 'call recordings retention sweep failed');
      } finally {
        this.#sweeping = undefined;
      }
    })();
    return this.#sweeping;
  }

  /** A SIGKILL'd process leaves headers that do not state the last chunk: fix them before anything else runs. */
  async #repairHeaders(): Promise<void> {
    const entries = await opendir(this.#opts.dir);
    let scanned = 0;
    for await (const entry of entries) {
      if (scanned++ >= MAX_REPAIR_SCAN) break;
      if (!entry.isFile() || !RECORDING_FILE.test(entry.name)) continue;
      const outcome = await repairWavHeader(join(this.#opts.dir, entry.name)).catch((err: unknown) => {
        this.#logger.warn({ file: entry.name, err: describeError(err, { firstLine: true }) }, 'call recording header could not be checked');
        return 'foreign' as const;
      });
      if (outcome === 'repaired') {
        this.#stats.repaired++;
        this.#logger.warn({ file: entry.name }, 'call recording left unfinished by a crash: header repaired from the file length');
      }
    }
  }
}

/** 20261207T130501Z */
function compactIso(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}
