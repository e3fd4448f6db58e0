import { pino, type Logger, type LevelWithSilent } from 'pino';

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

/** One child per call, bound to the SIP Call-ID and (when known) the Connect contact id. */
export function callLogger(root: Logger, callId: string, contactId?: string): Logger {
  return root.child(contactId ? { callId, contactId } : { callId });
}
