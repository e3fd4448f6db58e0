import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { describeAgentDefinition, loadAgentDefinition, ToolRegistry, type AgentDefinition } from './agent/index.js';
import { systemClock, TrackingClock, type Clock, type TimerId } from './clock.js';
import { CallManager } from './call/call-manager.js';
import { fixedAppendPeriod, LoadAdaptivePeriod } from './call/append-batch.js';
import { combineObservers, type CallObserver } from './call/call-observer.js';
import { AGENTS_SDK_BARGE_IN_REFUSAL, gatewayManagesBargeIn } from './call/barge-in-policy.js';
import { ConfigError, type Env } from './config/env.js';
import { clientCertMode, setupCallsPerSource } from './config/sip-hardening.js';
import { ContactAttributesWriter, readConnectApiConfig, type ConnectApiConfig, type ContactAttributesUpdater } from './connect/index.js';
import type { Logger } from './log.js';
import { createAgentsSdkFactory, createOpenAIRealtimeFactory, loadAgentModule } from './realtime/index.js';
import type { RealtimeBackendFactory } from './realtime/backend.js';
import { MediaScheduler, PortAllocator, udpSockets, type DatagramSocketFactory } from './rtp/index.js';
import { SipServer, type SipServerOptions, type SipTransport } from './sip/index.js';
import { describeError } from './describe-error.js';
import { OpsHttpServer } from './http/http-server.js';
import { opsRoutes } from './http/ops-routes.js';
import { RealtimeReachability, tcpProbe, type TcpProbe } from './http/realtime-reachability.js';
import { describeSipEndpoint } from './http/sip-endpoint.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { SqliteRecordStore } from './store/sqlite-record-store.js';
import { openRecordingStore } from './recording/open-recording-store.js';
import type { RecordingStore } from './recording/recording-store.js';

const RETRY_AFTER_S = 30;
/** How often every live call's stream quality goes to the records and metrics, ms. */
const QUALITY_SAMPLE_MS = 5_000;
/** After the drain deadline, how long the hand-backs (Connect write + BYE) may take before exit anyway, ms. */
const HAND_BACK_BOUND_MS = 15_000;

/** What a drain did, for the log and the exit. */
export interface DrainReport {
  /** Calls up when the drain began. */
  callsAtStart: number;
  /** Calls that ended on their own within the drain timeout. */
  finished: number;
  /** Calls handed back to Connect at the deadline (or on a second signal). */
  handedBack: number;
  /** Calls still up when the hand-back bound ran out (ended without signalling). */
  abandoned: number;
  durationMs: number;
}

export interface GatewayDeps {
  clock?: Clock;
  /** Replaces the OpenAI Realtime provider (another provider, or a test double). */
  realtime?: RealtimeBackendFactory;
  /** SIP transports to serve instead of the sockets SIP_TRANSPORTS names (in-process tests, embedders). */
  sipTransports?: SipTransport[];
  /** Where RTP/RTCP sockets come from (default: real UDP). */
  mediaSockets?: DatagramSocketFactory;
  /** The agent definition, instead of loading AGENT_FILE (or the built-in one). */
  agent?: AgentDefinition;
  /** Writes the hand-back attributes, instead of Amazon Connect's UpdateContactAttributes. */
  contactAttributes?: ContactAttributesUpdater;
  /** Where the Connect API settings (AMAZON_CONNECT_*, AWS_REGION) are read from; default process.env. */
  connectEnv?: Readonly<Record<string, string | undefined>>;
  /** More observers of every call's events, beside the records, the metrics and the reachability. */
  callObservers?: CallObserver[];
  /** How the health check reaches the Realtime endpoint when calls are quiet (default: a TCP connect). */
  realtimeProbe?: TcpProbe;
  /** false: no operations HTTP listener (in-process tests that open no socket). Default true. */
  serveHttp?: boolean;
}

/**
 * The assembled gateway: one SIP server, one media scheduler pacing every call, one RTP port pool,
 * the Realtime provider and the call manager. Built from validated configuration only.
 */
export class Gateway {
  readonly #sip: SipServer;
  readonly #calls: CallManager;
  readonly #ports: PortAllocator;
  readonly #scheduler: MediaScheduler;
  readonly #clock: TrackingClock;
  readonly #logger: Logger;
  /** The Connect API client the gateway made (closed on stop); undefined when one was injected. */
  readonly #connectWriter: ContactAttributesWriter | undefined;
  readonly #store: SqliteRecordStore;
  readonly #recordings: RecordingStore | undefined;
  readonly #metrics: GatewayMetrics;
  readonly #reachability: RealtimeReachability;
  readonly #http: OpsHttpServer;
  #httpAddress: AddressInfo | undefined;
  #qualityTimer: TimerId | undefined;
  #drain: { hurry: () => void; done: Promise<DrainReport> } | undefined;

