import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallEvent, CallRef } from '../../src/call/call-observer.js';
import { ManualClock } from '../../src/clock.js';
import { createRootLogger } from '../../src/log.js';
import type { ReceiveQuality } from '../../src/rtp/index.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { SqliteRecordStore } from '../../src/store/sqlite-record-store.js';

const log = createRootLogger('silent');
const DAY = 86_400_000;

const quality = (lossRatio: number): ReceiveQuality => ({
  expected: 500,
  lost: Math.round(lossRatio * 500),
  lossRatio,
  jitterMs: 3.5,
  concealedFrames: 7,
  rttMs: 40,
  oneWayDelayMs: 60,
  r: 88,
  mos: 4.2,
});

/** A whole call's events, as the call layer emits them. */
function callEvents(at: number): CallEvent[] {
  return [
    { type: 'offered', at, from: '+15550100', to: '+15550199', source: 'udp:10.0.0.9:5060', contactId: 'c-1', initialContactId: 'ic-1', instanceId: 'inst' },
    { type: 'realtime-ready', at: at + 300, connectMs: 300 },
    { type: 'answered', at: at + 310, codec: 'PCMU', mode: 'passthrough', srtp: true },
    { type: 'transcript', at: at + 2000, role: 'user', text: 'Where is my order?', itemId: 'i1' },
    { type: 'turn', at: at + 2600, latencyMs: 640 },
    { type: 'tool-call', at: at + 3000, toolCallId: 't1', name: 'lookup_order', arguments: '{"id":"42"}' },
    { type: 'tool-result', at: at + 3100, toolCallId: 't1', name: 'lookup_order', ok: true, output: '{"status":"shipped"}', durationMs: 100 },
    { type: 'transcript', at: at + 4000, role: 'assistant', text: 'It shipped yesterday.', itemId: 'i2' },
    { type: 'barge-in', at: at + 4500, itemId: 'i2', heardMs: 900, flushedMs: 400, reactionMs: 310 },
    { type: 'quality', at: at + 5000, quality: quality(0.01) },
    {
      type: 'hand-back',
      at: at + 6000,
      outcome: 'transfer_to_human',
      reason: 'asked for a person',
      attributes: { ai_outcome: 'transfer_to_human' },
      ok: true,
      attempts: 1,
      error: undefined,
    },
    { type: 'ended', at: at + 6100, reason: 'handed-back', durationMs: 5790, quality: quality(0.02) },
  ];
}

