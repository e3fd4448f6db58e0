/**
 * Time, injected. Every protocol timer (SIP T1/T2 and Timers A–K, session timers, RTP inactivity,
 * RTCP intervals, jitter-buffer playout, the outbound pacer) takes a Clock so tests drive time by
 * hand instead of sleeping. Times are milliseconds on a monotonic scale (fractions allowed).
 */
export type TimerId = { readonly __timer: unique symbol };

export interface Clock {
  /** Monotonic milliseconds; only differences are meaningful. */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch (for RTCP NTP timestamps and logs). */
  wallNow(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId | undefined): void;
}

/** The real clock: performance.now() for intervals, Date.now() for wall time. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)) as unknown as TimerId,
  clearTimeout: (id) => {
    if (id !== undefined) clearTimeout(id as unknown as NodeJS.Timeout);
  },
};

interface PendingTimer {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. `advance(ms)` fires every timer due on the way, in due
 * order, each with now() set to its due time, so timer chains (T1 doubling up to T2) behave as
 * they would in real time.
 */
export class ManualClock implements Clock {
  #now: number;
  #wallOffset: number;
  #nextId = 1;
  #timers: PendingTimer[] = [];

  constructor(start = 0, wallStart = 1_700_000_000_000) {
    this.#now = start;
    this.#wallOffset = wallStart - start;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.#now + this.#wallOffset;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    this.#timers.push({ id, due: this.#now + Math.max(0, ms), fn });
    return id as unknown as TimerId;
  }

  clearTimeout(id: TimerId | undefined): void {
    if (id === undefined) return;
    const n = id as unknown as number;
    this.#timers = this.#timers.filter((t) => t.id !== n);
  }

  /** Number of timers still pending (a leak check for teardown tests). */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: PendingTimer | undefined;
      for (const t of this.#timers) {
        if (t.due <= target && (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      }
      if (next === undefined) break;
      const fired = next;
      this.#timers = this.#timers.filter((t) => t !== fired);
      this.#now = Math.max(this.#now, fired.due);
      fired.fn();
    }
    this.#now = target;
  }
}

/**
 * Wraps a clock and counts timers that are scheduled and not yet fired or cleared. The gateway runs
 * every component on one of these so a call's teardown can be checked for leaked timers.
 */
export class TrackingClock implements Clock {
  readonly #inner: Clock;
  readonly #pending = new Set<TimerId>();

  constructor(inner: Clock) {
    this.#inner = inner;
  }

  now(): number {
    return this.#inner.now();
  }

  wallNow(): number {
    return this.#inner.wallNow();
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id: TimerId = this.#inner.setTimeout(() => {
      this.#pending.delete(id);
      fn();
    }, ms);
    this.#pending.add(id);
    return id;
  }

  clearTimeout(id: TimerId | undefined): void {
    if (id === undefined) return;
    this.#pending.delete(id);
    this.#inner.clearTimeout(id);
  }

  get pendingTimers(): number {
    return this.#pending.size;
  }
}
