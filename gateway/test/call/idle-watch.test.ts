/** The idle-caller clock: when it runs (ledger truth), re-prompts, the goodbye, and what resets it. */
import { describe, expect, it } from 'vitest';
import type { IdleSettings } from '../../src/agent/index.js';
import { ManualClock } from '../../src/clock.js';
import { IdleWatch } from '../../src/call/idle-watch.js';
import type { PlaybackLedger } from '../../src/call/playback-ledger.js';
import { FakeBackend, settle as flush, silentLog } from './fakes.js';

const SETTINGS: IdleSettings = { timeoutMs: 10_000, maxPrompts: 2, prompt: 'Still there?', goodbye: 'Goodbye.' };

/** The two things the watch reads of the ledger: is audio playing, and when a response has played out. */
class StubPlayback {
  isPlaying = false;
  readonly #waiters: Array<() => void> = [];
  whenPlayedOut(): Promise<void> {
    if (!this.isPlaying) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  /** The last packet of the agent's audio left as RTP. */
  finish(): void {
    this.isPlaying = false;
    for (const w of this.#waiters.splice(0)) w();
  }
}

function watch(settings: IdleSettings = SETTINGS) {
  const clock = new ManualClock(0);
  const backend = new FakeBackend();
  const playback = new StubPlayback();
  let idle = 0;
  const w = new IdleWatch({ backend, playback: playback as unknown as PlaybackLedger, clock, settings, log: silentLog, onIdle: () => idle++ });
  const prompts = () => backend.of('createResponse').map((c) => c.instructions);
  /** A whole agent answer: started, audio queued, response.done, then `playMs` later its last packet leaves. */
  const answer = async (id: string, playMs: number) => {
    backend.emit('responseStarted', { responseId: id });
    playback.isPlaying = true;
    backend.emit('responseDone', { responseId: id, status: 'completed' });
    await flush();
    clock.advance(playMs);
    playback.finish();
    await flush();
  };
  return { clock, backend, playback, w, prompts, answer, idled: () => idle };
}

describe('IdleWatch', () => {
  it('counts silence from the end of playback on the wire, not from response.done', async () => {
    const t = watch();
    await t.answer('r1', 4_000); // generated at once, heard for 4 s
    expect(t.w.armed).toBe(true);
    t.clock.advance(9_999);
    expect(t.prompts()).toEqual([]);
    t.clock.advance(1);
    expect(t.prompts()).toEqual(['Still there?']);
  });

  it('re-prompts maxPrompts times, then calls onIdle once and stops', async () => {
    const t = watch();
    t.clock.advance(10_000);
    expect(t.prompts()).toEqual(['Still there?']);
    await t.answer('p1', 1_500);
    t.clock.advance(10_000);
    expect(t.prompts()).toEqual(['Still there?', 'Still there?']);
    expect(t.w.prompts).toBe(2);
    await t.answer('p2', 1_500);
    t.clock.advance(9_999);
    expect(t.idled()).toBe(0);
    t.clock.advance(1);
    expect(t.idled()).toBe(1);
    expect(t.w.armed).toBe(false);
    t.clock.advance(60_000);
    expect(t.idled()).toBe(1);
    expect(t.prompts()).toHaveLength(2);
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('caller speech resets the count; the clock waits while the caller speaks and while the agent answers', async () => {
    const t = watch();
    t.clock.advance(10_000);
    expect(t.w.prompts).toBe(1);
    t.backend.emit('speechStarted', { audioStartMs: 0, itemId: 'u1' });
    expect(t.w.prompts).toBe(0);
    t.clock.advance(30_000); // a long utterance: no prompt while the caller talks
    expect(t.prompts()).toHaveLength(1);
    t.backend.emit('speechStopped', { audioEndMs: 0, itemId: 'u1' });
    t.backend.emit('responseStarted', { responseId: 'r2' });
    t.clock.advance(30_000); // the model is slow to answer: still no prompt
    expect(t.prompts()).toHaveLength(1);
    t.playback.isPlaying = true;
    t.backend.emit('responseDone', { responseId: 'r2', status: 'completed' });
    await flush();
    t.clock.advance(30_000); // its audio plays for 30 s
    expect(t.prompts()).toHaveLength(1);
    t.playback.finish();
    await flush();
    // Two prompts again before the goodbye: the count started over.
    t.clock.advance(10_000);
    await t.answer('p', 1_000);
    t.clock.advance(10_000);
    await t.answer('p', 1_000);
    expect(t.prompts()).toHaveLength(3);
    expect(t.idled()).toBe(0);
    t.clock.advance(10_000);
    expect(t.idled()).toBe(1);
  });

  it('a DTMF key is activity: the count starts over and the clock restarts', async () => {
    const t = watch();
    t.clock.advance(10_000);
    await t.answer('p1', 1_000);
    t.clock.advance(6_000);
    t.w.callerActive();
    expect(t.w.prompts).toBe(0);
    t.clock.advance(9_999);
    expect(t.prompts()).toHaveLength(1);
    t.clock.advance(1);
    expect(t.prompts()).toHaveLength(2);
  });

  it('maxPrompts 0: the first timeout is the goodbye', () => {
    const t = watch({ ...SETTINGS, maxPrompts: 0 });
    t.clock.advance(10_000);
    expect(t.prompts()).toEqual([]);
    expect(t.idled()).toBe(1);
  });

  it('a backend that never starts the re-prompt still reaches the goodbye', () => {
    const t = watch();
    t.clock.advance(30_000);
    expect(t.prompts()).toHaveLength(2);
    expect(t.idled()).toBe(1);
  });

  it('close() clears the timer and stops listening', async () => {
    const t = watch();
    expect(t.clock.pendingTimers).toBe(1);
    t.w.close();
    expect(t.clock.pendingTimers).toBe(0);
    await t.answer('r', 100);
    t.clock.advance(60_000);
    expect(t.prompts()).toEqual([]);
    expect(t.idled()).toBe(0);
    expect(t.backend.listenerCount('responseDone')).toBe(0);
  });
});
