import { z } from 'zod';
import {
  DEFAULT_MAX_SERVER_TRANSACTIONS,
  DEFAULT_MAX_SERVER_TRANSACTIONS_PER_SOURCE,
  MAX_DEFAULT_SETUP_CALLS_PER_SOURCE,
  DEFAULT_REQUEST_BURST,
  DEFAULT_REQUEST_RATE_PER_S,
  DEFAULT_TCP_DIALOG_IDLE_TIMEOUT_S,
  DEFAULT_TCP_IDLE_TIMEOUT_S,
  DEFAULT_TCP_MAX_CONNECTIONS,
  DEFAULT_TCP_MAX_CONNECTIONS_PER_SOURCE,
  DEFAULT_TCP_MESSAGE_TIMEOUT_MS,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
} from './defaults.js';

/**
 * The variables that bound what a SIP peer can make the gateway hold (docs/security.md): request
 * rates, transactions, calls in set-up, TCP/TLS connections, and TLS client certificates.
 */

const bounded = (name: string, min: number, max: number, unit = '') =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .min(min, `${name} must be >= ${min}${unit}`)
    .max(max, `${name} must be <= ${max}${unit}`);

export const sipHardeningSchema = {
  SIP_REQUEST_RATE: bounded('SIP_REQUEST_RATE', 1, 100_000).default(DEFAULT_REQUEST_RATE_PER_S),
  SIP_REQUEST_BURST: bounded('SIP_REQUEST_BURST', 1, 1_000_000).default(DEFAULT_REQUEST_BURST),
  SIP_MAX_TRANSACTIONS: bounded('SIP_MAX_TRANSACTIONS', 1, 1_000_000).default(DEFAULT_MAX_SERVER_TRANSACTIONS),
  SIP_MAX_TRANSACTIONS_PER_SOURCE: bounded('SIP_MAX_TRANSACTIONS_PER_SOURCE', 1, 1_000_000).default(DEFAULT_MAX_SERVER_TRANSACTIONS_PER_SOURCE),
  SIP_MAX_SETUP_CALLS_PER_SOURCE: bounded('SIP_MAX_SETUP_CALLS_PER_SOURCE', 1, 100_000).optional(),
  SIP_TCP_MAX_CONNECTIONS: bounded('SIP_TCP_MAX_CONNECTIONS', 1, 1_000_000).default(DEFAULT_TCP_MAX_CONNECTIONS),
  SIP_TCP_MAX_CONNECTIONS_PER_SOURCE: bounded('SIP_TCP_MAX_CONNECTIONS_PER_SOURCE', 1, 1_000_000).default(DEFAULT_TCP_MAX_CONNECTIONS_PER_SOURCE),
  SIP_TCP_MESSAGE_TIMEOUT_MS: bounded('SIP_TCP_MESSAGE_TIMEOUT_MS', 100, 120_000, ' ms').default(DEFAULT_TCP_MESSAGE_TIMEOUT_MS),
  SIP_TCP_IDLE_TIMEOUT_S: bounded('SIP_TCP_IDLE_TIMEOUT_S', 1, 86_400, ' s').default(DEFAULT_TCP_IDLE_TIMEOUT_S),
  SIP_TCP_DIALOG_IDLE_TIMEOUT_S: bounded('SIP_TCP_DIALOG_IDLE_TIMEOUT_S', 1, 86_400, ' s').default(DEFAULT_TCP_DIALOG_IDLE_TIMEOUT_S),
  SIP_TLS_HANDSHAKE_TIMEOUT_MS: bounded('SIP_TLS_HANDSHAKE_TIMEOUT_MS', 100, 120_000, ' ms').default(DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS),
  SIP_TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
  SIP_TLS_CLIENT_CERT: z.enum(['off', 'optional', 'required'], { error: 'SIP_TLS_CLIENT_CERT must be off, optional or required' }).optional(),
};

