/**
 * Process entry point: `npm start` / `make gateway`. Reads configuration from the environment, starts
 * the gateway, and drains it on SIGTERM/SIGINT: new calls get 503 at once, calls in progress may
 * finish for DRAIN_TIMEOUT_S, the rest are handed back to Connect, the records are flushed, exit 0.
 * A second signal hands back at once; a hard bound ends the process whatever happens. A bad
 * configuration is one line on stderr and exit code 2; the process never starts half-configured.
 */
import { ConfigError, parseEnv } from './config/env.js';
import { Gateway } from './gateway.js';
import { createRootLogger } from './log.js';
import { describeError } from './describe-error.js';
import { lowerHelperThreads } from './helper-threads.js';

/** Beyond DRAIN_TIMEOUT_S: time for the hand-backs (Connect write, BYE) and the records flush, ms. */
const HARD_BOUND_EXTRA_MS = 25_000;
/** How often helper threads started since (libuv's pool starts on first use) are moved too, ms. */
const HELPER_THREADS_RECHECK_MS = 10_000;

async function main(): Promise<void> {
  let env;
  try {
    env = parseEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gateway: ${err.problems.join('; ')}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createRootLogger(env.LOG_LEVEL);
  process.on('uncaughtException', (err) => log.fatal({ err }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
  let gateway: Gateway;
  try {
    gateway = await Gateway.start(env, log);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gateway: ${err.problems.join('; ')}\n`);
      process.exit(2);
    }
    log.fatal({ err }, 'gateway failed to start');
    process.stderr.write(`gateway: failed to start: ${describeError(err)}\n`);
    process.exit(1);
  }
  const addresses = gateway.addresses();
  log.info(
    {
      sip: Object.fromEntries(Object.entries(addresses).map(([k, a]) => [k, a ? `${a.address}:${a.port}` : undefined])),
      realtime: env.OPENAI_BASE_URL,
      model: env.OPENAI_VOICE_MODEL,
      rtpPorts: `${env.RTP_PORT_MIN}-${env.RTP_PORT_MAX}`,
      http: gateway.httpAddress ? `${gateway.httpAddress.address}:${gateway.httpAddress.port}` : undefined,
      records: env.RECORDS_PATH,
    },
    'gateway listening',
  );
  const nice = env.HELPER_THREAD_NICE;
  if (nice !== 0) {
    const moved = lowerHelperThreads(nice);
    log.info({ nice, threads: moved.changed, failed: moved.failed }, 'helper threads run below the event loop');
    setInterval(() => lowerHelperThreads(nice), HELPER_THREADS_RECHECK_MS).unref();
  }
  let drain: ReturnType<Gateway['drain']> | undefined;
  const onSignal = (signal: string) => {
    if (drain) {
      log.warn({ signal, activeCalls: gateway.activeCalls }, 'second signal: handing the remaining calls back now');
      drain.hurry();
      return;
    }
    log.info({ signal, activeCalls: gateway.activeCalls, drainTimeoutS: env.DRAIN_TIMEOUT_S }, 'stopping: draining');
    drain = gateway.drain(env.DRAIN_TIMEOUT_S * 1000);
    // Whatever a peer or the Connect API does, the process ends.
    const bound = setTimeout(() => {
      log.error({ activeCalls: gateway.activeCalls }, 'drain bound reached: exiting');
      process.exit(1);
    }, env.DRAIN_TIMEOUT_S * 1000 + HARD_BOUND_EXTRA_MS);
    bound.unref();
    drain.done
      .then(() => gateway.stop())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'stop failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

void main();
