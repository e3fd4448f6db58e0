import { readFileSync } from 'node:fs';
import { describeAgentDefinition, loadAgentDefinition, ToolRegistry, type AgentDefinition } from './agent/index.js';
import { systemClock, TrackingClock, type Clock } from './clock.js';
import { CallManager } from './call/call-manager.js';
import { ConfigError, type Env } from './config/env.js';
import { ContactAttributesWriter, readConnectApiConfig, type ConnectApiConfig, type ContactAttributesUpdater } from './connect/index.js';
import type { Logger } from './log.js';
import { createAgentsSdkFactory, createOpenAIRealtimeFactory, loadAgentModule } from './realtime/index.js';
import type { RealtimeBackendFactory } from './realtime/backend.js';
import { MediaScheduler, PortAllocator, udpSockets, type DatagramSocketFactory } from './rtp/index.js';
import { SipServer, type SipServerOptions, type SipTransport } from './sip/index.js';
import { describeError } from './describe-error.js';

const RETRY_AFTER_S = 30;

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

  private constructor(env: Env, log: Logger, deps: GatewayDeps, agent: AgentDefinition, connect: ConnectApiConfig, realtime: RealtimeBackendFactory) {
    this.#logger = log;
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
    this.#calls = new CallManager(
      {
        clock,
        logger: log,
        scheduler: this.#scheduler,
        ports: this.#ports,
        realtime,
        agent,
        tools: ToolRegistry.fromDefinition(agent, { clock, logger: log }),
        connect: { writer, instanceId: connect.instanceId, region: connect.region },
        media: {
          sockets: deps.mediaSockets ?? udpSockets,
          bindAddress: env.RTP_HOST ?? env.AMAZON_CONNECT_SIP_HOST,
          advertisedAddress: advertised,
          codecs: env.CODECS,
          srtp: env.SRTP,
          inactivityMs: env.RTP_INACTIVITY_MS,
          jitter: { minDelayMs: env.JITTER_MIN_MS, maxDelayMs: env.JITTER_MAX_MS },
        },
        realtimeConnectTimeoutMs: env.REALTIME_CONNECT_TIMEOUT_MS,
        echoGuard: env.ECHO_GUARD_MARGIN_DB > 0 ? { marginDb: env.ECHO_GUARD_MARGIN_DB, tailMs: env.ECHO_GUARD_TAIL_MS } : undefined,
        retryAfterS: RETRY_AFTER_S,
        pacing: () => this.#scheduler.stats().lateness,
      },
      this.#sip,
      () => ({ rtpPortsInUse: this.#ports.inUse, mediaStreams: this.#scheduler.size }),
    );
  }

  /**
   * Loads the agent definition and the Connect API settings (a problem in either is a ConfigError),
   * then binds the SIP transports.
   */
  static async start(env: Env, log: Logger, deps: GatewayDeps = {}): Promise<Gateway> {
    const agent = deps.agent ?? (await loadAgent(env, log));
    const connect = readConnectApiConfig(process.env);
    if (!connect.ok) throw new ConfigError(connect.error);
    log.info({ agent: describeAgentDefinition(agent), provider: deps.realtime?.provider ?? env.REALTIME_PROVIDER }, 'agent loaded');
    const gw = new Gateway(env, log, deps, agent, connect.value, deps.realtime ?? (await realtimeProvider(env)));
    await gw.#sip.start();
    return gw;
  }

  addresses(): ReturnType<SipServer['addresses']> {
    return this.#sip.addresses();
  }

  get activeCalls(): number {
    return this.#calls.activeCalls;
  }

  /** What is allocated now: live calls, RTP port pairs, media streams on the pacer, gateway timers. */
  resources(): { activeCalls: number; rtpPortsInUse: number; mediaStreams: number; pendingTimers: number } {
    return { activeCalls: this.#calls.activeCalls, rtpPortsInUse: this.#ports.inUse, mediaStreams: this.#scheduler.size, pendingTimers: this.#clock.pendingTimers };
  }

  /** Ends every call cleanly, then closes the SIP sockets. */
  async stop(): Promise<void> {
    await this.#calls.shutdown();
    await this.#sip.stop();
    this.#connectWriter?.close();
    this.#logger.info({ pendingTimers: this.#clock.pendingTimers }, 'gateway stopped');
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
    opts.tls = {
      host,
      port: env.SIP_TLS_PORT,
      cert: readFileSync(env.SIP_TLS_CERT_FILE),
      key: readFileSync(env.SIP_TLS_KEY_FILE),
      ...(env.SIP_TLS_CA_FILE ? { ca: readFileSync(env.SIP_TLS_CA_FILE) } : {}),
    };
  }
}
