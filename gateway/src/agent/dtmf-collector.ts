/**
 * Collects the caller's keypad digits into one string for the model (agent file `dtmf.collect`):
 * delivery when `maxDigits` are in, when the terminator key is pressed (the terminator itself is not
 * delivered), or when `interDigitTimeoutMs` passes after the last key. Without `collect`, the call
 * layer delivers each key on its own. Clock-driven; `close()` clears the pending timer.
 */
import type { Clock, TimerId } from '../clock.js';
import type { DtmfCollectSettings } from './agent-definition.js';

export type DtmfDeliveryReason = 'max_digits' | 'terminator' | 'timeout';

export class DtmfCollector {
  readonly #settings: Omit<DtmfCollectSettings, 'prompt'>;
  readonly #clock: Clock;
  readonly #deliver: (digits: string, reason: DtmfDeliveryReason) => void;
  #digits = '';
  #timer: TimerId | undefined;
  #closed = false;

  constructor(settings: Omit<DtmfCollectSettings, 'prompt'>, clock: Clock, deliver: (digits: string, reason: DtmfDeliveryReason) => void) {
    this.#settings = settings;
    this.#clock = clock;
    this.#deliver = deliver;
  }

  /** Digits held, not yet delivered. */
  get pending(): string {
    return this.#digits;
  }

  /** One key (0-9, *, #, A-D) as the RTP/DTMF receiver reported it. */
  push(key: string): void {
    if (this.#closed) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#settings.terminator !== null && key === this.#settings.terminator) {
      // A terminator with nothing before it delivers nothing: there is nothing to say.
      if (this.#digits.length > 0) this.#flush('terminator');
      return;
    }
    this.#digits += key;
    if (this.#digits.length >= this.#settings.maxDigits) {
      this.#flush('max_digits');
      return;
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#flush('timeout');
    }, this.#settings.interDigitTimeoutMs);
  }

  /** Idempotent; digits still held are dropped (the call is over). */
  close(): void {
    this.#closed = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#digits = '';
  }

  #flush(reason: DtmfDeliveryReason): void {
    const digits = this.#digits;
    this.#digits = '';
    this.#deliver(digits, reason);
  }
}
