/**
 * CLI: `node dist/lab/src/fake-connect/main.js [--host H] [--port P] [--internal-errors N]
 *   [--throttles N] [--delay-ms N] [--instance ID]... [--contact ID]...`
 * Env fallbacks: FAKE_CONNECT_HOST, FAKE_CONNECT_PORT. Defaults: 127.0.0.1:8090, no failures, every
 * instance and contact known. Prints one line `fake-connect listening on <url>` on stdout (the value
 * for AMAZON_CONNECT_ENDPOINT); logs (JSON) go to stderr. Bad flags: one-line error, exit 2. Cannot
 * listen: exit 1.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRootLogger, describeError } from 'connect-realtime-gateway';
import { startFakeConnect, type FakeConnectOptions } from './server.js';

class UsageError extends Error {}

const DEFAULT_PORT = 8090;
/** Longest injectable delay: longer than any SDK timeout we configure, short enough to notice a typo. */
const MAX_DELAY_MS = 600_000;

/** Flags win over env; throws UsageError with a one-line message. */
export function parseFakeConnectCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): FakeConnectOptions {
  let values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'internal-errors': { type: 'string' },
        throttles: { type: 'string' },
        'delay-ms': { type: 'string' },
        instance: { type: 'string', multiple: true },
        contact: { type: 'string', multiple: true },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    // parseArgs explains some mistakes over several lines; the first one says what is wrong.
    throw new UsageError(describeError(err, { firstLine: true }));
  }
  const str = (flag: string, envName?: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    const e = envName === undefined ? undefined : env[envName];
    return e !== undefined && e !== '' ? e : undefined;
  };
  const count = (flag: string, max: number): number | undefined => {
    const text = str(flag);
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) > max) throw new UsageError(`--${flag} must be an integer 0..${max}, got '${text}'`);
    return Number(text);
  };
  const host = str('host', 'FAKE_CONNECT_HOST') ?? '127.0.0.1';
  const portText = str('port', 'FAKE_CONNECT_PORT') ?? String(DEFAULT_PORT);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be 0..65535, got '${portText}'`);
  const internalErrors = count('internal-errors', 1_000_000);
  const throttles = count('throttles', 1_000_000);
  const delayMs = count('delay-ms', MAX_DELAY_MS);
  const opts: FakeConnectOptions = {
    host,
    port: Number(portText),
    failures: {
      ...(internalErrors !== undefined ? { internalErrors } : {}),
      ...(throttles !== undefined ? { throttles } : {}),
      ...(delayMs !== undefined ? { delayMs } : {}),
    },
  };
  const list = (flag: string): string[] | undefined => {
    const v = values[flag];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
  };
  const instances = list('instance');
  if (instances !== undefined) opts.instances = instances;
  const contacts = list('contact');
  if (contacts !== undefined) opts.contacts = contacts;
  return opts;
}

async function main(): Promise<void> {
  let opts: FakeConnectOptions;
  try {
    opts = parseFakeConnectCli(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`fake-connect: error: ${describeError(err)}\n`);
    process.exit(2);
  }
  const logger = createRootLogger('info', process.stderr).child({ svc: 'fake-connect' });
  let server;
  try {
    server = await startFakeConnect({ ...opts, logger });
  } catch (err) {
    process.stderr.write(`fake-connect: error: ${describeError(err, { firstLine: true })}\n`);
    process.exit(1);
  }
  process.stdout.write(`fake-connect listening on ${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Run only as the entry point (tests import parseFakeConnectCli).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) void main();
