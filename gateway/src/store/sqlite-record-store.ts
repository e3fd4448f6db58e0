/**
 * Call records in SQLite (node:sqlite): every CallEvent is committed as it happens, in a WAL-mode
 * file, before the observer call returns. A crash or `kill -9` therefore loses nothing already
 * observed: a committed transaction is in the WAL, and the next open replays it (synchronous=NORMAL:
 * only an operating-system crash or power loss can drop the last commits). Calls left open by such a
 * stop are closed on the next start with end reason `lost` at their last event's time.
 *
 * The writes run on the event loop, synchronously, so they must stay cheap: one small INSERT and one
 * UPDATE per event in one transaction (tens of microseconds; `make bench` measures it). A write that
 * fails (disk full, I/O error) keeps the event in a bounded backlog that is retried; the health check
 * reports the store as not writable meanwhile.
 *
 * The file is opened with an exclusive lock: one gateway process per file (a second one is refused at
 * start-up instead of recovering, and so closing, the first one's live calls).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { CallEvent, CallObserver, CallRef } from '../call/call-observer.js';
import type { Clock, TimerId } from '../clock.js';
import type { Logger } from '../log.js';
import { recordOf, summaryOf, type CallbackRecord, type CallRecord, type CallRow, type CallSummary, type StoredEvent } from './call-record.js';
import { migrate } from './schema.js';

/** Events held in memory while the file refuses writes; beyond it the oldest are dropped (and counted). */
export const MAX_BACKLOG = 10_000;
/** How soon a failed write is retried, ms. */
const RETRY_MS = 1_000;
/** Rows deleted per pruning step (one step per event-loop turn). */
const PRUNE_BATCH = 500;
/** The health probe writes at most this often, ms. */
const PROBE_EVERY_MS = 5_000;
/** How often old records are pruned, ms. */
export const PRUNE_EVERY_MS = 3_600_000;
/** Longest list a query returns. */
export const MAX_LIST = 500;

export interface RecordStoreOptions {
  path: string;
  clock: Clock;
  logger: Logger;
  /** Records older than this are pruned (0: kept forever). */
  retentionDays: number;
}

export interface StoreHealth {
  writable: boolean;
  backlog: number;
  lastError: string | undefined;
}

export interface StoreStats {
  eventsWritten: number;
  transactions: number;
  writeErrors: number;
  droppedEvents: number;
  /** Time spent committing, µs: total and the slowest transaction. */
  writeMicros: number;
  maxWriteMicros: number;
  callbacks: number;
  prunedCalls: number;
}

export interface ListQuery {
  limit: number;
  /** Only calls invited before this wall-clock ms (paging: pass the last invitedAt seen). */
  before?: number | undefined;
  /** Only calls of this Connect contact (contact id or initial contact id). */
  contactId?: string | undefined;
}

interface Pending {
  ref: CallRef;
  event: CallEvent;
}

export class SqliteRecordStore implements CallObserver {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #retentionMs: number;
  readonly #seq = new Map<string, number>();
  readonly #backlog: Pending[] = [];
  readonly #stmt: Record<'insertCall' | 'insertEvent' | 'touch' | 'answered' | 'quality' | 'handBack' | 'ended' | 'callback' | 'probe', StatementSync>;
  readonly #stats: StoreStats = { eventsWritten: 0, transactions: 0, writeErrors: 0, droppedEvents: 0, writeMicros: 0, maxWriteMicros: 0, callbacks: 0, prunedCalls: 0 };
  #lastError: string | undefined;
  #retry: TimerId | undefined;
  #lastProbeAt = Number.NEGATIVE_INFINITY;
  #pruneTimer: TimerId | undefined;
  #closed = false;