const hardeningObject = z.object(sipHardeningSchema);
type HardeningEnv = z.infer<typeof hardeningObject> & { SIP_INVITE_BURST: number };

/** Cross-field rules, each naming the variable to change. */
export function checkSipHardening(env: HardeningEnv, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string): void => ctx.addIssue({ code: 'custom', path: [path], message });
  if (env.SIP_TCP_MAX_CONNECTIONS_PER_SOURCE > env.SIP_TCP_MAX_CONNECTIONS) {
    issue('SIP_TCP_MAX_CONNECTIONS_PER_SOURCE', 'SIP_TCP_MAX_CONNECTIONS_PER_SOURCE must not exceed SIP_TCP_MAX_CONNECTIONS');
  }
  if (env.SIP_TCP_DIALOG_IDLE_TIMEOUT_S < env.SIP_TCP_IDLE_TIMEOUT_S) {
    issue('SIP_TCP_DIALOG_IDLE_TIMEOUT_S', 'SIP_TCP_DIALOG_IDLE_TIMEOUT_S must not be below SIP_TCP_IDLE_TIMEOUT_S');
  }
  if (env.SIP_MAX_TRANSACTIONS_PER_SOURCE > env.SIP_MAX_TRANSACTIONS) {
    issue('SIP_MAX_TRANSACTIONS_PER_SOURCE', 'SIP_MAX_TRANSACTIONS_PER_SOURCE must not exceed SIP_MAX_TRANSACTIONS');
  }
  if (env.SIP_REQUEST_BURST < env.SIP_INVITE_BURST) {
    issue('SIP_REQUEST_BURST', 'SIP_REQUEST_BURST (every method) must not be below SIP_INVITE_BURST');
  }
  const mode = clientCertMode(env);
  if (mode !== 'off' && !env.SIP_TLS_CLIENT_CA_FILE) {
    issue('SIP_TLS_CLIENT_CA_FILE', `SIP_TLS_CLIENT_CERT=${mode} needs SIP_TLS_CLIENT_CA_FILE (the CAs client certificates must chain to)`);
  }
  if (mode === 'off' && env.SIP_TLS_CLIENT_CA_FILE) {
    issue('SIP_TLS_CLIENT_CERT', 'SIP_TLS_CLIENT_CA_FILE is set but SIP_TLS_CLIENT_CERT=off: unset one of them');
  }
}

/**
 * SIP_MAX_SETUP_CALLS_PER_SOURCE, by default a quarter of what calls can hold (the call slots and
 * the RTP port pairs, whichever is fewer), at least 2 and at most 50: one source's unanswered
 * INVITEs can then never take the ports and slots every other source needs.
 */
export function setupCallsPerSource(env: { SIP_MAX_SETUP_CALLS_PER_SOURCE?: number | undefined; SIP_MAX_CALLS: number; RTP_PORT_MIN: number; RTP_PORT_MAX: number }): number {
  if (env.SIP_MAX_SETUP_CALLS_PER_SOURCE !== undefined) return env.SIP_MAX_SETUP_CALLS_PER_SOURCE;
  const pairs = Math.floor((env.RTP_PORT_MAX - env.RTP_PORT_MIN + 1) / 2);
  return Math.min(MAX_DEFAULT_SETUP_CALLS_PER_SOURCE, Math.max(2, Math.floor(Math.min(env.SIP_MAX_CALLS, pairs) / 4)));
}

/** SIP_TLS_CLIENT_CERT, defaulting to required when a client CA is given and off otherwise. */
export function clientCertMode(env: Pick<HardeningEnv, 'SIP_TLS_CLIENT_CERT' | 'SIP_TLS_CLIENT_CA_FILE'>): 'off' | 'optional' | 'required' {
  return env.SIP_TLS_CLIENT_CERT ?? (env.SIP_TLS_CLIENT_CA_FILE ? 'required' : 'off');
}
