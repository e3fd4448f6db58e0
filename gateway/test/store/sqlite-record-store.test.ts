/**
 * The records store as the gateway uses it: events observed on the event loop, committed by the
 * records thread (a real worker_threads Worker on a real file).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/call/call-observer.js';
import { createRootLogger } from '../../src/log.js';
import { POST_EVERY_MS, SqliteRecordStore } from '../../src/store/sqlite-record-store.js';

const log = createRootLogger('silent');

const offered = (at: number, contactId: string): CallEvent => ({
  type: 'offered',
  at,
  from: '+15550100',
  to: '+15550199',
  source: 'udp:10.0.0.9:5060',
  contactId,
  initialContactId: contactId,
  instanceId: undefined,
});

describe('SqliteRecordStore (records thread)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'records-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const open = (path = join(dir, 'calls.db'), retentionDays = 30) => SqliteRecordStore.open({ path, logger: log, retentionDays });

  it('commits what the event loop observed; flushed() says when it is durable', async () => {
    const store = await open();
    const now = Date.now();
    const ref = { recordId: 'r-1', callId: 'one@x' };
    store.onCallEvent(ref, offered(now, 'c-1'));
    store.onCallEvent(ref, { type: 'transcript', at: now + 1, role: 'user', text: 'hello', itemId: 'i' });
    store.onCallEvent(ref, { type: 'ended', at: now + 2, reason: 'remote-bye', durationMs: 2, quality: undefined });
    expect(store.stats().eventsObserved).toBe(3);
    await store.flushed();
    expect(store.stats()).toMatchObject({ eventsWritten: 3, writeErrors: 0, backlog: 0 });
    // The events of one period went in one transaction.
    expect(store.stats().transactions).toBe(1);
    const record = await store.get('r-1');
    expect(record).toMatchObject({ callId: 'one@x', endReason: 'remote-bye', transcript: [{ role: 'user', text: 'hello' }] });
    expect((await store.list({ limit: 10, contactId: 'c-1' })).map((c) => c.id)).toEqual(['r-1']);
    expect(await store.get('missing')).toBeUndefined();
    await store.recordCallback('c-1', 'flow.resumed', { queue: 'Orders' });
    expect((await store.get('one@x'))!.callbacks).toMatchObject([{ event: 'flow.resumed', data: { queue: 'Orders' } }]);
    expect(await store.health()).toEqual({ writable: true, backlog: 0, lastError: undefined });
    await store.close();
    expect((await store.health()).writable).toBe(false);
  });

  it('posts the events of many event-loop turns as one batch: one transaction per period, not per turn', async () => {
    const store = await open();
    const now = Date.now();
    const ref = { recordId: 'r-turns', callId: 'turns@x' };
    store.onCallEvent(ref, offered(now, 'c-turns'));
    // Five turns, each with an event, well inside one period.
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      store.onCallEvent(ref, { type: 'transcript', at: now + i + 1, role: 'user', text: `turn ${i}`, itemId: `i${i}` });
    }
    const started = performance.now();
    // Nothing was posted yet: the period has not passed.
    expect(store.stats().postMicros).toBe(0);
    await new Promise<void>((resolve) => setTimeout(resolve, POST_EVERY_MS + 50));
    expect(performance.now() - started).toBeGreaterThanOrEqual(POST_EVERY_MS);
    expect(store.stats().postMicros).toBeGreaterThan(0);
    await store.flushed();
    expect(store.stats()).toMatchObject({ eventsWritten: 6, transactions: 1 });
    expect((await store.get('r-turns'))!.transcript).toHaveLength(5);
    await store.close();
  });

  it('what was committed survives the process as a kill -9 leaves the files, and the next open closes the call as lost', async () => {
    const path = join(dir, 'calls.db');
    const store = await open(path);
    const now = Date.now();
    const ref = { recordId: 'r-k', callId: 'killed@x' };
    store.onCallEvent(ref, offered(now, 'c-k'));
    store.onCallEvent(ref, { type: 'answered', at: now + 100, codec: 'PCMU', mode: 'passthrough', srtp: false });
    await store.flushed();
    const copy = join(dir, 'after-kill.db');
    copyFileSync(path, copy);
    copyFileSync(`${path}-wal`, `${copy}-wal`);
    await store.close();
    const reopened = await open(copy);
    const record = (await reopened.get('r-k'))!;
    expect(record.events.map((e) => e.type)).toEqual(['offered', 'answered', 'lost']);
    expect(record.endReason).toBe('lost');
    await reopened.close();
  });

  it('refuses a second store on the same file (exclusive lock) with a clear error', async () => {
    const path = join(dir, 'calls.db');
    const first = await open(path);
    await expect(open(path)).rejects.toThrow(/locked|busy/i);
    await first.close();
    await (await open(path)).close();
  });

  it('prunes on request with the configured retention', async () => {
    const store = await open(join(dir, 'p.db'), 1);
    const old = Date.now() - 3 * 86_400_000;
    store.onCallEvent({ recordId: 'old', callId: 'o' }, offered(old, 'c-o'));
    store.onCallEvent({ recordId: 'old', callId: 'o' }, { type: 'ended', at: old + 1, reason: 'remote-bye', durationMs: 1, quality: undefined });
    store.onCallEvent({ recordId: 'new', callId: 'n' }, offered(Date.now(), 'c-n'));
    await store.flushed();
    expect(await store.prune()).toBe(1);
    expect((await store.list({ limit: 10 })).map((c) => c.id)).toEqual(['new']);
    await store.close();
  });
});