  private constructor(opts: RecordStoreOptions, db: DatabaseSync) {
    this.path = opts.path;
    this.#db = db;
    this.#clock = opts.clock;
    this.#log = opts.logger;
    this.#retentionMs = opts.retentionDays * 86_400_000;
    this.#stmt = {
      insertCall: db.prepare(
        `INSERT INTO calls (record_id, call_id, contact_id, initial_contact_id, instance_id, from_user, to_user, source, invited_at, last_event_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertEvent: db.prepare('INSERT INTO call_events (record_id, seq, at, type, data) VALUES (?, ?, ?, ?, ?)'),
      touch: db.prepare('UPDATE calls SET last_event_at = ? WHERE record_id = ?'),
      answered: db.prepare('UPDATE calls SET answered_at = ?, codec = ?, mode = ?, srtp = ?, last_event_at = ? WHERE record_id = ?'),
      quality: db.prepare('UPDATE calls SET loss_ratio = ?, jitter_ms = ?, concealed_frames = ?, mos = ?, last_event_at = ? WHERE record_id = ?'),
      handBack: db.prepare('UPDATE calls SET hand_back_outcome = ?, hand_back_ok = ?, last_event_at = ? WHERE record_id = ?'),
      ended: db.prepare('UPDATE calls SET ended_at = ?, end_reason = ?, last_event_at = ? WHERE record_id = ?'),
      callback: db.prepare('INSERT INTO callbacks (contact_id, event, received_at, data) VALUES (?, ?, ?, ?)'),
      probe: db.prepare('INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at'),
    };
  }

  /**
   * Opens (creating it and its folder when missing) and migrates the file, takes the exclusive lock,
   * and closes the calls a previous process left open. Throws when the file cannot be used.
   */
  static open(opts: RecordStoreOptions): SqliteRecordStore {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    const db = new DatabaseSync(opts.path);
    try {
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      // Take the lock now (the first write does): a second process fails here, not mid-call.
      db.exec('BEGIN IMMEDIATE; COMMIT');
      migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    const store = new SqliteRecordStore(opts, db);
    const lost = store.#closeLostCalls();
    if (lost > 0) opts.logger.warn({ calls: lost, path: opts.path }, 'records: calls left open by the previous process closed as lost');
    return store;
  }

  // ---------------------------------------------------------------- writing

  onCallEvent(ref: CallRef, event: CallEvent): void {
    if (this.#closed) return;
    if (this.#backlog.length >= MAX_BACKLOG) {
      this.#backlog.shift();
      this.#stats.droppedEvents++;
    }
    this.#backlog.push({ ref, event });
    if (this.#retry === undefined) this.#flush();
  }

  /** A Connect-side event for a contact (it may arrive before, during or after the call). */
  recordCallback(contactId: string, event: string, data: Record<string, unknown>): void {
    this.#stmt.callback.run(contactId, event, this.#clock.wallNow(), JSON.stringify(data));
    this.#stats.callbacks++;
  }

  /** Commits everything waiting, in one transaction. */
  #flush(): void {
    if (this.#backlog.length === 0) return;
    const started = performance.now();
    try {
      this.#db.exec('BEGIN');
      try {
        for (const p of this.#backlog) this.#write(p.ref, p.event);
        this.#db.exec('COMMIT');
      } catch (err) {
        this.#db.exec('ROLLBACK');
        throw err;
      }
    } catch (err) {
      this.#stats.writeErrors++;
      this.#lastError = err instanceof Error ? err.message : String(err);
      this.#log.error({ err, backlog: this.#backlog.length }, 'records: write failed; retrying');
      // Sequence numbers taken by the rolled-back events are taken again on the retry.
      for (const p of this.#backlog) this.#seq.delete(p.ref.recordId);
      this.#retry = this.#clock.setTimeout(() => {
        this.#retry = undefined;
        this.#flush();
      }, RETRY_MS);
      return;
    }
    const micros = (performance.now() - started) * 1000;
    this.#stats.transactions++;
    this.#stats.eventsWritten += this.#backlog.length;
    this.#stats.writeMicros += micros;
    if (micros > this.#stats.maxWriteMicros) this.#stats.maxWriteMicros = micros;
    this.#lastError = undefined;
    for (const p of this.#backlog) if (p.event.type === 'ended') this.#seq.delete(p.ref.recordId);
    this.#backlog.length = 0;
  }

  #write(ref: CallRef, e: CallEvent): void {
    const s = this.#stmt;
    const id = ref.recordId;
    if (e.type === 'offered') {
      s.insertCall.run(id, ref.callId, e.contactId ?? null, e.initialContactId ?? null, e.instanceId ?? null, e.from ?? null, e.to ?? null, e.source, e.at, e.at);
    }
    const { type, at, ...data } = e;
    s.insertEvent.run(id, this.#nextSeq(id), at, type, JSON.stringify(data));
    switch (e.type) {
      case 'offered':
        return;
      case 'answered':
        s.answered.run(e.at, e.codec, e.mode, e.srtp ? 1 : 0, e.at, id);
        return;
      case 'quality':
        s.quality.run(e.quality.lossRatio, e.quality.jitterMs, e.quality.concealedFrames, e.quality.mos, e.at, id);
        return;
      case 'hand-back':
        s.handBack.run(e.outcome, e.ok ? 1 : 0, e.at, id);
        return;
      case 'ended':
        if (e.quality) s.quality.run(e.quality.lossRatio, e.quality.jitterMs, e.quality.concealedFrames, e.quality.mos, e.at, id);
        s.ended.run(e.at, e.reason, e.at, id);
        return;
      default:
        s.touch.run(e.at, id);
    }
  }

  #nextSeq(recordId: string): number {
    let seq = this.#seq.get(recordId);
    if (seq === undefined) {
      const row = this.#db.prepare('SELECT max(seq) AS s FROM call_events WHERE record_id = ?').get(recordId) as { s: number | null } | undefined;
      seq = row?.s ?? 0;
    }
    seq += 1;
    this.#seq.set(recordId, seq);
    return seq;
  }

  #closeLostCalls(): number {
    const open = this.#db.prepare('SELECT record_id, call_id, last_event_at FROM calls WHERE ended_at IS NULL').all() as Array<{ record_id: string; call_id: string; last_event_at: number }>;
    if (open.length === 0) return 0;
    const detectedAt = this.#clock.wallNow();
    this.#db.exec('BEGIN');
    try {
      for (const row of open) {
        this.#stmt.insertEvent.run(row.record_id, this.#nextSeq(row.record_id), row.last_event_at, 'lost', JSON.stringify({ detectedAt }));
        this.#stmt.ended.run(row.last_event_at, 'lost', row.last_event_at, row.record_id);
        this.#seq.delete(row.record_id);
      }
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
    return open.length;
  }

  // ---------------------------------------------------------------- reading

  list(q: ListQuery): CallSummary[] {
    const limit = Math.max(1, Math.min(MAX_LIST, Math.floor(q.limit)));
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.before !== undefined) {
      where.push('invited_at < ?');
      args.push(q.before);
    }
    if (q.contactId !== undefined) {
      where.push('(contact_id = ? OR initial_contact_id = ?)');
      args.push(q.contactId, q.contactId);
    }
    const sql = `SELECT * FROM calls ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY invited_at DESC, record_id LIMIT ?`;
    return (this.#db.prepare(sql).all(...args, limit) as unknown as CallRow[]).map(summaryOf);
  }

  /** One call by record id, or by SIP Call-ID (the most recent call with it). */
  get(id: string): CallRecord | undefined {
    const row = (this.#db.prepare('SELECT * FROM calls WHERE record_id = ?').get(id) ??
      this.#db.prepare('SELECT * FROM calls WHERE call_id = ? ORDER BY invited_at DESC LIMIT 1').get(id)) as CallRow | undefined;
    if (row === undefined) return undefined;
    const events = (this.#db.prepare('SELECT seq, at, type, data FROM call_events WHERE record_id = ? ORDER BY seq').all(row.record_id) as Array<{
      seq: number;
      at: number;
      type: StoredEvent['type'];
      data: string;
    }>).map((e) => ({ seq: e.seq, at: new Date(e.at).toISOString(), type: e.type, data: JSON.parse(e.data) as Record<string, unknown> }));
    const contacts = [row.contact_id, row.initial_contact_id].filter((c): c is string => c !== null);
    const callbacks: CallbackRecord[] = contacts.length
      ? (this.#db
          .prepare(`SELECT contact_id, event, received_at, data FROM callbacks WHERE contact_id IN (${contacts.map(() => '?').join(', ')}) ORDER BY id`)
          .all(...contacts) as Array<{ contact_id: string; event: string; received_at: number; data: string }>).map((c) => ({
          contactId: c.contact_id,
          event: c.event,
          receivedAt: new Date(c.received_at).toISOString(),
          data: JSON.parse(c.data) as Record<string, unknown>,
        }))
      : [];
    return recordOf(row, events, callbacks);
  }

  // ---------------------------------------------------------------- upkeep

  /** Writable: nothing waits to be written, and (at most every 5 s) a probe row can be written. */
  health(): StoreHealth {
    if (!this.#closed && this.#backlog.length === 0) {
      const now = this.#clock.now();
      if (now - this.#lastProbeAt >= PROBE_EVERY_MS) {
        try {
          this.#stmt.probe.run(this.#clock.wallNow());
          this.#lastProbeAt = now;
          this.#lastError = undefined;
        } catch (err) {
          this.#lastError = err instanceof Error ? err.message : String(err);
          this.#lastProbeAt = Number.NEGATIVE_INFINITY;
        }
      }
    }
    return { writable: !this.#closed && this.#backlog.length === 0 && this.#lastError === undefined, backlog: this.#backlog.length, lastError: this.#lastError };
  }

  stats(): Readonly<StoreStats> {
    return this.#stats;
  }

  /**
   * Deletes ended calls (with their events) and callbacks older than the retention, PRUNE_BATCH rows
   * per event-loop turn so a large backlog never stalls the media path. Resolves with calls deleted.
   */
  async prune(): Promise<number> {
    if (this.#retentionMs <= 0 || this.#closed) return 0;
    const cutoff = this.#clock.wallNow() - this.#retentionMs;
    const pick = this.#db.prepare('SELECT record_id FROM calls WHERE invited_at < ? AND ended_at IS NOT NULL LIMIT ?');
    const delEvents = this.#db.prepare('DELETE FROM call_events WHERE record_id = ?');
    const delCall = this.#db.prepare('DELETE FROM calls WHERE record_id = ?');
    const delCallbacks = this.#db.prepare('DELETE FROM callbacks WHERE id IN (SELECT id FROM callbacks WHERE received_at < ? LIMIT ?)');
    let total = 0;
    for (;;) {
      if (this.#closed) return total;
      const ids = pick.all(cutoff, PRUNE_BATCH) as Array<{ record_id: string }>;
      if (ids.length > 0) {
        this.#db.exec('BEGIN');
        for (const { record_id } of ids) {
          delEvents.run(record_id);
          delCall.run(record_id);
        }
        this.#db.exec('COMMIT');
        total += ids.length;
      }
      const callbacks = Number(delCallbacks.run(cutoff, PRUNE_BATCH).changes);
      if (ids.length < PRUNE_BATCH && callbacks < PRUNE_BATCH) break;
      await new Promise((r) => setImmediate(r));
    }
    this.#stats.prunedCalls += total;
    return total;
  }

  /** Prunes now and then every PRUNE_EVERY_MS until close(). */
  startPruning(): void {
    const run = (): void => {
      this.#pruneTimer = undefined;
      this.prune().then(
        (calls) => {
          if (calls > 0) this.#log.info({ calls, retentionDays: this.#retentionMs / 86_400_000 }, 'records: pruned old calls');
        },
        (err: unknown) => this.#log.error({ err }, 'records: pruning failed'),
      );
      if (!this.#closed) this.#pruneTimer = this.#clock.setTimeout(run, PRUNE_EVERY_MS);
    };
    if (this.#retentionMs > 0 && this.#pruneTimer === undefined) run();
  }

  /** Writes what is waiting (one last try), checkpoints the WAL into the file and closes it. */
  close(): void {
    if (this.#closed) return;
    this.#clock.clearTimeout(this.#retry);
    this.#clock.clearTimeout(this.#pruneTimer);
    this.#retry = undefined;
    this.#pruneTimer = undefined;
    this.#flush();
    this.#closed = true;
    if (this.#backlog.length > 0) this.#log.error({ events: this.#backlog.length, error: this.#lastError }, 'records: closing with events that could not be written');
    try {
      this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch (err) {
      this.#log.warn({ err }, 'records: WAL checkpoint failed (the WAL keeps the data)');
    }
    this.#db.close();
  }
}
