/**
 * The call-records database, synchronous: node:sqlite on a WAL-mode file, opened with an exclusive
 * lock (one gateway process per file), migrated, and the calls a previous process left open closed as
 * `lost` at their last event. It runs inside the records thread (record-thread.ts), never on the
 * gateway's event loop: its commits, WAL checkpoints and fsyncs cannot delay a media tick.
 *
 * synchronous=NORMAL in WAL mode: a committed transaction survives a crash or kill -9 of the process
 * (it is in the WAL, replayed on the next open); only an operating-system crash or power loss can
 * drop the last commits.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { CallEvent, CallRef } from '../call/call-observer.js';
import { recordOf, summaryOf, type CallbackRecord, type CallRecord, type CallRow, type CallSummary, type StoredEvent } from './call-record.js';
import { migrate } from './schema.js';

/** Rows deleted per pruning transaction. */
const PRUNE_BATCH = 500;
/** Longest list a query returns. */
export const MAX_LIST = 500;

export interface ListQuery {
  limit: number;
  /** Only calls invited before this wall-clock ms (paging: pass the last invitedAt seen). */
  before?: number | undefined;
  /** Only calls of this Connect contact (contact id or initial contact id). */
  contactId?: string | undefined;
}

export interface PendingEvent {
  ref: CallRef;
  event: CallEvent;
}

export class RecordDatabase {
  readonly #db: DatabaseSync;
  readonly #seq = new Map<string, number>();
  readonly #stmt: Record<'insertCall' | 'insertEvent' | 'touch' | 'answered' | 'quality' | 'handBack' | 'ended' | 'callback' | 'probe', StatementSync>;
  /** Calls the previous process left open, closed as lost when this one opened the file. */
  readonly lostOnOpen: number;

  private constructor(db: DatabaseSync, nowMs: number) {
    this.#db = db;
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
    this.lostOnOpen = this.#closeLostCalls(nowMs);
  }

  /**
   * Opens (creating it and its folder when missing) and migrates the file, takes the exclusive lock,
   * and closes the calls a previous process left open. Throws when the file cannot be used.
   */
  static open(path: string, nowMs: number): RecordDatabase {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new DatabaseSync(path);
    try {
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      // Take the lock now (the first write does): a second process fails here, not mid-call.
      db.exec('BEGIN IMMEDIATE; COMMIT');
      migrate(db);
      return new RecordDatabase(db, nowMs);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Commits the events in one transaction; throws (and keeps nothing of them) when it cannot. */
  write(batch: readonly PendingEvent[]): void {
    if (batch.length === 0) return;
    this.#db.exec('BEGIN');
    try {
      for (const p of batch) this.#write(p.ref, p.event);
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      // Sequence numbers taken by the rolled-back events are taken again on the retry.
      for (const p of batch) this.#seq.delete(p.ref.recordId);
      throw err;
    }
    for (const p of batch) if (p.event.type === 'ended') this.#seq.delete(p.ref.recordId);
  }

  /** A Connect-side event for a contact (it may arrive before, during or after the call). */
  recordCallback(contactId: string, event: string, data: Record<string, unknown>, nowMs: number): void {
    this.#stmt.callback.run(contactId, event, nowMs, JSON.stringify(data));
  }

  /** Rewrites the one probe row: throws when the file no longer takes writes. */
  probe(nowMs: number): void {
    this.#stmt.probe.run(nowMs);
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

  #closeLostCalls(nowMs: number): number {
    const open = this.#db.prepare('SELECT record_id, call_id, last_event_at FROM calls WHERE ended_at IS NULL').all() as Array<{ record_id: string; call_id: string; last_event_at: number }>;
    if (open.length === 0) return 0;
    const detectedAt = nowMs;
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

  /** Deletes ended calls (with their events) and callbacks invited/received before `cutoffMs`; returns calls deleted. */
  prune(cutoffMs: number): number {
    const pick = this.#db.prepare('SELECT record_id FROM calls WHERE invited_at < ? AND ended_at IS NOT NULL LIMIT ?');
    const delEvents = this.#db.prepare('DELETE FROM call_events WHERE record_id = ?');
    const delCall = this.#db.prepare('DELETE FROM calls WHERE record_id = ?');
    const delCallbacks = this.#db.prepare('DELETE FROM callbacks WHERE id IN (SELECT id FROM callbacks WHERE received_at < ? LIMIT ?)');
    let total = 0;
    for (;;) {
      const ids = pick.all(cutoffMs, PRUNE_BATCH) as Array<{ record_id: string }>;
      if (ids.length > 0) {
        this.#db.exec('BEGIN');
        for (const { record_id } of ids) {
          delEvents.run(record_id);
          delCall.run(record_id);
        }
        this.#db.exec('COMMIT');
        total += ids.length;
      }
      const callbacks = Number(delCallbacks.run(cutoffMs, PRUNE_BATCH).changes);
      if (ids.length < PRUNE_BATCH && callbacks < PRUNE_BATCH) return total;
    }
  }

  /** Checkpoints the WAL into the file and closes it. */
  close(): void {
    try {
      this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      this.#db.close();
    }
  }
}
