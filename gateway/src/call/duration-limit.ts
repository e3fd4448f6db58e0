/**
 * The maximum call length (agent definition `maxDuration`), counted from the answer: a wrap-up point
 * (`wrapUpBeforeS` before the limit: the session instructions say the call must end soon), the limit
 * (goodbye, then hand-back) and a hard stop `graceS` after it (hand-back and BYE whatever the AI is
 * doing). Only the timers live here; what each point does is the call's business.
 */
import type { MaxDurationSettings } from '../agent/index.js';
import type { Clock, TimerId } from '../clock.js';

export interface DurationLimitActions {
  wrapUp: () => void;
  limit: () => void;
  hardStop: () => void;
}

export class DurationLimit {
  readonly #clock: Clock;
  readonly #timers: TimerId[] = [];

  constructor(clock: Clock, settings: MaxDurationSettings, actions: DurationLimitActions) {
    this.#clock = clock;
    const limitMs = settings.seconds * 1_000;
    if (settings.wrapUpBeforeS > 0) this.#timers.push(clock.setTimeout(actions.wrapUp, limitMs - settings.wrapUpBeforeS * 1_000));
    this.#timers.push(clock.setTimeout(actions.limit, limitMs));
    this.#timers.push(clock.setTimeout(actions.hardStop, limitMs + settings.graceS * 1_000));
  }

  /** Idempotent: clears every timer. */
  close(): void {
    for (const t of this.#timers.splice(0)) this.#clock.clearTimeout(t);
  }
}
