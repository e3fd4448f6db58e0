/**
 * UAC client transactions (RFC 3261 §17.1). INVITE (§17.1.1): Timer A retransmits over UDP until a
 * provisional response arrives, Timer B gives up after 64·T1, a non-2xx final is ACKed here with the
 * INVITE's own branch and re-ACKed for every retransmission during Timer D; a 2xx ends the
 * transaction (its ACK belongs to the dialog, §13.2.2.4). Non-INVITE (§17.1.2): Timer E
 * retransmits (capped at T2), Timer F gives up, Timer K absorbs retransmitted finals.
 */
import { SipHeaders, type SipMessage, type SipRequest, type SipResponse } from 'connect-realtime-gateway';

/** RFC 3261 §17.1.1.2: Timer D on unreliable transports is at least 32 s. */
export const TIMER_D_MS = 32_000;
/** RFC 3261 Table 4: T4, how long a response may linger in the network (Timer K), ms. */
export const T4_MS = 5_000;

/** What a transaction needs of time: one-shot timers (RunClock in a run, a manual one in tests). */
export interface Timers {
  after(ms: number, fn: () => void): () => void;
}

export interface TransactionEnv {
  clock: Timers;
  /** TCP/TLS: no retransmissions, Timers D and K are zero. */
  reliable: boolean;
  t1Ms: number;
  t2Ms: number;
  send(msg: SipMessage): void;
}

export type TransactionOutcome =
  | { kind: 'final'; response: SipResponse }
  /** Timer B / F fired: no final response. */
  | { kind: 'timeout' }
  /** The transport closed or the run ended first. */
  | { kind: 'aborted' };

type State = 'calling' | 'proceeding' | 'completed' | 'terminated';

export class ClientTransaction {
  readonly request: SipRequest;
  readonly branch: string;
  readonly method: string;
  readonly done: Promise<TransactionOutcome>;
  readonly #env: TransactionEnv;
  readonly #onProvisional: ((res: SipResponse) => void) | undefined;
  readonly #onTerminated: () => void;
  #resolve!: (o: TransactionOutcome) => void;
  #state: State = 'calling';
  #cancelRetransmit: (() => void) | undefined;
  #cancelTimeout: (() => void) | undefined;
  #ack: SipRequest | undefined;

  constructor(
    env: TransactionEnv,
    request: SipRequest,
    branch: string,
    hooks: { onProvisional?: (res: SipResponse) => void; onTerminated: () => void },
  ) {
    this.#env = env;
    this.request = request;
    this.branch = branch;
    this.method = request.method;
    this.#onProvisional = hooks.onProvisional;
    this.#onTerminated = hooks.onTerminated;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  get isInvite(): boolean {
    return this.method === 'INVITE';
  }

  start(): void {
    const env = this.#env;
    env.send(this.request);
    if (!env.reliable) this.#retransmit(env.t1Ms);
    this.#cancelTimeout = env.clock.after(64 * env.t1Ms, () => {
      // Timer B only matters before any response (§17.1.1.2); Timer F at any point before a final.
      if (this.#state === 'calling' || (!this.isInvite && this.#state === 'proceeding')) this.#finish({ kind: 'timeout' });
    });
  }

  /** A response whose top Via branch and CSeq method match this transaction. */
  receive(res: SipResponse): void {
    if (this.#state === 'terminated') return;
    if (res.status < 200) {
      if (this.#state === 'calling' || this.#state === 'proceeding') {
        const first = this.#state === 'calling';
        this.#state = 'proceeding';
        if (this.isInvite) this.#stopRetransmit();
        else if (first && !this.#env.reliable) {
          // §17.1.2.2: in Proceeding, Timer E fires every T2.
          this.#stopRetransmit();
          this.#retransmit(this.#env.t2Ms);
        }
        this.#onProvisional?.(res);
      }
      return;
    }
    if (this.#state === 'completed') {
      // A retransmitted final: re-ACK a non-2xx (§17.1.1.2); for non-INVITE just absorb it.
      if (this.#ack !== undefined) this.#env.send(this.#ack);
      return;
    }
    this.#stopRetransmit();
    this.#cancelTimeout?.();
    if (this.isInvite && res.status >= 300) {
      this.#ack = buildNonTwoXxAck(this.request, res);
      this.#env.send(this.#ack);
    }
    this.#resolve({ kind: 'final', response: res });
    if (this.isInvite && res.status < 300) {
      this.#terminate();
      return;
    }
    this.#state = 'completed';
    const linger = this.#env.reliable ? 0 : this.isInvite ? TIMER_D_MS : T4_MS;
    if (linger === 0) this.#terminate();
    else this.#env.clock.after(linger, () => this.#terminate());
  }

  /** The run is ending or the transport closed. */
  abort(): void {
    this.#finish({ kind: 'aborted' });
  }

  #finish(o: TransactionOutcome): void {
    if (this.#state === 'terminated') return;
    this.#resolve(o);
    this.#terminate();
  }

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#stopRetransmit();
    this.#cancelTimeout?.();
    this.#onTerminated();
  }

  #retransmit(interval: number): void {
    this.#cancelRetransmit = this.#env.clock.after(interval, () => {
      if (this.#state !== 'calling' && this.#state !== 'proceeding') return;
      this.#env.send(this.request);
      // Timer A doubles without a cap; Timer E doubles up to T2 (§17.1.1.2, §17.1.2.2).
      const next = this.isInvite ? interval * 2 : Math.min(interval * 2, this.#env.t2Ms);
      this.#retransmit(next);
    });
  }

  #stopRetransmit(): void {
    this.#cancelRetransmit?.();
    this.#cancelRetransmit = undefined;
  }
}

/**
 * RFC 3261 §17.1.1.3: the ACK for a non-2xx final — same Request-URI, top Via, From, Call-ID,
 * CSeq number and Route as the INVITE, To from the response (it carries the tag).
 */
export function buildNonTwoXxAck(invite: SipRequest, res: SipResponse): SipRequest {
  const headers = new SipHeaders();
  const via = invite.headers.get('via');
  if (via !== undefined) headers.append('Via', via);
  headers.append('Max-Forwards', '70');
  for (const r of invite.headers.getAll('route')) headers.append('Route', r);
  const from = invite.headers.get('from');
  if (from !== undefined) headers.append('From', from);
  const to = res.headers.get('to') ?? invite.headers.get('to');
  if (to !== undefined) headers.append('To', to);
  const callId = invite.headers.get('call-id');
  if (callId !== undefined) headers.append('Call-ID', callId);
  const seq = (invite.headers.get('cseq') ?? '1').trim().split(/\s+/)[0] ?? '1';
  headers.append('CSeq', `${seq} ACK`);
  return { type: 'request', method: 'ACK', uri: invite.uri, version: 'SIP/2.0', headers, body: Buffer.alloc(0) };
}
