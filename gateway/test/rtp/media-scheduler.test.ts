import { describe, expect, it } from 'vitest';
import { ManualClock, type Clock, type TimerId } from '../../src/clock.js';
import { MediaScheduler } from '../../src/rtp/pacing/media-scheduler.js';

/** A clock whose timers fire late by a pseudo-random 0..maxLateMs (like a busy event loop). */
class SloppyClock implements Clock {
  private seed = 12345;
  constructor(
    readonly inner: ManualClock,
    private readonly maxLateMs: number,
  ) {}
  now(): number {
    return this.inner.now();
  }
  wallNow(): number {
    return this.inner.wallNow();
  }
  setTimeout(fn: () => void, ms: number): TimerId {
    this.seed = (this.seed * 1103515245 + 12345) & 0x7fffffff;
    return this.inner.setTimeout(fn, ms + (this.seed / 0x7fffffff) * this.maxLateMs);
  }
  clearTimeout(id: TimerId | undefined): void {
    this.inner.clearTimeout(id);
  }
}

/** A ManualClock that counts the timers armed on it (the scheduler's wake-ups). */
function countingClock(): { inner: ManualClock; clock: Clock; armed: () => number } {
  const inner = new ManualClock(0);
  let armed = 0;
  const clock: Clock = {
    now: () => inner.now(),
    wallNow: () => inner.wallNow(),
    setTimeout: (fn, ms) => (armed++, inner.setTimeout(fn, ms)),
    clearTimeout: (id) => inner.clearTimeout(id),
  };
  return { inner, clock, armed: () => armed };
}

describe('MediaScheduler: absolute-time ticks', () => {
  it('is drift-free over 10^5 ticks: tick k is due at start + 20k exactly and runs then', () => {
    const clock = new ManualClock(1000);
    const s = new MediaScheduler({ clock, phases: 1 });
    let count = 0;
    let worst = 0;
    s.register({
      onTick: (tick, scheduledAt) => {
        if (tick !== count) throw new Error(`tick ${tick} != ${count}`);
        if (scheduledAt !== 1000 + tick * 20) throw new Error(`tick ${tick} due at ${scheduledAt}`);
        worst = Math.max(worst, Math.abs(clock.now() - scheduledAt));
        count++;
      },
    });
    clock.advance(100_000 * 20 - 1);
    expect(count).toBe(100_000);
    expect(worst).toBe(0);
    expect(s.stats()).toMatchObject({ ticks: 100_000, skippedTicks: 0, catchUpSlots: 0 });
  });

  it('stays on the absolute grid when every wake-up is late (no accumulated drift)', () => {
    const inner = new ManualClock(0);
    const clock = new SloppyClock(inner, 7);
    const s = new MediaScheduler({ clock, phases: 1 });
    const due: number[] = [];
    const lateness: number[] = [];
    s.register({
      onTick: (_tick, scheduledAt) => {
        due.push(scheduledAt);
        lateness.push(clock.now() - scheduledAt);
      },
    });
    inner.advance(20 * 10_000);
    // ~one tick per period over 200 s despite 0-7 ms late wake-ups: setInterval would lose ~3.5 ms per period.
    expect(due.length).toBeGreaterThanOrEqual(9_999);
    expect(due.length).toBeLessThanOrEqual(10_001);
    due.forEach((d, k) => expect(d).toBe(k * 20));
    expect(Math.max(...lateness)).toBeLessThan(7.5);
  });

  it('spreads streams over phases, least-loaded first once every phase holds phaseFill', () => {
    const clock = new ManualClock(0);
    const s = new MediaScheduler({ clock, phases: 4, phaseFill: 1 });
    const offsets = new Map<number, number[]>();
    for (let i = 0; i < 8; i++) {
      s.register({
        onTick: (tick, at) => {
          if (tick === 3) offsets.set(i, [...(offsets.get(i) ?? []), at - 60]);
        },
      });
    }
    clock.advance(100);
    const all = [...offsets.values()].flat().sort((a, b) => a - b);
    expect(all).toEqual([0, 0, 5, 5, 10, 10, 15, 15]);
  });

  it('wakes up only for the phases streams are in, and still serves each stream once per period on its phase', () => {
    const { inner, clock, armed } = countingClock();
    const s = new MediaScheduler({ clock, phases: 10, phaseFill: 1 });
    const due: number[][] = [[], []];
    for (const i of [0, 1]) s.register({ onTick: (_t, at) => due[i]?.push(at) });
    inner.advance(1_000);
    // Two occupied phases of ten: two wake-ups per 20 ms period, not ten.
    expect(armed()).toBeLessThanOrEqual(2 * 50 + 2);
    expect(due[0]).toEqual(Array.from({ length: 51 }, (_, k) => k * 20));
    expect(due[1]).toEqual(Array.from({ length: 50 }, (_, k) => k * 20 + 2));
    // A third stream joins an empty phase: it is served there from the next period on.
    const third: number[] = [];
    s.register({ onTick: (_t, at) => third.push(at) });
    inner.advance(100);
    expect(third.length).toBeGreaterThanOrEqual(4);
    for (const at of third) expect(at % 20).toBe(4);
  });

  it('fills a phase up to phaseFill before opening the next: a handful of calls is one wake-up per period', () => {
    const { inner, clock, armed } = countingClock();
    const s = new MediaScheduler({ clock, phases: 10, phaseFill: 4 });
    const offsets: number[] = [];
    const regs = Array.from({ length: 5 }, () => s.register({ onTick: (tick, at) => (tick === 2 ? offsets.push(at - 40) : undefined) }));
    inner.advance(1_000);
    expect(offsets.sort((a, b) => a - b)).toEqual([0, 0, 0, 0, 2]);
    expect(armed()).toBeLessThanOrEqual(2 * 50 + 2);
    // A phase emptied by departures is refilled first: the next stream goes to phase 0, not 2.
    regs[0]?.unregister();
    const late: number[] = [];
    s.register({ onTick: (_t, at) => late.push(at % 20) });
    inner.advance(100);
    expect(new Set(late)).toEqual(new Set([0]));
    // With every phase at phaseFill the least-loaded phase takes the next stream.
    for (let i = 0; i < 35; i++) s.register({ onTick: () => undefined });
    const extra: number[] = [];
    s.register({ onTick: (_t, at) => extra.push(at % 20) });
    inner.advance(100);
    expect(new Set(extra)).toEqual(new Set([0]));
    expect(() => new MediaScheduler({ clock, phaseFill: 0 })).toThrow(RangeError);
  });

  it('catches up overdue ticks after a stall, and skips beyond the bound', () => {
    const inner = new ManualClock(0);
    let stall = 0;
    const clock: Clock = {
      now: () => inner.now(),
      wallNow: () => inner.wallNow(),
      setTimeout: (fn, ms) => inner.setTimeout(fn, ms + stall),
      clearTimeout: (id) => inner.clearTimeout(id),
    };
    const s = new MediaScheduler({ clock, phases: 1, maxCatchUpTicks: 5 });
    const ticks: number[] = [];
    s.register({ onTick: (t) => ticks.push(t) });
    inner.advance(100); // ticks 0..5
    stall = 70; // next wake-up 70 ms late: 4 periods overdue, all within the bound
    inner.advance(100);
    stall = 0;
    inner.advance(40);
    expect(ticks).toEqual([...Array(13).keys()]);
    expect(s.stats().catchUpSlots).toBeGreaterThan(0);
    stall = 500; // far beyond 5 periods: the excess is skipped, not burst out
    inner.advance(600);
    stall = 0;
    inner.advance(100);
    expect(s.stats().skippedTicks).toBeGreaterThan(15);
    const after = ticks.slice(13);
    for (let i = 1; i < after.length; i++) expect((after[i] as number) > (after[i - 1] as number)).toBe(true);
  });
});

