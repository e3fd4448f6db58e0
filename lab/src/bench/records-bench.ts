/**
 * Call records cost on the event loop (the store commits every call event synchronously, so what it
 * costs is what the media path can lose): per-event commit time on this machine's disk, and the
 * event-loop delay while a steady stream of events is written at the rate `calls` live calls produce,
 * beside the same run without writes (the reference, measured in the same process).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRootLogger, SqliteRecordStore, type CallEvent, type ReceiveQuality } from 'connect-realtime-gateway';

export interface RecordsBenchResult {
  events: number;
  /** Event-loop cost of observing one event (the push, and its share of the turn's post to the thread), µs. */
  eventLoopMicrosPerEvent: number;
  /** Records-thread commit time per transaction, µs (events are batched per event-loop turn). */
  commitMicros: { mean: number; max: number; transactions: number };
  /** Event-loop delay p99 and max, ms, with and without the writes. */
  loop: { calls: number; eventsPerS: number; seconds: number; withWrites: { p99Ms: number; maxMs: number }; reference: { p99Ms: number; maxMs: number } };
}

/** Events a live call reports per second: a quality sample every 5 s, a transcript turn and a turn latency every ~4 s each. */
const EVENTS_PER_CALL_PER_S = 0.2 + 0.25 + 0.25;

const quality: ReceiveQuality = { expected: 250, lost: 1, lossRatio: 0.004, jitterMs: 2.1, concealedFrames: 1, rttMs: 40, oneWayDelayMs: 60, r: 92.1, mos: 4.39, foreignSourcePackets: 0 };

function callEvents(at: number, i: number): CallEvent[] {
  return [
    { type: 'offered', at, from: '+15550100', to: '+15550199', source: 'udp:10.0.0.9:5060', contactId: `c-${i}`, initialContactId: `c-${i}`, instanceId: 'inst' },
    { type: 'realtime-ready', at, connectMs: 300 },
    { type: 'answered', at, codec: 'PCMU', mode: 'passthrough', srtp: true },
    { type: 'transcript', at, role: 'user', text: 'Hello, I would like to check the status of my order, please.', itemId: `u${i}` },
    { type: 'turn', at, latencyMs: 640 },
    { type: 'transcript', at, role: 'assistant', text: 'Sure, one moment please.', itemId: `a${i}` },
    { type: 'quality', at, quality },
    { type: 'ended', at, reason: 'remote-bye', durationMs: 60_000, quality },
  ];
}

export async function runRecordsBench(outDir: string, opts: { calls: number; seconds: number }): Promise<RecordsBenchResult> {
  const dir = join(outDir, 'records-bench');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = await SqliteRecordStore.open({ path: join(dir, 'calls.db'), logger: createRootLogger('silent'), retentionDays: 0 });
  try {
    // 1. Cost per event: on the event loop (observing) and in the records thread (committing), one call's events per turn.
    let loopMicros = 0;
    let events = 0;
    for (let i = 0; i < 2_000; i++) {
      const t0 = performance.now();
      for (const e of callEvents(Date.now(), i)) store.onCallEvent({ recordId: `bench-${i}`, callId: `bench-${i}@x` }, e);
      loopMicros += (performance.now() - t0) * 1000;
      events += 8;
      await new Promise((r) => setImmediate(r));
    }
    await store.flushed();
    const stats = store.stats();
    const eventLoopMicrosPerEvent = Math.round(((loopMicros + stats.postMicros) / events) * 100) / 100;
    const commitMicros = { mean: Math.round(stats.writeMicros / stats.transactions), max: Math.round(stats.maxWriteMicros), transactions: stats.transactions };

    // 2. Event-loop delay at the live-call rate, with and without the writes.
    const eventsPerS = Math.round(opts.calls * EVENTS_PER_CALL_PER_S);
    const measure = async (write: boolean) => {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      let n = 0;
      const timer = setInterval(() => {
        // A 20 ms tick's share of the events, as a gateway's calls would emit them.
        const due = Math.round(eventsPerS / 50);
        for (let k = 0; k < due; k++, n++) {
          const call = callEvents(Date.now(), 100_000 + (n % opts.calls));
          const e = n < opts.calls ? call[0] : call[3 + (n % 4)];
          if (write && e !== undefined) store.onCallEvent({ recordId: `live-${n % opts.calls}`, callId: `live-${n % opts.calls}@x` }, e);
        }
      }, 20);
      await new Promise((r) => setTimeout(r, opts.seconds * 1000));
      clearInterval(timer);
      h.disable();
      return { p99Ms: Math.round((h.percentile(99) / 1e6) * 100) / 100, maxMs: Math.round((h.max / 1e6) * 100) / 100 };
    };
    const reference = await measure(false);
    const withWrites = await measure(true);
    await store.flushed();
    return { events, eventLoopMicrosPerEvent, commitMicros, loop: { calls: opts.calls, eventsPerS, seconds: opts.seconds, withWrites, reference } };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatRecordsBench(r: RecordsBenchResult): string {
  return [
    `records: ${r.events} events: ${r.eventLoopMicrosPerEvent} µs each on the event loop; committed by the records thread in ${r.commitMicros.transactions} transactions, mean ${r.commitMicros.mean} µs, max ${r.commitMicros.max} µs`,
    `records: event loop with ${r.loop.eventsPerS} events/s (${r.loop.calls} calls) for ${r.loop.seconds} s: p99 ${r.loop.withWrites.p99Ms} ms, max ${r.loop.withWrites.maxMs} ms` +
      ` (without writes: p99 ${r.loop.reference.p99Ms} ms, max ${r.loop.reference.maxMs} ms)`,
  ].join('\n');
}