describe('SqliteRecordStore', () => {
  let dir: string;
  let clock: ManualClock;
  const open = (path = join(dir, 'records.db'), retentionDays = 30) => SqliteRecordStore.open({ path, clock, logger: log, retentionDays });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'records-'));
    clock = new ManualClock(0, Date.UTC(2026, 0, 10));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file in WAL mode at the current schema version', () => {
    const store = open(join(dir, 'nested', 'records.db'));
    store.close();
    const db = new DatabaseSync(join(dir, 'nested', 'records.db'));
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect((db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number }).v).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('keeps a whole call: summary, transcript, tools, barge-ins, turn latencies, hand-back', () => {
    const store = open();
    const ref: CallRef = { recordId: 'r-1', callId: 'abc@10.0.0.9' };
    for (const e of callEvents(clock.wallNow())) store.onCallEvent(ref, e);
    const record = store.get('r-1')!;
    expect(record).toMatchObject({
      id: 'r-1',
      callId: 'abc@10.0.0.9',
      connect: { contactId: 'c-1', initialContactId: 'ic-1', instanceId: 'inst' },
      from: '+15550100',
      to: '+15550199',
      codec: 'PCMU',
      mode: 'passthrough',
      srtp: true,
      endReason: 'handed-back',
      quality: { lossRatio: 0.02, jitterMs: 3.5, concealedFrames: 7, mos: 4.2 },
      handBack: { outcome: 'transfer_to_human', ok: true },
      transcript: [
        { role: 'user', text: 'Where is my order?' },
        { role: 'assistant', text: 'It shipped yesterday.' },
      ],
      tools: [{ name: 'lookup_order', arguments: '{"id":"42"}', result: { ok: true, output: '{"status":"shipped"}', durationMs: 100 } }],
      bargeIns: [{ heardMs: 900, reactionMs: 310 }],
      turnLatenciesMs: [640],
      handBackDetail: { outcome: 'transfer_to_human', reason: 'asked for a person', ok: true, attributes: { ai_outcome: 'transfer_to_human' } },
    });
    expect(record.invitedAt).toBe(new Date(clock.wallNow()).toISOString());
    expect(record.events.map((e) => e.seq)).toEqual(callEvents(0).map((_, i) => i + 1));
    // The SIP Call-ID finds it too.
    expect(store.get('abc@10.0.0.9')?.id).toBe('r-1');
    expect(store.get('nope')).toBeUndefined();
    store.close();
  });

  it('commits each event before returning: a copy of the files taken mid-call (a kill -9) holds it, and the reopened store closes the call as lost', () => {
    const path = join(dir, 'records.db');
    const store = open(path);
    const ref: CallRef = { recordId: 'r-2', callId: 'killed@x' };
    const events = callEvents(clock.wallNow()).slice(0, 8);
    for (const e of events) store.onCallEvent(ref, e);
    // The files exactly as a SIGKILL would leave them: the database and its WAL, nothing checkpointed.
    const copy = join(dir, 'after-kill.db');
    copyFileSync(path, copy);
    expect(existsSync(`${path}-wal`)).toBe(true);
    copyFileSync(`${path}-wal`, `${copy}-wal`);
    store.close();

    const reopened = open(copy);
    const record = reopened.get('r-2')!;
    expect(record.events.map((e) => e.type)).toEqual([...events.map((e) => e.type), 'lost']);
    expect(record.transcript.map((t) => t.text)).toEqual(['Where is my order?', 'It shipped yesterday.']);
    expect(record.endReason).toBe('lost');
    expect(record.endedAt).toBe(new Date(events.at(-1)!.at).toISOString());
    reopened.close();
  });

  it('refuses a second process on the same file (exclusive lock)', () => {
    const path = join(dir, 'records.db');
    const first = open(path);
    expect(() => open(path)).toThrow(/locked|busy/i);
    first.close();
    open(path).close();
  });

  it('refuses a file from a newer gateway', () => {
    const path = join(dir, 'records.db');
    open(path).close();
    const db = new DatabaseSync(path);
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION + 1);
    db.close();
    expect(() => open(path)).toThrow(/newer than this gateway/);
  });

  it('lists newest first, pages with before, filters by contact id', () => {
    const store = open();
    for (let i = 0; i < 5; i++) {
      const at = clock.wallNow() + i * 1000;
      store.onCallEvent({ recordId: `r${i}`, callId: `c${i}` }, { ...callEvents(at)[0]!, contactId: i % 2 === 0 ? 'even' : 'odd' } as CallEvent);
    }
    expect(store.list({ limit: 3 }).map((c) => c.id)).toEqual(['r4', 'r3', 'r2']);
    const third = store.list({ limit: 3 })[2]!;
    expect(store.list({ limit: 3, before: Date.parse(third.invitedAt) }).map((c) => c.id)).toEqual(['r1', 'r0']);
    expect(store.list({ limit: 10, contactId: 'odd' }).map((c) => c.id)).toEqual(['r3', 'r1']);
    expect(store.list({ limit: 10, contactId: 'ic-1' })).toHaveLength(5);
    store.close();
  });

  it('attaches Connect callbacks to the call by contact id, whenever they arrive', () => {
    const store = open();
    store.recordCallback('ic-1', 'flow.resumed', { branch: 'queue' });
    for (const e of callEvents(clock.wallNow())) store.onCallEvent({ recordId: 'r', callId: 'c' }, e);
    store.recordCallback('c-1', 'agent.connected', { agent: 'alice' });
    store.recordCallback('someone-else', 'x', {});
    expect(store.get('r')!.callbacks.map((c) => [c.contactId, c.event, c.data])).toEqual([
      ['ic-1', 'flow.resumed', { branch: 'queue' }],
      ['c-1', 'agent.connected', { agent: 'alice' }],
    ]);
    store.close();
  });

  it('prunes ended calls and callbacks older than the retention, keeps open ones', async () => {
    const store = open(join(dir, 'r.db'), 7);
    const old = clock.wallNow();
    for (const e of callEvents(old)) store.onCallEvent({ recordId: 'old', callId: 'o' }, e);
    store.onCallEvent({ recordId: 'old-open', callId: 'oo' }, callEvents(old)[0]!);
    store.recordCallback('c-1', 'old', {});
    clock.advance(8 * DAY);
    for (const e of callEvents(clock.wallNow())) store.onCallEvent({ recordId: 'new', callId: 'n' }, e);
    store.recordCallback('c-1', 'new', {});
    expect(await store.prune()).toBe(1);
    expect(store.get('old')).toBeUndefined();
    expect(store.get('old-open')).toBeDefined();
    expect(store.get('new')!.callbacks.map((c) => c.event)).toEqual(['new']);
    expect(store.stats().prunedCalls).toBe(1);
    store.close();
  });

  it('keeps events in a backlog while writes fail, reports not writable, and writes them once it can', () => {
    const store = open();
    const ref = { recordId: 'r', callId: 'c' };
    const [offered, ready] = callEvents(clock.wallNow());
    store.onCallEvent(ref, offered!);
    // A second "offered" for the same record violates the primary key: the write fails as a full disk would.
    store.onCallEvent(ref, offered!);
    expect(store.health()).toMatchObject({ writable: false, backlog: 1 });
    expect(store.stats().writeErrors).toBe(1);
    store.onCallEvent(ref, ready!);
    expect(store.health().backlog).toBe(2);
    store.close();
  });

  it('reports writable after successful writes (with a probe row)', () => {
    const store = open();
    expect(store.health()).toEqual({ writable: true, backlog: 0, lastError: undefined });
    store.onCallEvent({ recordId: 'r', callId: 'c' }, callEvents(clock.wallNow())[0]!);
    expect(store.stats()).toMatchObject({ eventsWritten: 1, transactions: 1, writeErrors: 0 });
    store.close();
    expect(store.health().writable).toBe(false);
  });
});
