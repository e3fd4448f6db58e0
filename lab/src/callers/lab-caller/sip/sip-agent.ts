/**
 * The SIP machinery between the socket and the call: records every message, matches responses
 * to client transactions (top Via branch + CSeq method, RFC 3261 §17.1.3), absorbs the peer's
 * request retransmissions by replaying our response (§17.2), retransmits our 2xx to the peer's
 * re-INVITE until its ACK arrives (§13.3.1.4), and hands everything else to the call.
 */
import { describeError, isParseError, parseCSeq, type ParseResult, parseVia, serializeMessage, type SipMessage, type SipRequest, type SipResponse } from 'connect-realtime-gateway';
import type { HostPort, SipTransportKind } from '../options.js';
import type { LabCallerCounters, SipRecord } from '../result.js';
import type { RunClock } from '../run-clock.js';
import { ClientTransaction, type TransactionEnv } from './client-transaction.js';
import { openSipSocket, type SipSocket, type SipSocketOptions } from './sip-socket.js';

/** Answered peer requests remembered for retransmission replay. */
const MAX_SERVER_ENTRIES = 256;
/** Records kept at most. */
const MAX_SIP_RECORDS = 10_000;

export interface SipAgentHandlers {
  /** A new request from the peer (retransmissions are absorbed here). */
  onRequest(req: SipRequest, from: HostPort): void;
  /** A response no transaction claims: a retransmitted 2xx to our INVITE, mostly. */
  onStrayResponse(res: SipResponse): void;
  onClosed(reason: string): void;
}

export interface SipAgentOptions extends SipSocketOptions {
  clock: RunClock;
  t1Ms: number;
  t2Ms: number;
  records: SipRecord[];
  counters: LabCallerCounters;
  isLoopback(host: string): boolean;
}

interface ServerEntry {
  response: SipResponse | undefined;
  dest: HostPort;
  expires: number;
}

export function summarize(m: SipMessage): string {
  if (m.type === 'request') return m.method;
  const cseq = m.headers.get('cseq');
  const parsed = cseq === undefined ? undefined : parseCSeq(cseq);
  const method = parsed === undefined || isParseError(parsed) ? '?' : parsed.method;
  return `${m.status} ${method}`;
}

function transactionKey(branch: string, method: string): string {
  return `${branch}|${method === 'ACK' ? 'INVITE' : method}`;
}

function topBranch(m: SipMessage): string | undefined {
  const v = m.headers.get('via');
  const vias = v === undefined ? undefined : parseVia(v);
  if (vias === undefined || isParseError(vias)) return undefined;
  return vias[0]?.params.get('branch') ?? undefined;
}

export class SipAgent {
  readonly #o: SipAgentOptions;
  readonly #h: SipAgentHandlers;
  readonly #socket: SipSocket;
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerEntry>();
  readonly #pending2xx = new Map<string, () => void>();
  readonly #envBase: Omit<TransactionEnv, 'send'>;
  #closed = false;

  private constructor(o: SipAgentOptions, h: SipAgentHandlers, socket: SipSocket) {
    this.#o = o;
    this.#h = h;
    this.#socket = socket;
    this.#envBase = { clock: o.clock, reliable: socket.transport !== 'udp', t1Ms: o.t1Ms, t2Ms: o.t2Ms };
  }

  static async open(o: SipAgentOptions, h: SipAgentHandlers): Promise<SipAgent> {
    let agent: SipAgent | undefined;
    const socket = await openSipSocket(o, {
      onMessage: (r, raw, from) => {
        if (agent !== undefined) agent.#onMessage(r, raw, from);
      },
      onClosed: (reason) => {
        if (agent !== undefined) agent.#onSocketClosed(reason);
      },
    });
    agent = new SipAgent(o, h, socket);
    return agent;
  }

  get transport(): SipTransportKind {
    return this.#socket.transport;
  }

  get localAddress(): string {
    return this.#socket.localAddress;
  }

  get localPort(): number {
    return this.#socket.localPort;
  }

