import { describe, expect, it } from 'vitest';
import type { CallEvent, CallRef } from '../../src/call/call-observer.js';
import { combineObservers } from '../../src/call/call-observer.js';
import { CallReporter, MAX_EVENT_TEXT } from '../../src/call/call-reporter.js';
import { ManualClock } from '../../src/clock.js';
import { FakeBackend, silentLog } from './fakes.js';

function setUp() {
  const clock = new ManualClock();
  const events: CallEvent[] = [];
  const refs: CallRef[] = [];
  const reporter = new CallReporter('call-1@host', { onCallEvent: (ref, e) => (refs.push(ref), events.push(e)) }, clock);
  const backend = new FakeBackend();
  let appendedMs = 0;
  reporter.watch(backend, () => appendedMs);
  return { clock, events, refs, reporter, backend, append: (ms: number) => (appendedMs += ms) };
}

describe('CallReporter', () => {
  it('stamps every event with the call and one record id per call', () => {
    const { events, refs, reporter } = setUp();
    reporter.answered('PCMU', 'passthrough', false);
    reporter.realtimeReady(120);
    expect(events.map((e) => e.type)).toEqual(['answered', 'realtime-ready']);
    expect(new Set(refs.map((r) => r.recordId)).size).toBe(1);
    expect(refs[0]!.callId).toBe('call-1@host');
    expect(refs[0]!.recordId).not.toBe(new CallReporter('call-1@host', { onCallEvent: () => undefined }, new ManualClock()).ref.recordId);
  });

  it('keeps final, non-empty transcripts only, trimmed and bounded', () => {
    const { events, backend } = setUp();
    backend.emit('transcript', { role: 'user', itemId: 'i1', text: 'Hel', final: false });
    backend.emit('transcript', { role: 'user', itemId: 'i1', text: '  Hello there  ', final: true });
    backend.emit('transcript', { role: 'assistant', itemId: 'i2', text: '   ', final: true });
    backend.emit('transcript', { role: 'assistant', itemId: 'i3', text: 'x'.repeat(MAX_EVENT_TEXT + 10), final: true });
    const turns = events.filter((e): e is Extract<CallEvent, { type: 'transcript' }> => e.type === 'transcript');
    expect(turns.map((t) => [t.role, t.text.length])).toEqual([
      ['user', 'Hello there'.length],
      ['assistant', MAX_EVENT_TEXT + 1],
    ]);
  });

  it('measures turn latency in caller-audio time: end of speech → the answer’s first audio', () => {
    const { events, backend, append } = setUp();
    append(3000);
    // The server says speech ended at 2400 ms of the session's audio (its VAD waited 500 ms of silence).
    backend.emit('speechStopped', { audioEndMs: 2400, itemId: 'u1' });
    append(300);
    backend.emit('audio', { responseId: 'r1', itemId: 'a1', contentIndex: 0, audio: Buffer.alloc(160) });
    backend.emit('audio', { responseId: 'r1', itemId: 'a1', contentIndex: 0, audio: Buffer.alloc(160) });
    expect(events.filter((e) => e.type === 'turn')).toEqual([{ type: 'turn', at: expect.any(Number), latencyMs: 900 }]);
  });

  it('measures barge-in reaction from the caller’s speech onset to the agent stopping, across a reconnect', () => {
    const { events, backend, reporter, append } = setUp();
    append(5000);
    backend.emit('state', { state: 'reconnecting', reason: 'socket closed' });
    backend.emit('state', { state: 'ready' });
    // The new session's time base starts at 5000 ms of caller audio.
    append(2000);
    reporter.bargeIn({ itemId: 'a2', sentMs: 840, flushedMs: 1200 }, 1700);
    expect(events.map((e) => e.type)).toEqual(['realtime-reconnecting', 'barge-in']);
    expect(events[1]).toMatchObject({ heardMs: 840, flushedMs: 1200, reactionMs: 300 });
  });

  it('records tool calls and Realtime errors', () => {
    const { events, backend, reporter } = setUp();
    backend.emit('functionCall', { callId: 't1', name: 'lookup', arguments: '{"a":1}', responseId: 'r', itemId: 'i' });
    reporter.toolResult('t1', 'lookup', false, '{"error":"timeout"}', 5000);
    backend.emit('error', { code: 'rate_limit_exceeded', message: 'slow down', fatal: false });
    expect(events).toMatchObject([
      { type: 'tool-call', toolCallId: 't1', name: 'lookup', arguments: '{"a":1}' },
      { type: 'tool-result', toolCallId: 't1', ok: false, durationMs: 5000 },
      { type: 'realtime-error', code: 'rate_limit_exceeded', fatal: false },
    ]);
  });
});

describe('combineObservers', () => {
  it('isolates an observer that throws: the others still see the event', () => {
    const seen: string[] = [];
    const combined = combineObservers(
      [
        {
          onCallEvent: () => {
            throw new Error('disk on fire');
          },
        },
        { onCallEvent: (_r, e) => seen.push(e.type) },
      ],
      silentLog,
    );
    combined.onCallEvent({ recordId: 'r', callId: 'c' }, { type: 'turn', at: 0, latencyMs: 1 });
    expect(seen).toEqual(['turn']);
  });
});
