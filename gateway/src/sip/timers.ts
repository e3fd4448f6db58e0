import type { Clock, TimerId } from '../clock.js';

/**
 * RFC 3261 §17 timer values (Table 4), plus Timers L and M of RFC 6026. Everything derives from
 * T1 (RTT estimate), T2 (cap on retransmit interval for non-INVITE requests and INVITE responses)
 * and T4 (how long the network may hold a message). Milliseconds throughout.
 */
export interface TimerBase {
  t1: number;
  t2: number;
  t4: number;
}

export const DEFAULT_T1_MS = 500;
export const DEFAULT_T2_MS = 4_000;
export const DEFAULT_T4_MS = 5_000;
/** Timer D lower bound for unreliable transports (RFC 3261 §17.1.1.2: "at least 32 seconds"). */
export const TIMER_D_MIN_MS = 32_000;

export class SipTimers {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;

  constructor(base: Partial<TimerBase> = {}) {
    this.t1 = base.t1 ?? DEFAULT_T1_MS;
    this.t2 = base.t2 ?? DEFAULT_T2_MS;
    this.t4 = base.t4 ?? DEFAULT_T4_MS;
    for (const [name, v] of [['t1', this.t1], ['t2', this.t2], ['t4', this.t4]] as const) {
      if (!Number.isFinite(v) || v <= 0) throw new RangeError(`timers.${name} must be a positive number of ms, got ${v}`);
    }
    if (this.t2 < this.t1) throw new RangeError(`timers.t2 (${this.t2}) must be >= timers.t1 (${this.t1})`);
  }

  /** 64·T1: Timers B, F, H, J (unreliable), L, M, and the 2xx give-up of §13.3.1.4. */
  get transactionTimeout(): number {
    return 64 * this.t1;
  }
  /** Timer A / E / G first interval (unreliable transports only). */
  get retransmitInitial(): number {
    return this.t1;
  }
  /** Next retransmit interval: doubled, capped at T2 (Timers E, G and the 2xx retransmits). */
  nextInterval(current: number): number {
    return Math.min(2 * current, this.t2);
  }
  /** Timer A doubles without the T2 cap (§17.1.1.2); Timer B ends it. */
  nextInviteRequestInterval(current: number): number {
    return 2 * current;
  }
  timerD(reliable: boolean): number {
    return reliable ? 0 : Math.max(TIMER_D_MIN_MS, this.transactionTimeout);
  }
  timerI(reliable: boolean): number {
    return reliable ? 0 : this.t4;
  }
  timerJ(reliable: boolean): number {
    return reliable ? 0 : this.transactionTimeout;
  }
  timerK(reliable: boolean): number {
    return reliable ? 0 : this.t4;
  }
}

/**
 * A small set of named one-shot timers on an injected Clock, owned by one state machine. Setting a
 * name that is already armed re-arms it; `clearAll()` is the single teardown that guarantees no
 * timer outlives its owner.
 */
export class NamedTimers<Name extends string> {
  readonly #clock: Clock;
  readonly #ids = new Map<Name, TimerId>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  set(name: Name, ms: number, fn: () => void): void {
    this.clear(name);
    const id = this.#clock.setTimeout(() => {
      this.#ids.delete(name);
      fn();
    }, ms);
    this.#ids.set(name, id);
  }

  clear(name: Name): void {
    const id = this.#ids.get(name);
    if (id !== undefined) {
      this.#clock.clearTimeout(id);
      this.#ids.delete(name);
    }
  }

  has(name: Name): boolean {
    return this.#ids.has(name);
  }

  clearAll(): void {
    for (const id of this.#ids.values()) this.#clock.clearTimeout(id);
    this.#ids.clear();
  }
}