  /** Starts a client transaction for `req` (its top Via branch must be fresh). */
  request(req: SipRequest, dest: HostPort, onProvisional?: (res: SipResponse) => void): ClientTransaction {
    const branch = topBranch(req) ?? '';
    const key = transactionKey(branch, req.method);
    const env: TransactionEnv = { ...this.#envBase, send: (m) => this.send(m, dest) };
    const tx = new ClientTransaction(env, req, branch, {
      ...(onProvisional !== undefined ? { onProvisional } : {}),
      onTerminated: () => {
        if (this.#clients.get(key) === tx) this.#clients.delete(key);
      },
    });
    this.#clients.set(key, tx);
    if (this.#closed) tx.abort();
    else tx.start();
    return tx;
  }

  /** Sends outside any transaction (2xx ACKs, responses); `drop` records it without sending. */
  send(m: SipMessage, dest: HostPort, drop = false): void {
    if (this.#closed) return;
    const bytes = serializeMessage(m);
    this.#record(drop ? 'dropped' : 'out', summarize(m), bytes.toString('utf8'));
    if (!drop) this.#socket.send(bytes, dest);
  }

  /**
   * Answers a peer request and remembers the answer so a retransmitted request gets it again.
   * A 2xx to INVITE is also retransmitted on UDP until the ACK (or 64·T1).
   */
  respond(req: SipRequest, res: SipResponse, dest: HostPort): void {
    const branch = topBranch(req);
    if (branch !== undefined) {
      this.#remember(transactionKey(branch, req.method), { response: res, dest, expires: this.#o.clock.now() + 64 * this.#o.t1Ms });
    }
    this.send(res, dest);
    if (req.method === 'INVITE' && res.status >= 200 && res.status < 300 && this.#socket.transport === 'udp') {
      this.#retransmit2xx(req, res, dest);
    }
  }

  /** A response the call could not place either (no transaction, no dialog it belongs to). */
  countUnmatched(): void {
    this.#o.counters.sipUnmatchedResponses++;
  }

  /** Aborts every client transaction and closes the socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const tx of [...this.#clients.values()]) tx.abort();
    this.#clients.clear();
    for (const stop of this.#pending2xx.values()) stop();
    this.#pending2xx.clear();
    this.#socket.close();
  }

  #onSocketClosed(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const tx of [...this.#clients.values()]) tx.abort();
    this.#clients.clear();
    this.#h.onClosed(reason);
  }

  #onMessage(r: ParseResult, raw: Buffer | undefined, from: HostPort): void {
    if (this.#closed) return;
    try {
      this.#dispatch(r, raw, from);
    } catch (err) {
      // Whatever arrived, the caller keeps running; the record says what broke.
      this.#o.counters.internalErrors++;
      this.#record('in', 'internal error', describeError(err, { stack: true }));
    }
  }

  #dispatch(r: ParseResult, raw: Buffer | undefined, from: HostPort): void {
    if (!r.ok) {
      this.#o.counters.sipParseErrors++;
      this.#record('in', `unparseable (${r.error.code})`, raw?.toString('utf8') ?? r.error.reason);
      return;
    }
    const m = r.value;
    this.#record('in', summarize(m), raw?.toString('utf8') ?? serializeMessage(m).toString('utf8'));
    if (m.type === 'response') {
      const branch = topBranch(m);
      const cseq = m.headers.get('cseq');
      const parsed = cseq === undefined ? undefined : parseCSeq(cseq);
      const method = parsed === undefined || isParseError(parsed) ? '' : parsed.method;
      const tx = branch === undefined ? undefined : this.#clients.get(transactionKey(branch, method));
      if (tx !== undefined) tx.receive(m);
      else this.#h.onStrayResponse(m);
      return;
    }
    // Requests: replies go to the source (RFC 3581 symmetric response), only if it is loopback.
    if (!this.#o.isLoopback(from.host)) return;
    if (m.method === 'ACK') this.#ackArrived(m);
    const branch = topBranch(m);
    if (branch !== undefined && m.method !== 'ACK') {
      const key = transactionKey(branch, m.method);
      const seen = this.#servers.get(key);
      if (seen !== undefined && seen.expires > this.#o.clock.now()) {
        if (seen.response !== undefined) this.send(seen.response, from);
        return;
      }
      this.#remember(key, { response: undefined, dest: from, expires: this.#o.clock.now() + 64 * this.#o.t1Ms });
    }
    this.#h.onRequest(m, from);
  }

  #remember(key: string, e: ServerEntry): void {
    this.#servers.delete(key);
    if (this.#servers.size >= MAX_SERVER_ENTRIES) {
      const oldest = this.#servers.keys().next();
      if (!oldest.done) this.#servers.delete(oldest.value);
    }
    this.#servers.set(key, e);
  }

  #retransmit2xx(req: SipRequest, res: SipResponse, dest: HostPort): void {
    const key = `${req.headers.get('call-id') ?? ''}|${(req.headers.get('cseq') ?? '').trim().split(/\s+/)[0] ?? ''}`;
    this.#pending2xx.get(key)?.();
    let interval = this.#o.t1Ms;
    let cancel = (): void => {};
    const giveUp = this.#o.clock.after(64 * this.#o.t1Ms, () => stop());
    const stop = (): void => {
      cancel();
      giveUp();
      this.#pending2xx.delete(key);
    };
    const again = (): void => {
      cancel = this.#o.clock.after(interval, () => {
        this.send(res, dest);
        interval = Math.min(interval * 2, this.#o.t2Ms);
        again();
      });
    };
    again();
    this.#pending2xx.set(key, stop);
  }

  #ackArrived(ack: SipRequest): void {
    const key = `${ack.headers.get('call-id') ?? ''}|${(ack.headers.get('cseq') ?? '').trim().split(/\s+/)[0] ?? ''}`;
    this.#pending2xx.get(key)?.();
  }

  #record(dir: SipRecord['dir'], summary: string, text: string): void {
    if (this.#o.records.length >= MAX_SIP_RECORDS) {
      this.#o.counters.recordsDropped++;
      return;
    }
    this.#o.records.push({ t: this.#o.clock.now(), dir, summary, text });
  }
}
