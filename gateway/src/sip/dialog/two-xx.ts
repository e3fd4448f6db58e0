import type { Clock } from '../../clock.js';
import { NamedTimers, type SipTimers } from '../timers.js';

/**
 * RFC 3261 §13.3.1.4: the UAS core, not the transaction, keeps a 2xx to INVITE alive — resent at
 * T1, 2·T1 … capped at T2, until the ACK arrives; after 64·T1 without one it gives up (and the
 * dialog then sends BYE). The retransmissions happen on every transport: a hop beyond the peer may
 * be UDP even when ours is not.
 */
export class TwoXxRetransmitter {
  readonly #timers: NamedTimers<'retransmit' | 'giveUp'>;
  readonly #sipTimers: SipTimers;
  readonly #resend: () => void;
  readonly #onGiveUp: () => void;
  #interval: number;
  #active = false;

  constructor(clock: Clock, sipTimers: SipTimers, resend: () => void, onGiveUp: () => void) {
    this.#timers = new NamedTimers(clock);
    this.#sipTimers = sipTimers;
    this.#resend = resend;
    this.#onGiveUp = onGiveUp;
    this.#interval = sipTimers.t1;
  }

  get active(): boolean {
    return this.#active;
  }

  start(): void {
    this.#active = true;
    this.#arm();
    this.#timers.set('giveUp', this.#sipTimers.transactionTimeout, () => {
      this.stop();
      this.#onGiveUp();
    });
  }

  stop(): void {
    this.#active = false;
    this.#timers.clearAll();
  }

  #arm(): void {
    this.#timers.set('retransmit', this.#interval, () => {
      if (!this.#active) return;
      this.#resend();
      this.#interval = this.#sipTimers.nextInterval(this.#interval);
      this.#arm();
    });
  }
}