  private constructor(
    env: Env,
    log: Logger,
    deps: GatewayDeps,
    agent: AgentDefinition,
    connect: ConnectApiConfig,
    realtime: RealtimeBackendFactory,
    store: SqliteRecordStore,
    recordings: RecordingStore | undefined,
  ) {
    this.#logger = log;
    this.#store = store;
    this.#recordings = recordings;
    this.#clock = new TrackingClock(deps.clock ?? systemClock);
    const clock = this.#clock;
    this.#ports = new PortAllocator({ min: env.RTP_PORT_MIN, max: env.RTP_PORT_MAX });
    this.#scheduler = new MediaScheduler({ clock, onStreamError: (err) => log.error({ err }, 'media stream tick failed') });
    this.#sip = new SipServer(sipOptions(env, clock, log, deps.sipTransports));
    let writer: ContactAttributesUpdater;
    if (deps.contactAttributes) {
      writer = deps.contactAttributes;
      this.#connectWriter = undefined;
    } else {
      const made = new ContactAttributesWriter({
        region: connect.region,
        endpoint: connect.endpoint,
        maxAttempts: connect.maxAttempts,
        attemptTimeoutMs: connect.attemptTimeoutMs,
        totalTimeoutMs: connect.totalTimeoutMs,
        clock,
        logger: log,
      });
      this.#connectWriter = made;
      writer = made;
    }
    const advertised = env.PUBLIC_IP ?? (env.RTP_HOST && env.RTP_HOST !== '0.0.0.0' && env.RTP_HOST !== '::' ? env.RTP_HOST : firstNonWildcard(env));
    this.#metrics = new GatewayMetrics({
      activeCalls: () => this.#calls.activeCalls,
      draining: () => this.#sip.draining,
      pacingLatenessP99Ms: () => this.#scheduler.stats().lateness.p99Ms,
      records: () => store.stats(),
      sipStats: () => this.#sip.stats(),
      sipTransactions: () => this.#sip.transactions(),
    });
    this.#sip.on('response', (status, method) => this.#metrics.sipResponse(status, method));
    this.#reachability = new RealtimeReachability(env.OPENAI_BASE_URL, clock, log, deps.realtimeProbe ?? tcpProbe);
    this.#calls = new CallManager(
      {
        clock,
        logger: log,
        scheduler: this.#scheduler,
        ports: this.#ports,
        realtime,
        agent,
        tools: ToolRegistry.fromDefinition(agent, { clock, logger: log }),
        connect: { writer, instances: connect.instances, region: connect.region },
        media: {
          sockets: deps.mediaSockets ?? udpSockets,
          bindAddress: env.RTP_HOST ?? env.AMAZON_CONNECT_SIP_HOST,
          advertisedAddress: advertised,
          codecs: env.CODECS,
          srtp: env.SRTP,
          inactivityMs: env.RTP_INACTIVITY_MS,
          sourcePolicy: env.RTP_SOURCE_POLICY,
          firstPacketTimeoutMs: env.RTP_FIRST_PACKET_TIMEOUT_MS,
          jitter: { minDelayMs: env.JITTER_MIN_MS, maxDelayMs: env.JITTER_MAX_MS },
        },
        realtimeConnectTimeoutMs: env.REALTIME_CONNECT_TIMEOUT_MS,
        realtimeLimits: {
          maxTranscriptItemChars: env.REALTIME_MAX_TRANSCRIPT_ITEM_CHARS,
          maxTranscriptCallChars: env.REALTIME_MAX_TRANSCRIPT_CALL_CHARS,
          maxReconnects: env.REALTIME_MAX_RECONNECTS,
        },
        agentAudioMaxQueuedMs: env.AGENT_AUDIO_MAX_QUEUED_MS,
        appendPeriod:
          env.REALTIME_APPEND_MS === 'auto' ? new LoadAdaptivePeriod(() => this.#scheduler.size) : fixedAppendPeriod(env.REALTIME_APPEND_MS),
        echoGuard: env.ECHO_GUARD_MARGIN_DB > 0 ? { marginDb: env.ECHO_GUARD_MARGIN_DB, tailMs: env.ECHO_GUARD_TAIL_MS } : undefined,
        retryAfterS: RETRY_AFTER_S,
        pacing: () => this.#scheduler.stats().lateness,
        observer: combineObservers([store, this.#metrics, this.#reachability, ...(deps.callObservers ?? [])], log),
        ...(recordings ? { recordings } : {}),
      },
      this.#sip,
      () => ({ rtpPortsInUse: this.#ports.inUse, mediaStreams: this.#scheduler.size }),
    );
    this.#http = new OpsHttpServer(
      opsRoutes({
        log,
        wallNow: () => clock.wallNow(),
        metrics: this.#metrics,
        sipEndpoint: () => {
          const a = this.#sip.addresses();
          return describeSipEndpoint({
            publicAddress: advertised,
            user: env.AMAZON_CONNECT_SIP_USERNAME,
            domain: env.AMAZON_CONNECT_SIP_DOMAIN ?? advertised,
            ports: { udp: a.udp?.port, tcp: a.tcp?.port, tls: a.tls?.port },
            codecs: env.CODECS,
            srtp: env.SRTP,
            rtpPorts: { min: env.RTP_PORT_MIN, max: env.RTP_PORT_MAX },
            allowFrom: env.SIP_ALLOW_FROM,
            digestAuth: env.AMAZON_CONNECT_SIP_PASSWORD !== undefined,
          });
        },
        sipListening: () => this.#sip.listening,
        draining: () => this.#sip.draining,
        activeCalls: () => this.#calls.activeCalls,
        realtime: () => this.#reachability.report(),
        records: store,
        apiToken: env.HTTP_API_TOKEN,
        callbackSecret: env.CALLBACK_SECRET,
      }),
      log,
    );
  }

  /**
   * Loads the agent definition and the Connect API settings (a problem in either is a ConfigError),
   * then binds the SIP transports.
   */
  static async start(env: Env, log: Logger, deps: GatewayDeps = {}): Promise<Gateway> {
    const agent = deps.agent ?? (await loadAgent(env, log));
    const connect = readConnectApiConfig(deps.connectEnv ?? process.env);
    if (!connect.ok) throw new ConfigError(connect.error);
    if (connect.value.instances.length === 0) {
      // Not fatal: the gateway also serves SIP trunks without Connect. Hand-backs still end the call (BYE).
      log.warn('AMAZON_CONNECT_INSTANCE_ID is not set: hand-back writes (UpdateContactAttributes) are disabled; set it to your instance id or ARN');
    } else {
      log.info({ instances: connect.value.instances }, 'hand-back writes go only to the configured Connect instances');
    }
    log.info({ agent: describeAgentDefinition(agent), provider: deps.realtime?.provider ?? env.REALTIME_PROVIDER }, 'agent loaded');
    if ((deps.realtime?.provider ?? env.REALTIME_PROVIDER) === 'agents-sdk' && gatewayManagesBargeIn(agent)) throw new ConfigError([AGENTS_SDK_BARGE_IN_REFUSAL]);
    const realtime = deps.realtime ?? (await realtimeProvider(env));
    let store: SqliteRecordStore;
    try {
      store = await SqliteRecordStore.open({ path: env.RECORDS_PATH, logger: log, retentionDays: env.RECORDS_RETENTION_DAYS });
    } catch (err) {
      throw new ConfigError([`RECORDS_PATH: ${env.RECORDS_PATH} cannot be used: ${describeError(err)}`]);
    }
    let recordings: RecordingStore | undefined;
    try {
      recordings = await openRecordingStore(env, agent, deps.clock ?? systemClock, log);
    } catch (err) {
      await store.close();
      throw err;
    }
    const gw = new Gateway(env, log, deps, agent, connect.value, realtime, store, recordings);
    try {
      if (deps.serveHttp !== false) gw.#httpAddress = await gw.#http.listen(env.HTTP_HOST, env.HTTP_PORT);
      await gw.#sip.start();
    } catch (err) {
      await gw.#http.close();
      await store.close();
      await recordings?.close();
      throw err;
    }
    gw.#reachability.start();
    gw.#sampleQuality();
    return gw;
  }

  addresses(): ReturnType<SipServer['addresses']> {
    return this.#sip.addresses();
  }

  /** Where the operations HTTP server listens. */
  get httpAddress(): AddressInfo | undefined {
    return this.#httpAddress;
  }

  get draining(): boolean {
    return this.#sip.draining;
  }

  #sampleQuality(): void {
    this.#calls.sampleQuality();
    this.#qualityTimer = this.#clock.setTimeout(() => this.#sampleQuality(), QUALITY_SAMPLE_MS);
  }

  /**
   * Graceful drain (SIGTERM): new INVITEs and OPTIONS get 503 + Retry-After and the health check 503
   * at once, so the connector's other routes and a dispatcher take new calls elsewhere; calls in
   * progress may finish for `timeoutMs`; the rest are then handed back to Connect (attributes + BYE).
   * `hurry()` (a second signal) hands back at once. Resolves once every call has ended or the
   * hand-back bound ran out; stop() then closes the rest.
   */
  drain(timeoutMs: number): { hurry: () => void; done: Promise<DrainReport> } {
    if (this.#drain) return this.#drain;
    const started = this.#clock.now();
    const callsAtStart = this.#calls.activeCalls;
    this.#sip.drain(RETRY_AFTER_S);
    this.#calls.stopAccepting();
    this.#logger.info({ activeCalls: callsAtStart, drainTimeoutMs: timeoutMs }, 'draining: new calls refused (503), calls in progress may finish');
    // A second signal aborts the wait for calls to finish on their own.
    const hurry = new AbortController();
    const hurried = new Promise<boolean>((resolve) => hurry.signal.addEventListener('abort', () => resolve(false), { once: true }));
    const done = (async (): Promise<DrainReport> => {
      const idle = await Promise.race([this.#calls.whenIdle(timeoutMs), hurried]);
      const left = this.#calls.activeCalls;
      const finished = callsAtStart - left;
      let handedBack = 0;
      if (!idle && left > 0) {
        this.#logger.warn({ calls: left }, 'drain deadline: handing the remaining calls back to Connect');
        const handing = this.#calls.handBackAll();
        let bound: TimerId | undefined;
        await Promise.race([handing, new Promise((r) => (bound = this.#clock.setTimeout(() => r(undefined), HAND_BACK_BOUND_MS)))]);
        this.#clock.clearTimeout(bound);
        handedBack = left;
      }
      const abandoned = this.#calls.activeCalls;
      const report = { callsAtStart, finished, handedBack: handedBack - abandoned, abandoned, durationMs: Math.round(this.#clock.now() - started) };
      this.#logger.info(report, 'drained');
      return report;
    })();
    this.#drain = { hurry: () => hurry.abort(), done };
    return this.#drain;
  }

  get activeCalls(): number {
    return this.#calls.activeCalls;
  }

  /** What is allocated now: live calls, RTP port pairs, media streams on the pacer, gateway timers. */
  resources(): { activeCalls: number; rtpPortsInUse: number; mediaStreams: number; pendingTimers: number } {
    return { activeCalls: this.#calls.activeCalls, rtpPortsInUse: this.#ports.inUse, mediaStreams: this.#scheduler.size, pendingTimers: this.#clock.pendingTimers };
  }

  /** Ends every call cleanly, closes the SIP sockets and the HTTP server, flushes and closes the records. */
  async stop(): Promise<void> {
    this.#clock.clearTimeout(this.#qualityTimer);
    this.#qualityTimer = undefined;
    this.#reachability.stop();
    await this.#calls.shutdown();
    await this.#sip.stop();
    await this.#http.close();
    this.#connectWriter?.close();
    await this.#recordings?.close();
    await this.#store.close();
    // Peak resident memory of the process's life: what a hostile stream or a flood cost at worst.
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    this.#logger.info({ pendingTimers: this.#clock.pendingTimers, records: this.#store.stats(), peakRssMb }, 'gateway stopped');
  }
}

/** AGENT_FILE (or the built-in agent); a problem in it is a ConfigError. */
async function loadAgent(env: Env, log: Logger): Promise<AgentDefinition> {
  const agent = await loadAgentDefinition(undefined, { env: { ...process.env, OPENAI_VOICE_MODEL: env.OPENAI_VOICE_MODEL } });
  if (!agent.ok) throw new ConfigError(agent.error);
  for (const warning of agent.value.warnings) log.warn({ warning }, 'agent definition');
  return agent.value.definition;
}

/** The AI provider behind the RealtimeBackend interface, from configuration. */
async function realtimeProvider(env: Env): Promise<RealtimeBackendFactory> {
  // Only a loopback base URL (the lab's fake) may go without a key; parseEnv enforces that.
  const apiKey = env.OPENAI_API_KEY ?? 'sk-lab-loopback';
  if (env.REALTIME_PROVIDER === 'openai') return createOpenAIRealtimeFactory({ apiKey, baseURL: env.OPENAI_BASE_URL });
  let loadAgent;
  try {
    loadAgent = await loadAgentModule(env.AGENTS_SDK_MODULE ?? '');
  } catch (err) {
    throw new ConfigError([`AGENTS_SDK_MODULE: ${describeError(err)}`]);
  }
  return createAgentsSdkFactory({ loadAgent, apiKey, baseURL: env.OPENAI_BASE_URL, model: env.OPENAI_VOICE_MODEL });
}

function firstNonWildcard(env: Env): string {
  const host = env.AMAZON_CONNECT_SIP_HOST;
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

function sipOptions(env: Env, clock: Clock, logger: Logger, transports: SipTransport[] | undefined): SipServerOptions {
  const host = env.AMAZON_CONNECT_SIP_HOST;
  const opts: SipServerOptions = {
    clock,
    logger,
    userAgent: 'connect-realtime-gateway',
    maxConcurrentCalls: env.SIP_MAX_CALLS,
    allowFrom: env.SIP_ALLOW_FROM,
    inviteRateLimit: { perSecond: env.SIP_INVITE_RATE, burst: env.SIP_INVITE_BURST },
    requestRateLimit: { perSecond: env.SIP_REQUEST_RATE, burst: env.SIP_REQUEST_BURST },
    maxServerTransactions: env.SIP_MAX_TRANSACTIONS,
    maxServerTransactionsPerSource: env.SIP_MAX_TRANSACTIONS_PER_SOURCE,
    maxSetupCallsPerSource: setupCallsPerSource(env),
    streamLimits: {
      maxConnections: env.SIP_TCP_MAX_CONNECTIONS,
      maxConnectionsPerSource: env.SIP_TCP_MAX_CONNECTIONS_PER_SOURCE,
      messageTimeoutMs: env.SIP_TCP_MESSAGE_TIMEOUT_MS,
      idleTimeoutMs: env.SIP_TCP_IDLE_TIMEOUT_S * 1_000,
      dialogIdleTimeoutMs: env.SIP_TCP_DIALOG_IDLE_TIMEOUT_S * 1_000,
      handshakeTimeoutMs: env.SIP_TLS_HANDSHAKE_TIMEOUT_MS,
    },
    sessionTimer: { defaultExpires: env.SIP_SESSION_EXPIRES_S, minSE: env.SIP_MIN_SE_S },
  };
  if (env.PUBLIC_IP) opts.publicAddress = env.PUBLIC_IP;
  if (transports !== undefined) opts.transports = transports;
  else addSocketTransports(opts, env);
  if (env.AMAZON_CONNECT_SIP_PASSWORD) {
    opts.auth = {
      realm: env.AMAZON_CONNECT_SIP_DOMAIN ?? env.PUBLIC_IP ?? host,
      username: env.AMAZON_CONNECT_SIP_USERNAME,
      password: env.AMAZON_CONNECT_SIP_PASSWORD,
      algorithms: env.SIP_AUTH_ALGORITHMS,
    };
  }
  return opts;
}

/** The sockets SIP_TRANSPORTS names (UDP and TCP on the SIP port, TLS on its own). */
function addSocketTransports(opts: SipServerOptions, env: Env): void {
  const host = env.AMAZON_CONNECT_SIP_HOST;
  if (env.SIP_TRANSPORTS.includes('udp')) opts.udp = { host, port: env.AMAZON_CONNECT_SIP_PORT };
  if (env.SIP_TRANSPORTS.includes('tcp')) opts.tcp = { host, port: env.AMAZON_CONNECT_SIP_PORT };
  if (env.SIP_TRANSPORTS.includes('tls') && env.SIP_TLS_CERT_FILE && env.SIP_TLS_KEY_FILE) {
    const clientCert = clientCertMode(env);
    opts.tls = {
      host,
      port: env.SIP_TLS_PORT,
      cert: readConfigFile('SIP_TLS_CERT_FILE', env.SIP_TLS_CERT_FILE),
      key: readConfigFile('SIP_TLS_KEY_FILE', env.SIP_TLS_KEY_FILE),
      ...(env.SIP_TLS_CA_FILE ? { ca: readConfigFile('SIP_TLS_CA_FILE', env.SIP_TLS_CA_FILE) } : {}),
      clientCert,
      ...(env.SIP_TLS_CLIENT_CA_FILE ? { clientCa: readConfigFile('SIP_TLS_CLIENT_CA_FILE', env.SIP_TLS_CLIENT_CA_FILE) } : {}),
    };
  }
}

/** A file a variable names; one that cannot be read is a ConfigError naming the variable. */
function readConfigFile(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError([`${variable}: ${path} cannot be read: ${describeError(err, { firstLine: true })}`]);
  }
}
