import { serializeMessage, type SipRequest, type SipResponse } from '../message/index.js';
import type { SipError } from '../errors.js';
import { NamedTimers } from '../timers.js';
import type { TransactionEnv } from './env.js';

/** What a client transaction reports to its TU: responses, and at most one failure. */
export interface ClientTu {
  onResponse(res: SipResponse): void;
  /** Timer B / Timer F: no final response in 64·T1 (the TU treats it as 408, §8.1.3.1). */
  onTimeout(): void;
  onTransportError(err: SipError): void;
}

/**
 * Non-INVITE client transaction, RFC 3261 §17.1.2:
 *
 *   Trying ── Timer E (T1, doubling to T2; unreliable only): retransmit
 *     │  1xx ──► Proceeding ── Timer E (T2): retransmit
 *     │  final (either state) ──► Completed ── Timer K (T4 unreliable, 0 reliable) ──► Terminated
 *     └── Timer F (64·T1) or transport error ──► Terminated (TU told)
 */
export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export class NonInviteClientTransaction {
  readonly key: string;
  readonly request: SipRequest;
  #state: NonInviteClientState = 'trying';
  #eInterval: number;
  #data: Buffer | undefined;
  readonly #env: TransactionEnv;
  readonly #tu: ClientTu;
  readonly #timers: NamedTimers<'E' | 'F' | 'K'>;

  constructor(key: string, request: SipRequest, env: TransactionEnv, tu: ClientTu) {
    this.key = key;
    this.request = request;
    this.#env = env;
    this.#tu = tu;
    this.#timers = new NamedTimers(env.clock);
    this.#eInterval = env.timers.t1;
  }

  get state(): NonInviteClientState {
    return this.#state;
  }

  start(): void {
    this.#data = serializeMessage(this.request);
    this.#transmit();
    if (!this.#env.reliable) this.#armE();
    this.#timers.set('F', this.#env.timers.transactionTimeout, () => {
      this.#env.count('timeout.timer_f');
      this.#finish();
      this.#tu.onTimeout();
    });
  }

  receiveResponse(res: SipResponse): void {
    if (this.#state === 'completed' || this.#state === 'terminated') return; // retransmitted final: absorbed
    if (res.status < 200) {
      if (this.#state === 'trying') this.#state = 'proceeding';
      this.#tu.onResponse(res);
      return;
    }
    this.#state = 'completed';
    this.#timers.clear('E');
    this.#timers.clear('F');
    this.#timers.set('K', this.#env.timers.timerK(this.#env.reliable), () => this.terminate());
    this.#tu.onResponse(res);
  }

  terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clearAll();
    this.#env.onTerminated();
  }

  #armE(): void {
    this.#timers.set('E', this.#eInterval, () => {
      if (this.#state !== 'trying' && this.#state !== 'proceeding') return;
      this.#env.count(`retransmit.tx.${this.request.method}`);
      this.#transmit();
      // §17.1.2.2: in Proceeding the interval is T2; in Trying it doubles up to T2.
      this.#eInterval = this.#state === 'proceeding' ? this.#env.timers.t2 : this.#env.timers.nextInterval(this.#eInterval);
      this.#armE();
    });
  }

  #transmit(): void {
    const data = this.#data;
    if (data === undefined) return;
    this.#env.send(data).catch((err: SipError) => {
      if (this.#state !== 'trying' && this.#state !== 'proceeding') return;
      this.#finish();
      this.#tu.onTransportError(err);
    });
  }

  #finish(): void {
    this.terminate();
  }
}
