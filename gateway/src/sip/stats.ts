/**
 * Named counters for SipServer.stats(): `rx.request.INVITE`, `tx.response.4xx`, `drop.not_allowed`,
 * `retransmit.tx.final`, `timeout.timer_h`, `auth.challenge.stale-nonce` … Names are created on
 * first use, so the snapshot lists only what happened.
 */
export class SipStats {
  readonly #counters = new Map<string, number>();

  inc(name: string, by = 1): void {
    this.#counters.set(name, (this.#counters.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.#counters.get(name) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#counters);
  }
}

/** "1xx" … "6xx" for a status code. */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
