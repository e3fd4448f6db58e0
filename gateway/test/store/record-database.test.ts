import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallEvent, CallRef } from '../../src/call/call-observer.js';
import { ManualClock } from '../../src/clock.js';
import type { ReceiveQuality } from '../../src/rtp/index.js';
import { RecordDatabase } from '../../src/store/record-database.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';

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
  foreignSourcePackets: 0,
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

/** The synchronous database the records thread drives; each `add` is one committed transaction. */
class Db {
  constructor(readonly db: RecordDatabase) {}
  add(ref: CallRef, event: CallEvent): void {
    this.db.write([{ ref, event }]);
  }
}

describe('RecordDatabase', () => {
  let dir: string;
  let clock: ManualClock;
  const open = (path = join(dir, 'records.db')) => new Db(RecordDatabase.open(path, clock.wallNow()));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'records-'));
    clock = new ManualClock(0, Date.UTC(2026, 0, 10));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file in WAL mode at the current schema version', () => {
    const store = open(join(dir, 'nested', 'records.db'));
    store.db.close();
    const db = new DatabaseSync(join(dir, 'nested', 'records.db'));
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect((db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number }).v).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('keeps a whole call: summary, transcript, tools, barge-ins, turn latencies, hand-back', () => {
    const store = open();
    const ref: CallRef = { recordId: 'r-1', callId: 'abc@10.0.0.9' };
    for (const e of callEvents(clock.wallNow())) store.add(ref, e);
    const record = store.db.get('r-1')!;
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
    expect(store.db.get('abc@10.0.0.9')?.id).toBe('r-1');
    expect(store.db.get('nope')).toBeUndefined();
    store.db.close();
  });

  it('commits each event before returning: a copy of the files taken mid-call (a kill -9) holds it, and the reopened store closes the call as lost', () => {
    const path = join(dir, 'records.db');
    const store = open(path);
    const ref: CallRef = { recordId: 'r-2', callId: 'killed@x' };
    const events = callEvents(clock.wallNow()).slice(0, 8);
    for (const e of events) store.add(ref, e);
    // The files exactly as a SIGKILL would leave them: the database and its WAL, nothing checkpointed.
    const copy = join(dir, 'after-kill.db');
    copyFileSync(path, copy);
    expect(existsSync(`${path}-wal`)).toBe(true);
    copyFileSync(`${path}-wal`, `${copy}-wal`);
    store.db.close();

    const reopened = open(copy);
    expect(reopened.db.lostOnOpen).toBe(1);
    const record = reopened.db.get('r-2')!;
    expect(record.events.map((e) => e.type)).toEqual([...events.map((e) => e.type), 'lost']);
    expect(record.transcript.map((t) => t.text)).toEqual(['Where is my order?', 'It shipped yesterday.']);
    expect(record.endReason).toBe('lost');
    expect(record.endedAt).toBe(new Date(events.at(-1)!.at).toISOString());
    reopened.db.close();
  });

  it('refuses a second process on the same file (exclusive lock)', () => {
    const path = join(dir, 'records.db');
    const first = open(path);
    expect(() => open(path)).toThrow(/locked|busy/i);
    first.db.close();
    open(path).db.close();
  });

  it('refuses a file from a newer gateway', () => {
    const path = join(dir, 'records.db');
    open(path).db.close();
    const db = new DatabaseSync(path);
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION + 1);
    db.close();
    expect(() => open(path)).toThrow(/newer than this gateway/);
  });

  it('lists newest first, pages with before, filters by contact id', () => {
    const store = open();
    for (let i = 0; i < 5; i++) {
      const at = clock.wallNow() + i * 1000;
      store.add({ recordId: `r${i}`, callId: `c${i}` }, { ...callEvents(at)[0]!, contactId: i % 2 === 0 ? 'even' : 'odd' } as CallEvent);
    }
    expect(store.db.list({ limit: 3 }).map((c) => c.id)).toEqual(['r4', 'r3', 'r2']);
    const third = store.db.list({ limit: 3 })[2]!;
    expect(store.db.list({ limit: 3, before: Date.parse(third.invitedAt) }).map((c) => c.id)).toEqual(['r1', 'r0']);
    expect(store.db.list({ limit: 10, contactId: 'odd' }).map((c) => c.id)).toEqual(['r3', 'r1']);
    expect(store.db.list({ limit: 10, contactId: 'ic-1' })).toHaveLength(5);
    store.db.close();
  });

  it('attaches Connect callbacks to the call by contact id, whenever they arrive', () => {
    const store = open();
    store.db.recordCallback('ic-1', 'flow.resumed', { branch: 'queue' }, clock.wallNow());
    for (const e of callEvents(clock.wallNow())) store.add({ recordId: 'r', callId: 'c' }, e);
    store.db.recordCallback('c-1', 'agent.connected', { agent: 'alice' }, clock.wallNow());
    store.db.recordCallback('someone-else', 'x', {}, clock.wallNow());
    expect(store.db.get('r')!.callbacks.map((c) => [c.contactId, c.event, c.data])).toEqual([
      ['ic-1', 'flow.resumed', { branch: 'queue' }],
      ['c-1', 'agent.connected', { agent: 'alice' }],
    ]);
    store.db.close();
  });

  it('prunes ended calls and callbacks older than the cutoff, keeps open ones', () => {
    const store = open(join(dir, 'r.db'));
    const old = clock.wallNow();
    for (const e of callEvents(old)) store.add({ recordId: 'old', callId: 'o' }, e);
    store.add({ recordId: 'old-open', callId: 'oo' }, callEvents(old)[0]!);
    store.db.recordCallback('c-1', 'old', {}, old);
    clock.advance(8 * DAY);
    for (const e of callEvents(clock.wallNow())) store.add({ recordId: 'new', callId: 'n' }, e);
    store.db.recordCallback('c-1', 'new', {}, clock.wallNow());
    expect(store.db.prune(clock.wallNow() - 7 * DAY)).toBe(1);
    expect(store.db.get('old')).toBeUndefined();
    expect(store.db.get('old-open')).toBeDefined();
    expect(store.db.get('new')!.callbacks.map((c) => c.event)).toEqual(['new']);
    store.db.close();
  });

  it('a failed transaction keeps nothing of its batch, and the same events commit on a retry', () => {
    const store = open();
    const ref = { recordId: 'r', callId: 'c' };
    const [offered, ready, answered] = callEvents(clock.wallNow());
    store.add(ref, offered!);
    // A second "offered" for the same record violates the primary key, as a full disk would fail a write.
    expect(() => store.db.write([{ ref, event: ready! }, { ref, event: offered! }])).toThrow();
    expect(store.db.get('r')!.events.map((e) => e.type)).toEqual(['offered']);
    store.db.write([{ ref, event: ready! }, { ref, event: answered! }]);
    expect(store.db.get('r')!.events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'offered'],
      [2, 'realtime-ready'],
      [3, 'answered'],
    ]);
    store.db.probe(clock.wallNow());
    store.db.close();
  });
});
