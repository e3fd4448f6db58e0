/**
 * Starts the compiled gateway (dist/, as production runs it) and a fake Realtime server on
 * loopback for the wire suites, and stops both once. The gateway's SIP and RTP sockets are bound to
 * a 127.0.0.0/8 address, which is what keeps the corpus' foreign addresses unreachable (see
 * loopback.ts).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultFakeScript, startFakeRealtime, type FakeRealtimeServer, type FakeScript } from '../../fake-realtime/index.js';
import { repoRoot } from '../../repo-root.js';
import { GatewayProcess } from '../../runner/gateway-process.js';
import { freePort } from '../../runner/ports.js';
import { WireError } from './errors.js';
import { requireLoopback, type Endpoint } from './loopback.js';

/** How the AI side behaves: sessions that work (calls get answered), or every connection refused. */
export type RealtimeMode = 'answering' | 'refusing';

export interface WireGatewayOptions {
  /** Names the gateway log, `lab/out/conformance/<name>-gateway.log`. */
  name: string;
  /** SIP and RTP bind address; default 127.0.0.1. */
  host?: string;
  rtpPorts: { min: number; max: number };
  realtime: RealtimeMode;
  /** Changes the fake Realtime's script of that mode (e.g. a slow handshake); default unchanged. */
  adjustScript?: (script: FakeScript) => FakeScript;
  /** Extra gateway environment (rate limits, call limits …). */
  env?: Record<string, string>;
  /** Bound on start-up, ms; default 15 000. */
  readyTimeoutMs?: number;
}

export interface WireGateway {
  readonly process: GatewayProcess;
  readonly udp: Endpoint;
  readonly tcp: Endpoint;
  readonly fake: FakeRealtimeServer;
  readonly logPath: string;
  /** Stops the gateway (SIGTERM, then SIGKILL) and the fake; idempotent. Returns the exit code. */
  stop(): Promise<number | null>;
}

export const GATEWAY_MAIN = 'dist/gateway/src/main.js';

/**
 * The per-source request bounds lifted, for suites that replay thousands of messages from one
 * address: there the limits would (rightly) answer most of them 503 and hide what the parser and
 * the call layer do with them.
 */
export const UNLIMITED_REQUESTS: Readonly<Record<string, string>> = {
  SIP_INVITE_RATE: '100000',
  SIP_INVITE_BURST: '100000',
  SIP_REQUEST_RATE: '100000',
  SIP_REQUEST_BURST: '1000000',
  SIP_MAX_TRANSACTIONS: '1000000',
  SIP_MAX_TRANSACTIONS_PER_SOURCE: '1000000',
  SIP_MAX_SETUP_CALLS_PER_SOURCE: '100000',
};

/** The compiled gateway entry point, or a WireError telling how to build it. */
export function requireBuiltGateway(root: string = repoRoot()): string {
  const main = join(root, GATEWAY_MAIN);
  if (!existsSync(main)) {
    throw new WireError('WIRE_ERR_GATEWAY_NOT_BUILT', `${GATEWAY_MAIN} is missing: build the gateway first (make build, or npx tsc -p tsconfig.json)`);
  }
  return main;
}

/** Where the wire suites write logs and summaries. */
export function conformanceOutDir(root: string = repoRoot()): string {
  const dir = join(root, 'lab', 'out', 'conformance');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function fakeScript(mode: RealtimeMode, root: string): FakeScript {
  const script = defaultFakeScript(join(root, 'fixtures'));
  return mode === 'answering' ? script : { ...script, failures: { refuseConnections: 'always' } };
}

export async function startWireGateway(opts: WireGatewayOptions): Promise<WireGateway> {
  const root = repoRoot();
  requireBuiltGateway(root);
  const host = requireLoopback(opts.host ?? '127.0.0.1', 'gateway host');
  const script = fakeScript(opts.realtime, root);
  const fake = await startFakeRealtime({ host, port: 0, script: opts.adjustScript ? opts.adjustScript(script) : script });
  const port = await freePort(host);
  const logPath = join(conformanceOutDir(root), `${opts.name}-gateway.log`);
  const gateway = new GatewayProcess(
    root,
    {
      AMAZON_CONNECT_SIP_HOST: host,
      AMAZON_CONNECT_SIP_PORT: String(port),
      SIP_TRANSPORTS: 'udp,tcp',
      SIP_ALLOW_FROM: '127.0.0.0/8',
      RTP_HOST: host,
      RTP_PORT_MIN: String(opts.rtpPorts.min),
      RTP_PORT_MAX: String(opts.rtpPorts.max),
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'sk-lab-fake-key',
      LOG_LEVEL: 'info',
      ...opts.env,
    },
    logPath,
  );
  let stopped: Promise<number | null> | undefined;
  const stop = (): Promise<number | null> => {
    stopped ??= (async () => {
      const code = await gateway.stop();
      await fake.close();
      return code;
    })();
    return stopped;
  };
  try {
    await gateway.start(opts.readyTimeoutMs ?? 15_000);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { process: gateway, udp: { host, port }, tcp: { host, port }, fake, logPath, stop };
}
