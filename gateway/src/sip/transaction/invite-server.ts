import type { SipRequest } from '../message/index.js';
import { NamedTimers } from '../timers.js';
import type { TransactionEnv } from './env.js';
import type { WireResponse } from './wire-response.js';

/**
 * INVITE server transaction, RFC 3261 §17.2.1 with the RFC 6026 "Accepted" state:
 *
 *                 INVITE → (TU sends 100)
 *   Proceeding ── 1xx from TU: send, stay; INVITE retransmission: re-send last provisional
 *       │  2xx from TU ───────────────► Accepted (Timer L = 64·T1): absorb INVITE retransmissions;
 *       │                                 the dialog core retransmits the 2xx itself (§13.3.1.4)
 *       │  300–699 from TU
 *       ▼
 *   Completed ── Timer G (T1, doubling to T2, unreliable only): re-send final
 *       │       INVITE retransmission: re-send final; Timer H (64·T1): give up, tell TU "no ACK"
 *       │  ACK
 *       ▼
 *   Confirmed ── absorb ACKs; Timer I (T4 unreliable, 0 reliable) ──► Terminated
 */
export type InviteServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

export interface InviteServerTu {
  /** Timer H fired: the final non-2xx was never acknowledged. */
  onNoAck?(): void;
}

export class InviteServerTransaction {
  readonly key: string;
  readonly request: SipRequest;
  #state: InviteServerState = 'proceeding';
  #last: Buffer | undefined;
  #finalStatus: number | undefined;
  #gInterval: number;
  readonly #env: TransactionEnv;
  readonly #tu: InviteServerTu;
  readonly #timers: NamedTimers<'G' | 'H' | 'I' | 'L'>;

  constructor(key: string, request: SipRequest, env: TransactionEnv, tu: InviteServerTu = {}) {
    this.key = key;
    this.request = request;
    this.#env = env;
    this.#tu = tu;
    this.#timers = new NamedTimers(env.clock);
    this.#gInterval = env.timers.t1;
  }

  get state(): InviteServerState {
    return this.#state;
  }

  /** Status of the final response sent, if any. */
  get finalStatus(): number | undefined {
    return this.#finalStatus;
  }

  /**
   * The TU sends a response; the transaction keeps its bytes for retransmissions. Returns false when
   * the state no longer allows it.
   */
  respond(res: WireResponse): boolean {
    if (this.#state !== 'proceeding') return false;
    this.#last = res.data;
    this.#transmit(res.data);
    if (res.status < 200) return true;
    this.#finalStatus = res.status;
    if (res.status < 300) {
      this.#state = 'accepted';
      this.#timers.set('L', this.#env.timers.transactionTimeout, () => this.terminate());
      return true;
    }
    this.#state = 'completed';
    if (!this.#env.reliable) this.#armG();
    this.#timers.set('H', this.#env.timers.transactionTimeout, () => {
      this.#env.count('timeout.timer_h');
      this.#tu.onNoAck?.();
      this.terminate();
    });
    return true;
  }

  /**
   * A request matched this transaction: an INVITE retransmission or an ACK. Returns 'absorbed' when
   * the transaction dealt with it, or 'to-tu' for an ACK the TU must see (an RFC 2543 peer's ACK to
   * our 2xx matches here because it reuses the INVITE's Via).
   */
  receive(req: SipRequest): 'absorbed' | 'to-tu' {
    if (req.method === 'ACK') {
      if (this.#state === 'completed') {
        this.#state = 'confirmed';
        this.#timers.clear('G');
        this.#timers.clear('H');
        this.#timers.set('I', this.#env.timers.timerI(this.#env.reliable), () => this.terminate());
        return 'absorbed';
      }
      return this.#state === 'accepted' ? 'to-tu' : 'absorbed';
    }
    this.#env.count('retransmit.rx.INVITE');
    if ((this.#state === 'proceeding' || this.#state === 'completed') && this.#last !== undefined) {
      this.#transmit(this.#last);
    }
    return 'absorbed';
  }

  /** Single teardown: clears every timer and tells the owner once. */
  terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clearAll();
    this.#env.onTerminated();
  }

  #armG(): void {
    this.#timers.set('G', this.#gInterval, () => {
      if (this.#state !== 'completed' || this.#last === undefined) return;
      this.#env.count('retransmit.tx.final');
      this.#transmit(this.#last);
      this.#gInterval = this.#env.timers.nextInterval(this.#gInterval);
      this.#armG();
    });
  }

  #transmit(data: Buffer): void {
    this.#env.send(data).catch(() => {
      // The env logs and counts transport failures; the transaction keeps its timers (§17.2.4 lets
      // the TU decide), so an ACK on a recovered path still completes it.
    });
  }
}