describe('MediaScheduler: registration lifecycle', () => {
  it('stops its timer with the last stream and restarts aligned to the next one', () => {
    const clock = new ManualClock(0);
    const s = new MediaScheduler({ clock });
    const r = s.register({ onTick: () => undefined });
    expect(clock.pendingTimers).toBe(1);
    r.unregister();
    r.unregister(); // idempotent
    expect(clock.pendingTimers).toBe(0);
    expect(s.size).toBe(0);
    clock.advance(7);
    const due: number[] = [];
    s.register({ onTick: (_t, at) => due.push(at) });
    clock.advance(40);
    expect(due[0]).toBe(7);
  });

  it('tolerates streams unregistering (themselves or others) and registering during a tick', () => {
    const clock = new ManualClock(0);
    const s = new MediaScheduler({ clock, phases: 1 });
    const calls: string[] = [];
    let regB: { unregister(): void } | undefined;
    const regA = s.register({
      onTick: (t) => {
        calls.push(`a${t}`);
        if (t === 1) {
          regA.unregister();
          regB?.unregister();
          s.register({ onTick: (t2) => calls.push(`c${t2}`) });
        }
      },
    });
    regB = s.register({ onTick: (t) => calls.push(`b${t}`) });
    clock.advance(60);
    expect(calls).toEqual(['a0', 'b0', 'a1', 'c2', 'c3']);
  });

  it('keeps serving the other streams when one throws', () => {
    const clock = new ManualClock(0);
    const errors: unknown[] = [];
    const s = new MediaScheduler({ clock, phases: 1, onStreamError: (e) => errors.push(e) });
    let served = 0;
    s.register({
      onTick: () => {
        throw new Error('boom');
      },
    });
    s.register({ onTick: () => served++ });
    clock.advance(40);
    expect(served).toBe(3);
    expect(errors).toHaveLength(3);
    expect(s.stats().streamErrors).toBe(3);
  });

  it('rejects a phase count that does not divide the period sensibly', () => {
    expect(() => new MediaScheduler({ clock: new ManualClock(), phases: 0 })).toThrow(RangeError);
    expect(() => new MediaScheduler({ clock: new ManualClock(), phases: 21 })).toThrow(RangeError);
  });
});
