/**
 * Messages between the gateway's event loop and the records thread. Events flow one way in batches
 * (one message per event-loop turn); every other request carries an id and gets one reply.
 */
import type { CallRecord, CallSummary } from './call-record.js';
import type { ListQuery, PendingEvent } from './record-database.js';

export interface RecordThreadInit {
  path: string;
  retentionDays: number;
  /** How often old records are pruned, ms. */
  pruneEveryMs: number;
  /** How soon a failed write is retried, ms. */
  retryMs: number;
  /** Events held while the file refuses writes; beyond it the oldest are dropped (and counted). */
  maxBacklog: number;
}

export type ToThread =
  | { kind: 'events'; batch: PendingEvent[] }
  | { kind: 'callback'; id: number; contactId: string; event: string; data: Record<string, unknown> }
  | { kind: 'list'; id: number; query: ListQuery }
  | { kind: 'get'; id: number; key: string }
  | { kind: 'health'; id: number }
  | { kind: 'prune'; id: number }
  | { kind: 'close'; id: number };

export interface ThreadHealth {
  writable: boolean;
  /** Events received but not committed (the file refuses writes). */
  backlog: number;
  lastError: string | undefined;
}

export type FromThread =
  | { kind: 'ready'; lost: number }
  | { kind: 'open-failed'; error: string }
  /** Events committed (durable) since the last report, and the transaction's cost. */
  | { kind: 'committed'; events: number; micros: number }
  | { kind: 'write-failed'; error: string; backlog: number; dropped: number }
  | { kind: 'pruned'; calls: number }
  | { kind: 'reply'; id: number; ok: true; value: CallSummary[] | CallRecord | null | ThreadHealth | number | undefined }
  | { kind: 'reply'; id: number; ok: false; error: string };
