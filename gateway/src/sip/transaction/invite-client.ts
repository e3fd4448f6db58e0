import { SipHeaders, serializeMessage, type SipRequest, type SipResponse } from '../message/index.js';
import type { SipError } from '../errors.js';
import { NamedTimers } from '../timers.js';
import type { TransactionEnv } from './env.js';
import type { ClientTu } from './non-invite-client.js';

/**
 * INVITE client transaction, RFC 3261 §17.1.1 with the RFC 6026 "Accepted" state:
 *
 *   Calling ── Timer A (T1, doubling; unreliable only): retransmit
 *     │  1xx ──► Proceeding
 *     │  2xx (Calling/Proceeding) ──► Accepted (Timer M = 64·T1): every 2xx, retransmissions
 *     │                                included, goes to the TU, which ACKs each (§13.2.2.4)
 *     │  300–699 ──► Completed: we ACK (same branch, §17.1.1.3); re-ACK retransmitted finals;
 *     │              Timer D (≥32 s unreliable, 0 reliable) ──► Terminated
 *     └── Timer B (64·T1) or transport error ──► Terminated (TU told)
 *
 * Timer B keeps running in Proceeding too: a UA has no proxy Timer C, and a refresh re-INVITE
 * answered with only 1xx must not hang the dialog forever.
 */
export type InviteClientState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

export class InviteClientTransaction {
  readonly key: string;
  readonly request: SipRequest;
  #state: InviteClientState = 'calling';
  #aInterval: number;
  #data: Buffer | undefined;
  #ack: Buffer | undefined;
  readonly #env: TransactionEnv;
  readonly #tu: ClientTu;
  readonly #timers: NamedTimers<'A' | 'B' | 'D' | 'M'>;

  constructor(key: string, request: SipRequest, env: TransactionEnv, tu: ClientTu) {
    this.key = key;
    this.request = request;
    this.#env = env;
    this.#tu = tu;
    this.#timers = new NamedTimers(env.clock);
    this.#aInterval = env.timers.t1;
  }

  get state(): InviteClientState {
    return this.#state;
  }

  start(): void {
    this.#data = serializeMessage(this.request);
    this.#transmit(this.#data);
    if (!this.#env.reliable) this.#armA();
    this.#timers.set('B', this.#env.timers.transactionTimeout, () => {
      this.#env.count('timeout.timer_b');
      this.terminate();
      this.#tu.onTimeout();
    });
  }

  receiveResponse(res: SipResponse): void {
    switch (this.#state) {
      case 'terminated':
        return;
      case 'completed':
        if (res.status >= 300 && this.#ack !== undefined) this.#transmit(this.#ack);
        return;
      case 'accepted':
        if (res.status >= 200 && res.status < 300) this.#tu.onResponse(res);
        return;
      default:
        break;
    }
    if (res.status < 200) {
      this.#state = 'proceeding';
      this.#timers.clear('A');
      this.#tu.onResponse(res);
      return;
    }
    this.#timers.clear('A');
    this.#timers.clear('B');
    if (res.status < 300) {
      this.#state = 'accepted';
      this.#timers.set('M', this.#env.timers.transactionTimeout, () => this.terminate());
      this.#tu.onResponse(res);
      return;
    }
    this.#state = 'completed';
    this.#ack = serializeMessage(ackForNon2xx(this.request, res));
    this.#transmit(this.#ack);
    this.#timers.set('D', this.#env.timers.timerD(this.#env.reliable), () => this.terminate());
    this.#tu.onResponse(res);
  }

  terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clearAll();
    this.#env.onTerminated();
  }

  #armA(): void {
    this.#timers.set('A', this.#aInterval, () => {
      if (this.#state !== 'calling' || this.#data === undefined) return;
      this.#env.count('retransmit.tx.INVITE');
      this.#transmit(this.#data);
      this.#aInterval = this.#env.timers.nextInviteRequestInterval(this.#aInterval);
      this.#armA();
    });
  }

  #transmit(data: Buffer): void {
    this.#env.send(data).catch((err: SipError) => {
      if (this.#state !== 'calling' && this.#state !== 'proceeding') return;
      this.terminate();
      this.#tu.onTransportError(err);
    });
  }
}

/**
 * RFC 3261 §17.1.1.3: the ACK for a non-2xx final is part of the INVITE transaction — same
 * Request-URI, Call-ID, From, CSeq number and top Via (so the same branch) as the INVITE, the To of
 * the response (with its tag), and the INVITE's Route headers.
 */
export function ackForNon2xx(invite: SipRequest, res: SipResponse): SipRequest {
  const headers = new SipHeaders();
  const topVia = invite.headers.getAll('Via')[0];
  if (topVia !== undefined) headers.append('Via', topVia);
  const copy = (name: string, from: SipHeaders): void => {
    const v = from.get(name);
    if (v !== undefined) headers.append(name, v);
  };
  copy('From', invite.headers);
  copy('To', res.headers);
  copy('Call-ID', invite.headers);
  const seq = (invite.headers.get('CSeq') ?? '').trim().split(/\s+/)[0] ?? '';
  headers.append('CSeq', `${seq} ACK`);
  for (const route of invite.headers.getAll('Route')) headers.append('Route', route);
  headers.append('Max-Forwards', '70');
  return { type: 'request', method: 'ACK', uri: invite.uri, version: 'SIP/2.0', headers, body: Buffer.alloc(0) };
}
