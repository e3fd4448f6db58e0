/**
 * Call records in SQLite, written by their own thread. On the event loop, observing a call event costs
 * a push onto a batch; the batch is posted (one structured clone) to the records thread at most every
 * POST_EVERY_MS, and the thread commits it to the WAL at once. Commits, checkpoints and fsyncs
 * therefore never delay a media tick, even when the disk stalls (`make bench` measures both sides).
 * The period, not one post per event-loop turn, is what keeps the thread cheap under load: with
 * hundreds of calls nearly every turn has an event, and each post wakes the thread (which shares the
 * gateway's core) for a transaction of its own (docs/performance.md).
 *
 * An event counts as recorded once the thread reports its commit (`stats().eventsWritten`); from then
 * on a crash or kill -9 cannot lose it. What a kill -9 can lose is only what was in flight: at most
 * POST_EVERY_MS of events and the one commit under way. `flushed()` (which posts at once) resolves
 * once everything observed so far is committed.
 *
 * The thread keeps events the file refuses (disk full, I/O error) in a bounded backlog and retries;
 * the health check reports the store as not writable meanwhile.
 */
import { Worker } from 'node:worker_threads';
import type { CallEvent, CallObserver, CallRef } from '../call/call-observer.js';
import type { Logger } from '../log.js';
import type { CallRecord, CallSummary } from './call-record.js';
import { MAX_LIST, type ListQuery, type PendingEvent } from './record-database.js';
import type { FromThread, ThreadHealth, ToThread } from './record-thread-protocol.js';
import { describeError } from '../describe-error.js';

export { MAX_LIST, type ListQuery } from './record-database.js';
export type { ThreadHealth as StoreHealth } from './record-thread-protocol.js';

/** Events held while the file refuses writes; beyond it the oldest are dropped (and counted). */
export const MAX_BACKLOG = 10_000;
/** How soon a failed write is retried, ms. */
export const RETRY_MS = 1_000;
/** How often old records are pruned, ms. */
export const PRUNE_EVERY_MS = 3_600_000;
/** The longest observed events wait before they are handed to the thread, ms. */
export const POST_EVERY_MS = 50;
/** The longest a read, a flush or the close may take before it fails, ms. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface RecordStoreOptions {
  path: string;
  logger: Logger;
  /** Records older than this are pruned (0: kept forever). */
  retentionDays: number;
}

export interface StoreStats {
  /** Events observed (handed to the store). */
  eventsObserved: number;
  /** Events committed: durable. */
  eventsWritten: number;
  transactions: number;
  writeErrors: number;
  droppedEvents: number;
  /** Records-thread time spent committing, µs: total and the slowest transaction. */
  writeMicros: number;
  maxWriteMicros: number;
  /** Event-loop time spent handing events to the thread, µs. */
  postMicros: number;
  callbacks: number;
  prunedCalls: number;
}

