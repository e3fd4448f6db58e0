/**
 * Process entry point: `npm start` / `make gateway`. Reads configuration from the environment, starts
 * the gateway and stops it cleanly on SIGTERM/SIGINT. A bad configuration is one line on stderr and
 * exit code 2; the process never starts half-configured.
 */
import { ConfigError, parseEnv } from './config/env.js';
import { Gateway } from './gateway.js';
import { createRootLogger } from './log.js';
import { describeError } from './describe-error.js';

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
    },
    'gateway listening',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, activeCalls: gateway.activeCalls }, 'stopping');
    gateway.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
