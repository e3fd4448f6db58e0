import type { SipRequest } from '../message/index.js';
import { BUILTIN_METHODS } from '../options.js';
import { NamedTimers } from '../timers.js';
import type { TransactionEnv } from './env.js';
import type { WireResponse } from './wire-response.js';

/**
 * Non-INVITE server transaction, RFC 3261 §17.2.2:
 *
 *   Trying ── 1xx from TU ──► Proceeding ── final from TU ──► Completed ── Timer J ──► Terminated
 *     │                          (retransmission: re-send 1xx)    (retransmission: re-send final)
 *     └── final from TU ─────────────────────────────────────────► Completed
 *
 * Timer J is 64·T1 on unreliable transports (to absorb retransmissions) and 0 on reliable ones.
 */
export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export class NonInviteServerTransaction {
  readonly key: string;
  readonly request: SipRequest;
  #state: NonInviteServerState = 'trying';
  #last: Buffer | undefined;
  readonly #env: TransactionEnv;
  readonly #timers: NamedTimers<'J'>;

  constructor(key: string, request: SipRequest, env: TransactionEnv) {
    this.key = key;
    this.request = request;
    this.#env = env;
    this.#timers = new NamedTimers(env.clock);
  }

  get state(): NonInviteServerState {
    return this.#state;
  }

  /** The TU sends a response; its bytes are what a retransmitted request gets again. */
  respond(res: WireResponse): boolean {
    if (this.#state === 'completed' || this.#state === 'terminated') return false;
    this.#last = res.data;
    this.#transmit(res.data);
    if (res.status < 200) {
      this.#state = 'proceeding';
      return true;
    }
    this.#state = 'completed';
    this.#timers.set('J', this.#env.timers.timerJ(this.#env.reliable), () => this.terminate());
    return true;
  }

  /** A retransmission of the request. */
  receive(): void {
    // Counter names come from a fixed set: a method token chosen by the peer must not mint new ones.
    this.#env.count(`retransmit.rx.${(BUILTIN_METHODS as readonly string[]).includes(this.request.method) ? this.request.method : 'other'}`);
    if ((this.#state === 'proceeding' || this.#state === 'completed') && this.#last !== undefined) {
      this.#transmit(this.#last);
    }
  }

  terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clearAll();
    this.#env.onTerminated();
  }

  #transmit(data: Buffer): void {
    this.#env.send(data).catch(() => {
      // Logged and counted by the env; a retransmitted request will trigger another attempt.
    });
  }
}
