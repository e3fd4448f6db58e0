import { pino, type Logger, type LevelWithSilent } from 'pino';
import { excerpt } from './describe-error.js';

export type { Logger };

/**
 * Log bytes that may wait for a slow stdout reader. Writes to stdout are asynchronous (a blocking
 * write would stall RTP pacing for every call while a log collector lags), and pino's default
 * asynchronous stdout buffers without limit: a collector that stops reading would grow the process
 * by every line of every call. Beyond this backlog lines are dropped, counted and reported once the
 * reader catches up; on exit what waits is flushed.
 */
export const MAX_PENDING_LOG_BYTES = 4 * 1024 * 1024;
const DROP_REPORT_MS = 1_000;

/**
 * Root logger. Secrets are redacted by path so that a config or header dump can never leak them.
 * Output is JSON lines on stdout (or the given destination) for collectors; humans pipe to pino-pretty.
 */
export function createRootLogger(level: LevelWithSilent = 'info', destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { svc: 'gateway' },
    redact: {
      paths: [
        'apiKey',
        '*.apiKey',
        'password',
        '*.password',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'headers.Authorization',
        'secretAccessKey',
        '*.secretAccessKey',
      ],
      censor: '[redacted]',
    },
  };
  if (destination) return pino(options, destination as unknown as pino.DestinationStream);
  const stdout = pino.destination({ dest: 1, sync: false, maxLength: MAX_PENDING_LOG_BYTES });
  const logger = pino(options, stdout);
  let dropped = 0;
  stdout.on('drop', (data: string | Buffer) => {
    if (dropped === 0) setTimeout(() => reportDrops(), DROP_REPORT_MS).unref();
    dropped += Buffer.byteLength(data);
  });
  const reportDrops = (): void => {
    const bytes = dropped;
    dropped = 0;
    logger.warn({ droppedBytes: bytes, maxPendingBytes: MAX_PENDING_LOG_BYTES }, 'log lines dropped: stdout was not read fast enough');
  };
  return logger;
}

/** Longest Call-ID or contact id bound to a call's log lines (real ones are well under 100 characters). */
const MAX_LOGGED_ID = 128;

/**
 * One child per call, bound to the SIP Call-ID and (when known) the Connect contact id. Both come
 * from the peer and are cut: a 60 KB Call-ID must not be copied into every line of its call.
 */
export function callLogger(root: Logger, callId: string, contactId?: string): Logger {
  const id = excerpt(callId, MAX_LOGGED_ID);
  return root.child(contactId ? { callId: id, contactId: excerpt(contactId, MAX_LOGGED_ID) } : { callId: id });
}
