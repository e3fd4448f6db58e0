/**
 * CLI: `npm run fake-realtime -- [--host H] [--port P] [--script FILE] [--record DIR] [--log-level L]`
 * Env fallbacks: FAKE_REALTIME_HOST, FAKE_REALTIME_PORT, FAKE_REALTIME_SCRIPT, FAKE_REALTIME_RECORD,
 * FAKE_REALTIME_LOG_LEVEL. Defaults: 127.0.0.1:8081, every turn answered with fixtures/agent-answer.wav.
 * Prints one line `fake-realtime listening on <base url>` on stdout; logs (JSON) go to stderr.
 * Bad flags or script: one-line error, exit 2. Cannot listen: exit 1.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LevelWithSilent } from 'pino';
import { createRootLogger, describeError } from 'connect-realtime-gateway';
import { defaultFakeScript, loadFakeScript, type FakeScript } from './script.js';
import { startFakeRealtime } from './server.js';

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface CliConfig {
  host: string;
  port: number;
  scriptPath: string | undefined;
  recordDir: string | undefined;
  logLevel: LevelWithSilent;
}

class UsageError extends Error {}

/** Flags win over env; throws UsageError with a one-line message. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        script: { type: 'string' },
        record: { type: 'string' },
        'log-level': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(describeError(err));
  }
  const str = (flag: string, envName: string): string | undefined => {
    const v = values[flag];
    return typeof v === 'string' ? v : env[envName] !== undefined && env[envName] !== '' ? env[envName] : undefined;
  };
  const host = str('host', 'FAKE_REALTIME_HOST') ?? '127.0.0.1';
  const portText = str('port', 'FAKE_REALTIME_PORT') ?? '8081';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port must be 0..65535, got '${portText}'`);
  const logLevel = str('log-level', 'FAKE_REALTIME_LOG_LEVEL') ?? 'info';
  if (!LEVELS.includes(logLevel)) throw new UsageError(`--log-level must be one of ${LEVELS.join('|')}, got '${logLevel}'`);
  return { host, port, scriptPath: str('script', 'FAKE_REALTIME_SCRIPT'), recordDir: str('record', 'FAKE_REALTIME_RECORD'), logLevel: logLevel as LevelWithSilent };
}

/** The repository root: the nearest ancestor with a package.json (works from src/ and dist/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

async function main(): Promise<void> {
  let config: CliConfig;
  let script: FakeScript;
  try {
    config = parseCli(process.argv.slice(2), process.env);
    script = config.scriptPath === undefined ? defaultFakeScript(join(repoRoot(), 'fixtures')) : loadFakeScript(config.scriptPath);
  } catch (err) {
    process.stderr.write(`fake-realtime: error: ${describeError(err)}\n`);
    process.exit(2);
  }
  const logger = createRootLogger(config.logLevel, process.stderr).child({ svc: 'fake-realtime' });
  let server;
  try {
    server = await startFakeRealtime({ host: config.host, port: config.port, script, logger, ...(config.recordDir ? { recordDir: config.recordDir } : {}) });
  } catch (err) {
    const message = describeError(err);
    const usage = /ENOENT|need PCM|need 8000|not a RIFF|no data chunk/.test(message);
    process.stderr.write(`fake-realtime: error: ${message.split('\n')[0]}\n`);
    process.exit(usage ? 2 : 1);
  }
  process.stdout.write(`fake-realtime listening on ${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Run only as the entry point (tests import parseCli).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) void main();
