/**
 * The call-records schema, as numbered migrations. `schema_version` holds the version the file is at;
 * opening a file runs every later migration, each in its own transaction, so a file from an older
 * gateway is brought forward and a crash mid-migration leaves the previous version intact. A file
 * from a newer gateway is refused (its columns may mean something this one does not know).
 */
import type { DatabaseSync } from 'node:sqlite';

const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      -- One row per call: a summary kept current from its events (in the same transaction), for listing.
      CREATE TABLE calls (
        record_id TEXT PRIMARY KEY,
        call_id TEXT NOT NULL,
        contact_id TEXT,
        initial_contact_id TEXT,
        instance_id TEXT,
        from_user TEXT,
        to_user TEXT,
        source TEXT,
        invited_at INTEGER NOT NULL,
        answered_at INTEGER,
        ended_at INTEGER,
        end_reason TEXT,
        codec TEXT,
        mode TEXT,
        srtp INTEGER,
        loss_ratio REAL,
        jitter_ms REAL,
        concealed_frames INTEGER,
        mos REAL,
        hand_back_outcome TEXT,
        hand_back_ok INTEGER,
        last_event_at INTEGER NOT NULL
      );
      CREATE INDEX calls_invited_at ON calls (invited_at);
      CREATE INDEX calls_call_id ON calls (call_id);
      CREATE INDEX calls_contact_id ON calls (contact_id);
      CREATE INDEX calls_initial_contact_id ON calls (initial_contact_id);
      CREATE INDEX calls_open ON calls (ended_at) WHERE ended_at IS NULL;
      -- What each call observed, in order, append-only: the record itself.
      CREATE TABLE call_events (
        record_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (record_id, seq)
      ) WITHOUT ROWID;
      -- Events from the Connect side (POST /amazon-connect/callback), matched to calls by contact id.
      CREATE TABLE callbacks (
        id INTEGER PRIMARY KEY,
        contact_id TEXT NOT NULL,
        event TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX callbacks_contact_id ON callbacks (contact_id);
      CREATE INDEX callbacks_received_at ON callbacks (received_at);
      -- One row the health check rewrites: proof that the file still takes writes.
      CREATE TABLE health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
    `,
  },
];

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

export class SchemaError extends Error {}

/** Brings the file to SCHEMA_VERSION. Returns the version it was at (0: new file). */
export function migrate(db: DatabaseSync): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null } | undefined;
  const from = row?.v ?? 0;
  if (from > SCHEMA_VERSION) throw new SchemaError(`the records file is at schema version ${from}, newer than this gateway's ${SCHEMA_VERSION}`);
  for (const m of MIGRATIONS) {
    if (m.version <= from) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(m.version);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
  return from;
}
