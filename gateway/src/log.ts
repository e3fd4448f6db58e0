import { pino, type Logger, type LevelWithSilent } from 'pino';
import { excerpt } from './describe-error.js';

export type { Logger };

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
  return destination ? pino(options, destination as unknown as pino.DestinationStream) : pino(options);
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
