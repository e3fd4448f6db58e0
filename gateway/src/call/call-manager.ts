import type { IncomingCall, SipServer } from '../sip/index.js';
import { reasonPhrase } from '../sip/message/index.js';
import { Call, type CallEnvironment } from './call.js';

/** Keeps the set of live calls: creates one per dialog-creating INVITE and forgets it once ended. */
export class CallManager {
  readonly #env: Omit<CallEnvironment, 'resources'>;
  readonly #calls = new Map<string, Call>();
  readonly #resources: () => Record<string, number>;
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
    const call = new Call({ ...this.#env, resources: () => ({ activeCalls: this.#calls.size, ...this.#resources() }) }, incoming, () => this.#calls.delete(key));
    this.#calls.set(key, call);
    void call.start();
  }

  /** Ends every call (BYE for answered ones, 503 for ringing ones) and refuses new ones. */
  async shutdown(): Promise<void> {
    this.#accepting = false;
    await Promise.allSettled([...this.#calls.values()].map((c) => c.end('shutdown')));
  }
}
