import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { DigestAlgorithm } from './auth/digest.js';
import { DEFAULT_MIN_SE_S, DEFAULT_SESSION_EXPIRES_S, validateSessionTimerConfig, type SessionTimerConfig } from './session-timer.js';
import type { StreamLimits } from './transport/stream-limits.js';
import type { TlsMaterial } from './transport/tls-policy.js';
import type { SipTransport } from './transport/types.js';

export interface SipServerOptions {
  clock: Clock;
  logger: Logger;
  udp?: { host: string; port: number };
  tcp?: { host: string; port: number };
  /** TLS listener: certificate, key, outbound CAs, and optional client-certificate verification. */
  tls?: { host: string; port: number } & TlsMaterial;
  /** Advertised in Contact and Via (NAT); default = the bound host (or the connection's local address). */
  publicAddress?: string;
  /** Server / User-Agent header value. */
  userAgent?: string;
  /** CIDR allow-list (IPv4/IPv6); empty/undefined = allow all; everything else is dropped silently. */
  allowFrom?: string[];
  auth?: { realm: string; username: string; password: string; algorithms?: DigestAlgorithm[]; nonceTtlMs?: number };
  /** Beyond this many calls (INVITEs in progress + confirmed dialogs): 503 + Retry-After. */
  maxConcurrentCalls?: number;
  /** Per-source-IP token bucket for new INVITEs: 503 + Retry-After when empty. */
  inviteRateLimit?: { perSecond: number; burst: number };
  /**
   * Per-source-IP token bucket for every request, any method, retransmissions included. A refused
   * request creates no transaction; the first refusal of each Retry-After window gets a stateless
   * 503 + Retry-After, the rest of the window is dropped (a flood cannot be reflected).
   */
  requestRateLimit?: { perSecond: number; burst: number };
  /** Live server transactions in all; beyond: UDP dropped, TCP/TLS a stateless 503. */
  maxServerTransactions?: number;
  /** Live server transactions per source address (default: maxServerTransactions). */
  maxServerTransactionsPerSource?: number;
  /** Calls in set-up (INVITE not yet confirmed by ACK) per source address; beyond: 503 + Retry-After. */
  maxSetupCallsPerSource?: number;
  /** RFC 3261 T1/T2/T4 in ms (defaults 500 / 4000 / 5000). */
  timers?: { t1?: number; t2?: number; t4?: number };
  /** RFC 4028, seconds (defaults 1800 / 90). */
  sessionTimer?: { defaultExpires: number; minSE: number };
  /** Bounds on TCP/TLS connections: caps, message deadline, idle timeouts, TLS handshake deadline. */
  streamLimits?: Partial<StreamLimits>;
  /** Methods accepted in dialogs besides the built-in ones; delivered as Dialog 'request' events. */
  extraAllowedMethods?: string[];
  /**
   * Transports supplied by the caller instead of (or besides) sockets: the in-memory transport of
   * tests and the lab. Listened on by start(), closed by stop().
   */
  transports?: SipTransport[];
}

/** Methods the core itself implements (RFC 3261 + RFC 3311 UPDATE + RFC 6086 INFO). */
export const BUILTIN_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'UPDATE', 'INFO'] as const;
/** Option tags we implement (RFC 4028 session timers). */
export const SUPPORTED_EXTENSIONS = ['timer'] as const;
/** Bodies we accept: SDP, and the DTMF relay bodies INFO carries. */
export const ACCEPTED_BODY_TYPES = ['application/sdp', 'application/dtmf-relay', 'application/dtmf'] as const;
/** Retry-After (seconds) on 503 when the concurrent-call limit is reached. */
export const MAX_CALLS_RETRY_AFTER_S = 5;

export interface ResolvedPolicy {
  allowedMethods: string[];
  allow: string;
  supported: string;
  accept: string;
  sessionTimer: SessionTimerConfig;
}

export function resolvePolicy(opts: SipServerOptions): ResolvedPolicy {
  const extra = (opts.extraAllowedMethods ?? []).map((m) => m.trim().toUpperCase());
  for (const m of extra) {
    if (!/^[A-Z][A-Z0-9_-]*$/.test(m)) throw new RangeError(`extraAllowedMethods: "${m}" is not a SIP method token`);
    if (m === 'REGISTER') throw new RangeError('extraAllowedMethods: REGISTER cannot be allowed (not a registrar)');
  }
  const allowedMethods = [...new Set<string>([...BUILTIN_METHODS, ...extra])];
  const sessionTimer = {
    defaultExpires: opts.sessionTimer?.defaultExpires ?? DEFAULT_SESSION_EXPIRES_S,
    minSE: opts.sessionTimer?.minSE ?? DEFAULT_MIN_SE_S,
  };
  validateSessionTimerConfig(sessionTimer);
  if (opts.maxConcurrentCalls !== undefined && !(Number.isInteger(opts.maxConcurrentCalls) && opts.maxConcurrentCalls >= 0)) {
    throw new RangeError(`maxConcurrentCalls must be an integer >= 0, got ${opts.maxConcurrentCalls}`);
  }
  if (opts.maxSetupCallsPerSource !== undefined && !(Number.isInteger(opts.maxSetupCallsPerSource) && opts.maxSetupCallsPerSource >= 1)) {
    throw new RangeError(`maxSetupCallsPerSource must be an integer >= 1, got ${opts.maxSetupCallsPerSource}`);
  }
  if (opts.maxServerTransactionsPerSource !== undefined && opts.maxServerTransactions === undefined) {
    throw new RangeError('maxServerTransactionsPerSource needs maxServerTransactions');
  }
  if (opts.udp === undefined && opts.tcp === undefined && opts.tls === undefined && (opts.transports ?? []).length === 0) {
    throw new RangeError('SipServer needs at least one of udp, tcp, tls or transports');
  }
  return {
    allowedMethods,
    allow: allowedMethods.join(', '),
    supported: SUPPORTED_EXTENSIONS.join(', '),
    accept: ACCEPTED_BODY_TYPES.join(', '),
    sessionTimer,
  };
}