export class SqliteRecordStore implements CallObserver {
  readonly path: string;
  readonly #worker: Worker;
  readonly #logger: Logger;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  readonly #flushWaiters: Array<{ upTo: number; resolve: () => void }> = [];
  readonly #stats: StoreStats = {
    eventsObserved: 0,
    eventsWritten: 0,
    transactions: 0,
    writeErrors: 0,
    droppedEvents: 0,
    writeMicros: 0,
    maxWriteMicros: 0,
    postMicros: 0,
    callbacks: 0,
    prunedCalls: 0,
  };
  #batch: PendingEvent[] = [];
  #postTimer: NodeJS.Timeout | undefined;
  #nextId = 1;
  #lastError: string | undefined;
  #backlog = 0;
  #closed = false;
  #exited = false;

  private constructor(opts: RecordStoreOptions, worker: Worker) {
    this.path = opts.path;
    this.#worker = worker;
    this.#logger = opts.logger;
    worker.on('message', (m: FromThread) => this.#onMessage(m));
    worker.on('error', (err) => {
      this.#lastError = err.message;
      this.#logger.error({ err }, 'records: thread failed');
    });
    worker.on('exit', () => {
      this.#exited = true;
      for (const [id, p] of this.#pending) {
        clearTimeout(p.timer);
        p.reject(new Error('the records thread has stopped'));
        this.#pending.delete(id);
      }
    });
    // The gateway's own lifecycle decides when the process ends, not the records thread.
    worker.unref();
  }

  /** Starts the records thread on `path` (creating, migrating and locking the file). Throws when the file cannot be used. */
  static async open(opts: RecordStoreOptions): Promise<SqliteRecordStore> {
    const worker = new Worker(threadUrl(), {
      workerData: { path: opts.path, retentionDays: opts.retentionDays, pruneEveryMs: PRUNE_EVERY_MS, retryMs: RETRY_MS, maxBacklog: MAX_BACKLOG },
      execArgv: threadExecArgv(),
      // The thread's own heap is small: the database pages live in SQLite's memory.
      resourceLimits: { maxOldGenerationSizeMb: 128 },
    });
    const first = await new Promise<FromThread>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the records thread exited (code ${code}) before opening the file`)));
    });
    if (first.kind === 'open-failed') {
      await worker.terminate();
      throw new Error(first.error);
    }
    if (first.kind !== 'ready') throw new Error(`records thread: unexpected first message ${first.kind}`);
    const store = new SqliteRecordStore(opts, worker);
    if (first.lost > 0) opts.logger.warn({ calls: first.lost, path: opts.path }, 'records: calls left open by the previous process closed as lost');
    return store;
  }

  // ---------------------------------------------------------------- writing (event loop)

  onCallEvent(ref: CallRef, event: CallEvent): void {
    if (this.#closed) return;
    this.#stats.eventsObserved++;
    this.#batch.push({ ref, event });
    if (this.#postTimer === undefined) {
      // One message per period, whatever the number of events and turns in it. Unref'd: close()
      // posts what waits, and a pending post must not keep a finished process alive.
      this.#postTimer = setTimeout(this.#postNow, POST_EVERY_MS).unref();
    }
  }

  readonly #postNow = (): void => this.#post();

  #post(): void {
    if (this.#postTimer !== undefined) {
      clearTimeout(this.#postTimer);
      this.#postTimer = undefined;
    }
    if (this.#batch.length === 0 || this.#exited) return;
    const started = performance.now();
    const batch = this.#batch;
    this.#batch = [];
    this.#worker.postMessage({ kind: 'events', batch } satisfies ToThread);
    this.#stats.postMicros += (performance.now() - started) * 1000;
  }

  /** Resolves once every event observed so far is committed (or rejects after a bound). */
  flushed(timeoutMs = REQUEST_TIMEOUT_MS): Promise<void> {
    const upTo = this.#stats.eventsObserved;
    if (this.#stats.eventsWritten + this.#stats.droppedEvents >= upTo) return Promise.resolve();
    this.#post();
    return new Promise((resolve, reject) => {
      const waiter = { upTo, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        const i = this.#flushWaiters.indexOf(waiter);
        if (i >= 0) this.#flushWaiters.splice(i, 1);
        reject(new Error(`records: ${upTo - this.#stats.eventsWritten} events not committed after ${timeoutMs} ms${this.#lastError ? ` (${this.#lastError})` : ''}`));
      }, timeoutMs);
      this.#flushWaiters.push(waiter);
    });
  }

  // ---------------------------------------------------------------- requests

  /** A Connect-side event for a contact; resolves once committed. */
  async recordCallback(contactId: string, event: string, data: Record<string, unknown>): Promise<void> {
    await this.#request({ kind: 'callback', id: 0, contactId, event, data });
    this.#stats.callbacks++;
  }

  list(query: ListQuery): Promise<CallSummary[]> {
    return this.#request({ kind: 'list', id: 0, query }) as Promise<CallSummary[]>;
  }

  /** One call by record id, or by SIP Call-ID (the most recent call with it). */
  async get(key: string): Promise<CallRecord | undefined> {
    return ((await this.#request({ kind: 'get', id: 0, key })) as CallRecord | null) ?? undefined;
  }

  /** Writable: the thread runs, nothing waits to be written, and a probe row was just written. */
  async health(): Promise<ThreadHealth> {
    if (this.#closed || this.#exited) return { writable: false, backlog: this.#backlog, lastError: this.#lastError ?? 'closed' };
    try {
      return (await this.#request({ kind: 'health', id: 0 }, 3_000)) as ThreadHealth;
    } catch (err) {
      return { writable: false, backlog: this.#backlog, lastError: describeError(err) };
    }
  }

  /** Deletes ended calls older than the retention now (the thread also does it every hour). */
  prune(): Promise<number> {
    return this.#request({ kind: 'prune', id: 0 }) as Promise<number>;
  }

  stats(): Readonly<StoreStats & { backlog: number }> {
    return { ...this.#stats, backlog: this.#backlog };
  }

  /** Hands over what is waiting, lets the thread commit it, checkpoint the WAL and close the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#post();
    this.#closed = true;
    try {
      const left = (await this.#request({ kind: 'close', id: 0 })) as number;
      if (left > 0) this.#logger.error({ events: left, error: this.#lastError }, 'records: closed with events that could not be written');
    } catch (err) {
      this.#logger.error({ err }, 'records: close failed');
    }
    await this.#worker.terminate();
  }

  #request(message: ToThread, timeoutMs = REQUEST_TIMEOUT_MS): Promise<unknown> {
    if (this.#exited) return Promise.reject(new Error('the records thread has stopped'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`records: no answer to ${message.kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#worker.postMessage({ ...message, id });
    });
  }

  #onMessage(m: FromThread): void {
    switch (m.kind) {
      case 'committed': {
        const s = this.#stats;
        s.eventsWritten += m.events;
        s.transactions++;
        s.writeMicros += m.micros;
        if (m.micros > s.maxWriteMicros) s.maxWriteMicros = m.micros;
        this.#backlog = 0;
        if (this.#lastError !== undefined) this.#logger.info({ events: m.events }, 'records: writing again');
        this.#lastError = undefined;
        this.#wakeFlushWaiters();
        return;
      }
      case 'write-failed':
        this.#stats.writeErrors++;
        this.#stats.droppedEvents = m.dropped;
        this.#backlog = m.backlog;
        if (this.#lastError === undefined) this.#logger.error({ error: m.error, backlog: m.backlog }, 'records: write failed; retrying');
        this.#lastError = m.error;
        this.#wakeFlushWaiters();
        return;
      case 'pruned':
        this.#stats.prunedCalls += m.calls;
        this.#logger.info({ calls: m.calls }, 'records: pruned old calls');
        return;
      case 'reply': {
        const p = this.#pending.get(m.id);
        if (!p) return;
        this.#pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.value);
        else p.reject(new Error(m.error));
        return;
      }
      default:
        return;
    }
  }

  #wakeFlushWaiters(): void {
    const done = this.#stats.eventsWritten + this.#stats.droppedEvents;
    for (const w of [...this.#flushWaiters]) {
      if (done >= w.upTo) {
        this.#flushWaiters.splice(this.#flushWaiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
}

/** The thread's module: the compiled .js beside this file, or the .ts source when run from sources (tests). */
function threadUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './record-thread.ts' : './record-thread.js', import.meta.url);
}

/**
 * From TypeScript sources (tests), Node strips the types itself, but the modules import each other by
 * their compiled .js names: a resolve hook in the thread maps a missing relative .js to its .ts.
 */
function threadExecArgv(): string[] {
  if (!import.meta.url.endsWith('.ts')) return [];
  const hook = `import { registerHooks } from 'node:module';
registerHooks({ resolve(s, c, next) { try { return next(s, c); } catch (e) { if (/^\\.\\.?\\//.test(s) && s.endsWith('.js')) return next(s.slice(0, -3) + '.ts', c); throw e; } } });`;
  return ['--import', `data:text/javascript,${encodeURIComponent(hook)}`];
}
