import { SafeEmitter } from '../safe-emitter.js';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { AllowList } from './admission/allow-list.js';
import { RateLimiter } from './admission/rate-limiter.js';
import { DigestAuthenticator } from './auth/authenticator.js';
import { Router, type CancelTarget } from './core/router.js';
import type { DialogHandle, UaServices } from './core/services.js';
import type { IncomingCall } from './dialog/incoming-call.js';
import { type RequestPolicy, type SipResponse } from './message/index.js';
import { ACCEPTED_BODY_TYPES, resolvePolicy, SUPPORTED_EXTENSIONS, type ResolvedPolicy, type SipServerOptions } from './options.js';
import { SipStats, statusClass } from './stats.js';
import { SipTimers } from './timers.js';
import { TransactionManager, type ServerTransaction } from './transaction/manager.js';
import { sealResponse } from './transaction/wire-response.js';
import { hostPort, isWildcardAddress } from './transport/ip.js';
import { StreamTransport } from './transport/stream.js';
import type { Destination, InboundMessage, SipTransport, SourceInfo, TransportKind } from './transport/types.js';
import { UdpTransport } from './transport/udp.js';

type ServerState = 'new' | 'starting' | 'running' | 'stopped';

/**
 * A SIP user-agent server (RFC 3261) over UDP, TCP and TLS: transactions, UAS dialogs, CANCEL,
 * session timers, digest auth and admission control. It knows nothing of calls, media or AI: the
 * call layer listens for `invite` and drives each IncomingCall / Dialog.
 */
export class SipServer extends SafeEmitter<{ invite: [call: IncomingCall]; listening: []; response: [status: number, method: string] }> {
  readonly #opts: SipServerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #policy: ResolvedPolicy;
  readonly #timers: SipTimers;
  readonly #stats = new SipStats();
  readonly #transports = new Map<TransportKind, SipTransport>();
  readonly #tx: TransactionManager;
  readonly #dialogs = new Map<string, DialogHandle>();
  readonly #cancellables = new Map<string, CancelTarget>();
  readonly #router: Router;
  readonly #allowList: AllowList;
  #active = 0;
  #state: ServerState = 'new';
  #drainRetryAfterS: number | undefined;

