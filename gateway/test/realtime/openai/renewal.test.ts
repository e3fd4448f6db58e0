/**
 * Session renewal before the provider's 60-minute limit, driven by a ManualClock (the backend's timers)
 * against the fake over loopback.
 */
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import type { FakeScript } from '../../../../lab/src/fake-realtime/script.js';
import { baseConfig, fakeRealtimeFixture, makeBackend, tone } from '../helpers.js';

const WAIT = { timeout: 5000, interval: 5 };
const RENEW_AFTER = 55 * 60_000;
const RENEW_DEADLINE = 59 * 60_000;
const fixture = fakeRealtimeFixture();

async function setup(script: FakeScript) {
  const server = await fixture.fake(script);
  const clock = new ManualClock();
  const h = makeBackend(server.url, clock, { renewAfterMs: RENEW_AFTER, renewDeadlineMs: RENEW_DEADLINE });
  fixture.track(h.backend);
  return { ...h, clock, fake: server };
}

describe('OpenAI Realtime backend: session renewal', () => {
  it('opens a second session at the renewal age, replays, swaps, and closes the old one', async () => {
    const { backend, fake, clock, of, states } = await setup({ turns: [{ audio: { pcm8k: tone(200) }, transcript: 'Answer one.' }], speed: 8, responseDelayMs: 0 });
    await backend.connect(baseConfig);
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);

    clock.advance(RENEW_AFTER - 1);
    expect(fake.connectionAttempts).toHaveLength(1);
    clock.advance(1);
    await fake.waitFor(() => fake.sessions[0]?.closed !== undefined, 5000, 'old session closed');
    const fresh = fake.sessions[1]!;
    expect(fake.sessions[0]!.closed).toMatchObject({ by: 'client', code: 1000 });
    expect(fresh.receivedItems.map((r) => r.item)).toEqual([expect.objectContaining({ role: 'assistant', content: [{ type: 'output_text', text: 'Answer one.' }] })]);
    expect(backend.stats()).toMatchObject({ renewals: 1, reconnects: 0 });
    // Transparent: no 'reconnecting'.
    expect(states()).toEqual(['connecting', 'ready']);

    backend.appendAudio(new Uint8Array(160).fill(0xff));
    await fake.waitFor(() => fresh.receivedAudioByteCount === 160, 5000, 'audio on the new session');
    expect(backend.stats().droppedAudioBytes).toBe(0);
    // The next renewal is scheduled from the swap.
    clock.advance(RENEW_AFTER);
    await fake.waitFor(() => fake.sessions.length === 3 && fake.sessions[1]?.closed !== undefined, 5000, 'second renewal');
    expect(backend.stats().renewals).toBe(2);
  });

  it('waits for the response in progress to finish before swapping', async () => {
    const { backend, fake, clock, of } = await setup({ turns: [{ audio: { pcm8k: tone(600) }, transcript: 'Long answer.' }], speed: 2, responseDelayMs: 0 });
    await backend.connect(baseConfig);
    backend.createResponse();
    await vi.waitFor(() => expect(of('audio').length).toBeGreaterThan(0), WAIT);
    clock.advance(RENEW_AFTER);
    await fake.waitFor(() => (fake.sessions[1]?.eventsOf('out', 'session.updated').length ?? 0) === 1, 5000, 'spare session ready');
    // The spare is confirmed but the answer is still playing on the old session.
    expect(of('responseDone')).toHaveLength(0);
    expect(fake.sessions[0]!.closed).toBeUndefined();
    expect(backend.stats().renewals).toBe(0);
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    expect(of('responseDone')[0]).toMatchObject({ status: 'completed' });
    await fake.waitFor(() => fake.sessions[0]?.closed !== undefined, 5000, 'swap after the answer');
    expect(backend.stats().renewals).toBe(1);
    expect(fake.sessions[1]!.receivedItems[0]!.item).toMatchObject({ role: 'assistant', content: [{ text: 'Long answer.' }] });
  });

  it('at the deadline swaps even mid-answer and reports that response as ended', async () => {
    const { backend, fake, clock, of } = await setup({ turns: [{ audio: { pcm8k: tone(5000) }, transcript: 'Very long answer.' }], speed: 1, responseDelayMs: 0 });
    await backend.connect(baseConfig);
    backend.createResponse();
    await vi.waitFor(() => expect(of('audio').length).toBeGreaterThan(0), WAIT);
    clock.advance(RENEW_AFTER);
    // Spare confirmed on our side: its open timeout is cleared, only the deadline timer is left.
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1), WAIT);
    expect(backend.stats().renewals).toBe(0);
    clock.advance(RENEW_DEADLINE - RENEW_AFTER);
    await vi.waitFor(() => expect(backend.stats().renewals).toBe(1), WAIT);
    // Swapped while the 5 s answer was still streaming: that response ended for the call layer.
    expect(of('responseDone')[0]).toMatchObject({ status: 'failed', statusDetails: { error: { code: 'session_renewed' } } });
    await fake.waitFor(() => fake.sessions[0]?.closed !== undefined, 5000, 'old session closed');
  });

  it('leaves no timers behind after close()', async () => {
    const { backend, clock } = await setup({ turns: [] });
    await backend.connect(baseConfig);
    expect(clock.pendingTimers).toBe(2); // renewal + deadline
    await backend.close();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('OpenAI Realtime backend: renewal timed by the session expires_at', () => {
  /** The fake's sessions end after 60 s; the backend's clock reads the same wall time, by hand. */
  async function expiring(script: Partial<FakeScript>, opts: Parameters<typeof makeBackend>[2] = {}) {
    const server = await fixture.fake({ turns: [], maxSessionMs: 60_000, ...script });
    const clock = new ManualClock(0, Date.now());
    const h = makeBackend(server.url, clock, opts);
    fixture.track(h.backend);
    return { ...h, clock, fake: server };
  }

  it('renews a quarter of the lifetime before expires_at, long before the configured 55 minutes', async () => {
    const { backend, fake, clock, states } = await expiring({});
    await backend.connect(baseConfig);
    // expires_at is whole seconds: 59..60 s left (plus the real time the connect took, which the
    // hand-driven clock did not see), so the renewal starts 44.25..45(+) s in.
    clock.advance(44_000);
    expect(fake.connectionAttempts).toHaveLength(1);
    clock.advance(2_000);
    await fake.waitFor(() => fake.sessions[0]?.closed !== undefined, 5000, 'old session closed');
    expect(fake.sessions[0]!.closed).toMatchObject({ by: 'client', code: 1000 });
    expect(fake.sessions[0]!.errorsSent).toEqual([]);
    expect(backend.stats()).toMatchObject({ renewals: 1, reconnects: 0 });
    expect(states()).toEqual(['connecting', 'ready']);
  });

  it('no new session by the give-up point: fatal RT_ERR_SESSION_EXPIRING and closed, before the provider ends it', async () => {
    const { backend, fake, clock, of, states, lines } = await expiring({ failures: { refuseAfter: 1 } }, { maxAttempts: 1, maxBackoffMs: 5_000, initialBackoffMs: 250 });
    // Each failure is logged once the backend has scheduled the next try: only then may the clock move.
    const failures = (): number => lines.filter((l) => l.includes('realtime session renewal failed')).length;
    await backend.connect(baseConfig);
    clock.advance(46_000);
    await vi.waitFor(() => expect(failures()).toBe(1), WAIT);
    expect(fake.connectionAttempts.map((a) => a.outcome)).toEqual(['accepted', 'refused']);
    // Retried every maxBackoffMs until the give-up point (a twentieth of the 59..60 s before the end,
    // 56.05..57 s in): 51 s and 56 s.
    clock.advance(5_000);
    await vi.waitFor(() => expect(failures()).toBe(2), WAIT);
    clock.advance(5_000);
    await vi.waitFor(() => expect(failures()).toBe(3), WAIT);
    expect(fake.connectionAttempts).toHaveLength(4);
    expect(states()).toEqual(['connecting', 'ready']);
    clock.advance(3_000);
    await vi.waitFor(() => expect(states()).toEqual(['connecting', 'ready', 'closed']), WAIT);
    expect(of('error')).toEqual([expect.objectContaining({ code: 'RT_ERR_SESSION_EXPIRING', fatal: true })]);
    // Closed by the gateway (1000), not expired by the provider.
    await fake.waitFor(() => fake.sessions[0]?.closed !== undefined, 5000, 'session closed');
    expect(fake.sessions[0]!.closed).toMatchObject({ by: 'client', code: 1000 });
    expect(fake.sessions[0]!.errorsSent).toEqual([]);
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(0), WAIT);
  });
});
