import type { IncomingCall, SipServer } from '../sip/index.js';
import { reasonPhrase } from '../sip/message/index.js';
import { Call, type CallEnvironment } from './call.js';

/** Keeps the set of live calls: creates one per dialog-creating INVITE and forgets it once ended. */
export class CallManager {
  readonly #env: Omit<CallEnvironment, 'resources'>;
  readonly #calls = new Map<string, Call>();
  readonly #resources: () => Record<string, number>;
  readonly #idleWaiters: Array<() => void> = [];
  #accepting = true;

  constructor(env: Omit<CallEnvironment, 'resources'>, sip: SipServer, resources: () => Record<string, number>) {
    this.#env = env;
    this.#resources = resources;
    sip.on('invite', (incoming) => this.#onInvite(incoming));
  }

  get activeCalls(): number {
    return this.#calls.size;
  }

  #onInvite(incoming: IncomingCall): void {
    if (!this.#accepting) {
      incoming.reject(503, { reason: `${reasonPhrase(503)} (shutting down)`, headers: [['Retry-After', String(this.#env.retryAfterS)]] });
      return;
    }
    const key = `${incoming.callId}\u0000${incoming.localTag}`;
    const call = new Call({ ...this.#env, resources: () => ({ activeCalls: this.#calls.size, ...this.#resources() }) }, incoming, () => this.#forget(key));
    this.#calls.set(key, call);
    void call.start();
  }

  #forget(key: string): void {
    this.#calls.delete(key);
    if (this.#calls.size === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  /** Every live call reports its stream quality (to the call records and metrics). */
  sampleQuality(): void {
    for (const call of this.#calls.values()) call.sampleQuality();
  }

  /** Resolves when no call is left, or after `timeoutMs` (true: none left). */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#calls.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.#env.clock.setTimeout(() => {
        const i = this.#idleWaiters.indexOf(wake);
        if (i >= 0) this.#idleWaiters.splice(i, 1);
        resolve(this.#calls.size === 0);
      }, timeoutMs);
      const wake = () => {
        this.#env.clock.clearTimeout(timer);
        resolve(true);
      };
      this.#idleWaiters.push(wake);
    });
  }

  /** Refuses new calls (503) from now on; the calls in progress go on. */
  stopAccepting(): void {
    this.#accepting = false;
  }

  /** Drain's end: every call still up is handed back to Connect (attributes, then BYE). */
  async handBackAll(): Promise<number> {
    this.#accepting = false;
    const calls = [...this.#calls.values()];
    await Promise.allSettled(calls.map((c) => c.handBackForShutdown()));
    return calls.length;
  }

  /** Ends every call (BYE for answered ones, 503 for ringing ones) and refuses new ones. */
  async shutdown(): Promise<void> {
    this.#accepting = false;
    await Promise.allSettled([...this.#calls.values()].map((c) => c.end('shutdown')));
  }
}
