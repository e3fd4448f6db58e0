import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import type { SipRequest, SipResponse } from '../message/index.js';
import type { SipStats } from '../stats.js';
import type { SipTimers } from '../timers.js';
import type { Destination } from '../transport/types.js';
import type { TransactionEnv } from './env.js';
import { InviteClientTransaction } from './invite-client.js';
import { InviteServerTransaction } from './invite-server.js';
import { clientTransactionKey, responseClientKey } from './key.js';
import { NonInviteClientTransaction, type ClientTu } from './non-invite-client.js';
import { NonInviteServerTransaction } from './non-invite-server.js';
import { SourceCounts } from '../admission/source-counts.js';

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;

export interface TransactionManagerDeps {
  clock: Clock;
  timers: SipTimers;
  stats: SipStats;
  logger: Logger;
  send(dest: Destination, data: Buffer): Promise<void>;
  isReliable(dest: Destination): boolean;
  /** Live server transactions in all and per source address; absent: unbounded. */
  limits?: ServerTransactionLimits;
}

export interface ServerTransactionLimits {
  maxServer: number;
  maxServerPerSource: number;
}

/** Whether a new server transaction may be created for a source, and if not which cap said no. */
export type ServerAdmission = 'ok' | 'total_limit' | 'source_limit';

/**
 * The transaction layer's tables (RFC 3261 §17): server transactions by §17.2.3 key, client
 * transactions by branch + method (§17.1.3). Transactions remove themselves when they terminate.
 */
export class TransactionManager {
  readonly #deps: TransactionManagerDeps;
  readonly #servers = new Map<string, ServerTransaction>();
  readonly #clients = new Map<string, ClientTransaction>();
  /** Server transactions per source address (the address responses go to, which is the source's). */
  #perSource = new SourceCounts();

  constructor(deps: TransactionManagerDeps) {
    const l = deps.limits;
    if (l !== undefined) {
      for (const [name, v] of Object.entries(l)) {
        if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`transaction limits: ${name} must be an integer > 0, got ${String(v)}`);
      }
      if (l.maxServerPerSource > l.maxServer) throw new RangeError('transaction limits: maxServerPerSource must not exceed maxServer');
    }
    this.#deps = deps;
  }

  /**
   * Asked before a request that matches no transaction is handled: UDP keeps every server
   * transaction for 64·T1 after its final response, so without a cap a flood of cheap requests
   * would hold memory for half a minute each.
   */
  admitServer(address: string): ServerAdmission {
    const l = this.#deps.limits;
    if (l === undefined) return 'ok';
    if (this.#servers.size >= l.maxServer) return 'total_limit';
    if (this.#perSource.get(address) >= l.maxServerPerSource) return 'source_limit';
    return 'ok';
  }

  findServer(key: string): ServerTransaction | undefined {
    return this.#servers.get(key);
  }

  createInviteServer(key: string, req: SipRequest, dest: Destination): InviteServerTransaction {
    let tx: InviteServerTransaction | undefined;
    const env = this.#serverEnv(dest, () => {
      if (tx !== undefined && this.#servers.get(key) === tx) this.#servers.delete(key);
    });
    const callId = req.headers.get('Call-ID');
    tx = new InviteServerTransaction(key, req, env, {
      onNoAck: () => this.#deps.logger.debug({ callId, status: tx?.finalStatus }, 'sip: final response never ACKed (Timer H)'),
    });
    this.#servers.set(key, tx);
    return tx;
  }

  createNonInviteServer(key: string, req: SipRequest, dest: Destination): NonInviteServerTransaction {
    let tx: NonInviteServerTransaction | undefined;
    const env = this.#serverEnv(dest, () => {
      if (tx !== undefined && this.#servers.get(key) === tx) this.#servers.delete(key);
    });
    tx = new NonInviteServerTransaction(key, req, env);
    this.#servers.set(key, tx);
    return tx;
  }

  /** Starts a client transaction for `req`, whose top Via carries `branch`. */
  startClient(req: SipRequest, branch: string, dest: Destination, tu: ClientTu): ClientTransaction {
    const key = clientTransactionKey(branch, req.method);
    let tx: ClientTransaction | undefined;
    const env = this.#env(dest, () => {
      if (tx !== undefined && this.#clients.get(key) === tx) this.#clients.delete(key);
    });
    tx = req.method === 'INVITE' ? new InviteClientTransaction(key, req, env, tu) : new NonInviteClientTransaction(key, req, env, tu);
    this.#clients.set(key, tx);
    this.#deps.stats.inc(`tx.request.${req.method}`);
    tx.start();
    return tx;
  }

  /** Routes a response to its client transaction; false when none matches (§18.1.2: discard). */
  receiveResponse(res: SipResponse): boolean {
    const key = responseClientKey(res);
    const tx = key === undefined ? undefined : this.#clients.get(key);
    if (tx === undefined) return false;
    tx.receiveResponse(res);
    return true;
  }

  get size(): { server: number; client: number } {
    return { server: this.#servers.size, client: this.#clients.size };
  }

  /** Teardown: every transaction stops its timers and is forgotten. */
  terminateAll(): void {
    for (const tx of [...this.#servers.values()]) tx.terminate();
    for (const tx of [...this.#clients.values()]) tx.terminate();
    this.#servers.clear();
    this.#clients.clear();
    this.#perSource = new SourceCounts();
  }

  /** A server transaction's env: it holds a slot of its source until it terminates. */
  #serverEnv(dest: Destination, onTerminated: () => void): TransactionEnv {
    const source = dest.address;
    const counts = this.#perSource;
    counts.add(source);
    let held = true;
    return this.#env(dest, () => {
      if (held) {
        held = false;
        counts.remove(source);
      }
      onTerminated();
    });
  }

  #env(dest: Destination, onTerminated: () => void): TransactionEnv {
    const { clock, timers, stats, logger } = this.#deps;
    return {
      clock,
      timers,
      reliable: this.#deps.isReliable(dest),
      send: (data) =>
        this.#deps.send(dest, data).catch((err: unknown) => {
          stats.inc('transport.send_error');
          logger.warn({ err, dest: `${dest.transport}:${dest.address}:${dest.port}` }, 'sip: send failed');
          throw err;
        }),
      count: (name) => stats.inc(name),
      onTerminated,
    };
  }
}
