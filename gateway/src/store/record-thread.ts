/**
 * The records thread (a worker_threads Worker): owns the records database, commits each batch of call
 * events as it arrives, retries while the file refuses writes (keeping a bounded backlog), answers the
 * HTTP API's reads, and prunes old records. Everything that touches the disk happens here, off the
 * gateway's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RecordDatabase, type PendingEvent } from './record-database.js';
import type { FromThread, RecordThreadInit, ThreadHealth, ToThread } from './record-thread-protocol.js';
import { describeError } from '../describe-error.js';

const port = parentPort;
if (port === null) throw new Error('record-thread.ts runs as a worker thread');
const init = workerData as RecordThreadInit;
const send = (m: FromThread): void => port.postMessage(m);

let db: RecordDatabase;
try {
  db = RecordDatabase.open(init.path, Date.now());
} catch (err) {
  send({ kind: 'open-failed', error: describeError(err) });
  process.exit(0);
}
send({ kind: 'ready', lost: db.lostOnOpen });

const backlog: PendingEvent[] = [];
let lastError: string | undefined;
let retry: NodeJS.Timeout | undefined;
let dropped = 0;
let closed = false;

function flush(): void {
  if (backlog.length === 0 || closed) return;
  const started = performance.now();
  try {
    db.write(backlog);
  } catch (err) {
    lastError = describeError(err);
    send({ kind: 'write-failed', error: lastError, backlog: backlog.length, dropped });
    retry ??= setTimeout(() => {
      retry = undefined;
      flush();
    }, init.retryMs);
    return;
  }
  const events = backlog.length;
  backlog.length = 0;
  lastError = undefined;
  send({ kind: 'committed', events, micros: (performance.now() - started) * 1000 });
}

function health(): ThreadHealth {
  if (backlog.length === 0) {
    try {
      db.probe(Date.now());
      lastError = undefined;
    } catch (err) {
      lastError = describeError(err);
    }
  }
  return { writable: backlog.length === 0 && lastError === undefined, backlog: backlog.length, lastError };
}

function prune(): number {
  if (init.retentionDays <= 0) return 0;
  const calls = db.prune(Date.now() - init.retentionDays * 86_400_000);
  if (calls > 0) send({ kind: 'pruned', calls });
  return calls;
}

const pruner = init.retentionDays > 0 ? setInterval(() => safely(prune), init.pruneEveryMs) : undefined;
safely(prune);

function safely(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    lastError = describeError(err);
  }
}

port.on('message', (m: ToThread) => {
  if (m.kind === 'events') {
    for (const e of m.batch) {
      if (backlog.length >= init.maxBacklog) {
        backlog.shift();
        dropped++;
      }
      backlog.push(e);
    }
    if (retry === undefined) flush();
    return;
  }
  try {
    switch (m.kind) {
      case 'callback':
        db.recordCallback(m.contactId, m.event, m.data, Date.now());
        send({ kind: 'reply', id: m.id, ok: true, value: undefined });
        return;
      case 'list':
        send({ kind: 'reply', id: m.id, ok: true, value: db.list(m.query) });
        return;
      case 'get':
        send({ kind: 'reply', id: m.id, ok: true, value: db.get(m.key) ?? null });
        return;
      case 'health':
        send({ kind: 'reply', id: m.id, ok: true, value: health() });
        return;
      case 'prune':
        send({ kind: 'reply', id: m.id, ok: true, value: prune() });
        return;
      case 'close':
        clearTimeout(retry);
        retry = undefined;
        flush();
        closed = true;
        if (pruner) clearInterval(pruner);
        db.close();
        send({ kind: 'reply', id: m.id, ok: true, value: backlog.length });
        port.close();
        return;
    }
  } catch (err) {
    send({ kind: 'reply', id: m.id, ok: false, error: describeError(err) });
  }
});