  constructor(opts: SipServerOptions) {
    super((event, err) => opts.logger.error({ err, event }, 'sip: server listener threw'));
    this.#opts = opts;
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#policy = resolvePolicy(opts);
    this.#timers = new SipTimers(opts.timers);
    const allowList = new AllowList(opts.allowFrom);
    this.#allowList = allowList;
    this.#tx = new TransactionManager({
      clock: this.#clock,
      timers: this.#timers,
      stats: this.#stats,
      logger: this.#logger,
      send: (dest, data) => this.#transportSend(dest, data),
      isReliable: (dest) => this.#isReliable(dest.transport),
      ...(opts.maxServerTransactions !== undefined
        ? { limits: { maxServer: opts.maxServerTransactions, maxServerPerSource: opts.maxServerTransactionsPerSource ?? opts.maxServerTransactions } }
        : {}),
    });
    const requestPolicy: RequestPolicy = {
      allowedMethods: this.#policy.allowedMethods,
      supportedExtensions: [...SUPPORTED_EXTENSIONS],
      acceptedBodyTypes: [...ACCEPTED_BODY_TYPES],
      isRegistrar: false,
    };
    this.#router = new Router({
      services: this.#services(),
      requestPolicy,
      allowList,
      rateLimiter: opts.inviteRateLimit === undefined ? undefined : new RateLimiter(this.#clock, opts.inviteRateLimit),
      requestLimiter: opts.requestRateLimit === undefined ? undefined : new RateLimiter(this.#clock, opts.requestRateLimit, 'requestRateLimit'),
      maxSetupCallsPerSource: opts.maxSetupCallsPerSource,
      authenticator: opts.auth === undefined ? undefined : new DigestAuthenticator(this.#clock, opts.auth),
      maxConcurrentCalls: opts.maxConcurrentCalls,
      dialogs: this.#dialogs,
      cancellables: this.#cancellables,
      activeCalls: () => this.#active,
      takeSlot: () => {
        this.#active += 1;
        let taken = true;
        return () => {
          if (!taken) return;
          taken = false;
          this.#active -= 1;
        };
      },
      drainRetryAfterS: () => this.#drainRetryAfterS,
      emitInvite: (call) => {
        if (this.listenerCount('invite') === 0) return false;
        this.safeEmit('invite', call);
        return true;
      },
    });
    this.#createTransports();
  }

  /** Binds every configured transport (port 0: the OS picks; see addresses()). */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`SipServer.start(): already ${this.#state}`);
    this.#state = 'starting';
    const onMessage = (msg: InboundMessage): void => this.#onMessage(msg);
    try {
      for (const t of this.#transports.values()) {
        const addr = await t.listen(onMessage);
        this.#logger.info({ transport: t.kind, address: addr.address, port: addr.port }, 'sip: listening');
      }
    } catch (err) {
      await this.#closeTransports();
      this.#state = 'stopped';
      throw err;
    }
    this.#state = 'running';
    this.safeEmit('listening');
  }

  addresses(): { udp?: AddressInfo; tcp?: AddressInfo; tls?: AddressInfo } {
    const out: { udp?: AddressInfo; tcp?: AddressInfo; tls?: AddressInfo } = {};
    for (const [kind, t] of this.#transports) {
      const a = t.address();
      if (a !== undefined) out[kind] = a;
    }
    return out;
  }

  /**
   * Closes sockets, ends every dialog and unanswered INVITE without signalling (reason
   * 'server-stopped'), terminates every transaction and clears every timer. Idempotent. Send BYEs
   * first (dialog.bye()) for a graceful drain.
   */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    for (const call of this.#router.liveCalls()) call.shutdown();
    for (const handle of [...this.#dialogs.values()]) handle.shutdown('server-stopped');
    this.#dialogs.clear();
    this.#cancellables.clear();
    this.#tx.terminateAll();
    await this.#closeTransports();
  }

  /**
   * Graceful drain: from now on new INVITEs and OPTIONS are answered 503 with this Retry-After, so
   * a connector's other routes and a dispatcher's OPTIONS probe move traffic elsewhere; requests in
   * existing dialogs and transactions go on as before.
   */
  drain(retryAfterS: number): void {
    this.#drainRetryAfterS = retryAfterS;
  }

  get draining(): boolean {
    return this.#drainRetryAfterS !== undefined;
  }

  /** True while the transports are bound and messages are handled. */
  get listening(): boolean {
    return this.#state === 'running';
  }

  /** Dialog-creating INVITEs in progress (admitted, not yet ended) plus confirmed dialogs. */
  get activeCalls(): number {
    return this.#active;
  }

  stats(): Record<string, number> {
    return this.#stats.snapshot();
  }

  /** Live transactions now (server ones are capped per source and in all; see SipServerOptions). */
  transactions(): { server: number; client: number } {
    return this.#tx.size;
  }

  // ---------------------------------------------------------------- internals

  #onMessage(msg: InboundMessage): void {
    if (this.#state !== 'running') return;
    try {
      this.#router.handle(msg);
    } catch (err) {
      // Bad input must never take the server down; log with the Call-ID when we have one.
      const callId = msg.result.ok ? msg.result.value.headers.get('Call-ID') : undefined;
      this.#stats.inc('error.handler');
      this.#logger.error({ err, callId, from: `${msg.source.transport}:${msg.source.address}:${msg.source.port}` }, 'sip: error handling message');
    }
  }

  #createTransports(): void {
    const o = this.#opts;
    const add = (t: SipTransport): void => {
      if (this.#transports.has(t.kind)) throw new RangeError(`SipServer: more than one ${t.kind} transport configured`);
      this.#transports.set(t.kind, t);
    };
    const admit = (address: string): boolean => this.#allowList.allows(address);
    const count = (name: string): void => this.#stats.inc(name);
    const stream = {
      clock: this.#clock,
      logger: this.#logger,
      admit,
      count,
      inUse: (connectionId: string) => this.#router.holdsConnection(connectionId),
      ...(o.streamLimits !== undefined ? { limits: o.streamLimits } : {}),
    };
    if (o.udp !== undefined) add(new UdpTransport({ ...o.udp, logger: this.#logger, admit, count }));

    if (o.tcp !== undefined) add(new StreamTransport({ kind: 'tcp', host: o.tcp.host, port: o.tcp.port, ...stream }));
    if (o.tls !== undefined) {
      const { host, port, ...material } = o.tls;
      add(new StreamTransport({ kind: 'tls', host, port, tls: material, ...stream }));
    }
    for (const t of o.transports ?? []) add(t);
  }

  async #closeTransports(): Promise<void> {
    await Promise.all([...this.#transports.values()].map((t) => t.close().catch((err: unknown) => this.#logger.warn({ err }, 'sip: transport close failed'))));
  }

  /** One 'response' event per response sent (first transmission); a listener that throws is logged. */
  #emitResponse(res: SipResponse): void {
    if (this.listenerCount('response') === 0) return;
    const method = (res.headers.get('CSeq') ?? '').trim().split(/\s+/)[1]?.toUpperCase() ?? '';
    this.safeEmit('response', res.status, method);
  }

  #isReliable(kind: TransportKind): boolean {
    return this.#transports.get(kind)?.reliable ?? kind !== 'udp';
  }

  #transportSend(dest: Destination, data: Buffer): Promise<void> {
    const t = this.#transports.get(dest.transport);
    if (t === undefined) return Promise.reject(new Error(`no ${dest.transport} transport`));
    return t.send(dest, data);
  }

  /** The address we advertise for a transport: publicAddress, else the bound or local address. */
  #advertised(source: SourceInfo): { host: string; port: number } {
    const t = this.#transports.get(source.transport);
    const bound = t?.address();
    const port = bound?.port ?? source.localPort;
    if (this.#opts.publicAddress !== undefined) return { host: this.#opts.publicAddress, port };
    if (bound !== undefined && !isWildcardAddress(bound.address)) return { host: bound.address, port };
    if (source.localAddress !== '' && !isWildcardAddress(source.localAddress)) return { host: source.localAddress, port };
    return { host: firstExternalAddress() ?? '127.0.0.1', port };
  }

  #services(): UaServices {
    const userAgent = this.#opts.userAgent;
    return {
      clock: this.#clock,
      logger: this.#logger,
      timers: this.#timers,
      stats: this.#stats,
      policy: this.#policy,
      userAgent,
      transactions: this.#tx,
      send: (dest, data) => {
        this.#transportSend(dest, data).catch((err: unknown) => {
          this.#stats.inc('transport.send_error');
          this.#logger.warn({ err, dest: `${dest.transport}:${dest.address}:${dest.port}` }, 'sip: send failed');
        });
      },
      reply: (tx: ServerTransaction, res: SipResponse) => {
        const wire = sealResponse(res, userAgent);
        if (tx.respond(wire)) {
          this.#stats.inc(`tx.response.${statusClass(res.status)}`);
          this.#emitResponse(res);
        }
        return wire;
      },
      respondedStatelessly: (res) => this.#emitResponse(res),
      isReliable: (kind) => this.#isReliable(kind),
      localContact: (source, secure) => {
        const { host, port } = this.#advertised(source);
        if (source.transport === 'tls' && secure) return `<sips:${hostPort(host, port)}>`;
        const param = source.transport === 'udp' ? '' : `;transport=${source.transport}`;
        return `<sip:${hostPort(host, port)}${param}>`;
      },
      localVia: (source, branch) => {
        const { host, port } = this.#advertised(source);
        return `SIP/2.0/${source.transport.toUpperCase()} ${hostPort(host, port)};branch=${branch};rport`;
      },
      addDialog: (key, handle) => this.#dialogs.set(key, handle),
      removeDialog: (key) => this.#dialogs.delete(key),
      addCancellable: (txKey, onCancel, toTag) => this.#cancellables.set(txKey, { onCancel, toTag }),
      removeCancellable: (txKey) => this.#cancellables.delete(txKey),
    };
  }
}

function firstExternalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) if (!ni.internal && ni.family === 'IPv4') return ni.address;
  }
  return undefined;
}
