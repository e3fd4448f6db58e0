/**
 * LabCaller options: one typed object, named defaults, checked once by resolveOptions() which throws
 * a LabCallerError naming the field. Addresses must be IPv4 loopback (127.0.0.0/8): the lab never
 * sends a packet anywhere else, whatever a scenario or a far-end SDP says.
 */
import { isIPv4 } from 'node:net';
import { DEFAULT_TELEPHONE_EVENT_PT, OFFER_CODECS, isOfferCodecName, type OfferCodecName } from './codecs.js';
import { LabCallerError, LabCallerErrorCode } from './errors.js';
import { SRTP_PROFILES, isSrtpProfile, type DigestAlgorithm, type SrtpProfile } from 'connect-realtime-gateway';

export type SipTransportKind = 'udp' | 'tcp' | 'tls';
export type SrtpMode = 'off' | 'sdes';

export interface HostPort {
  host: string;
  port: number;
}

export interface LabCallerTlsOptions {
  /** CA (PEM) to trust for the gateway's certificate. */
  ca?: string | Buffer;
  /** false accepts any certificate (the lab's self-signed one). Default true. */
  rejectUnauthorized?: boolean;
  /** SNI / certificate name to check. Default: none sent (the target is an IP literal). */
  servername?: string;
}

export interface LabCallerCredentials {
  username: string;
  password: string;
  /** Preference when the server offers several challenges. Default SHA-256 (RFC 8760) then MD5. */
  algorithms?: DigestAlgorithm[];
}

export interface LabCallerSessionTimer {
  /** Session-Expires we ask for, seconds. */
  expiresS: number;
  /** Min-SE we send, seconds. Omitted when absent. */
  minSE?: number;
  /** refresher= we ask for. Omitted (the UAS decides) when absent. */
  refresher?: 'uac' | 'uas';
  /** Refresh at half the interval when the 2xx makes us (uac) the refresher. Default true. */
  refresh?: boolean;
  /** Refresh with re-INVITE (same SDP) or UPDATE (no body). Default INVITE. */
  method?: 'INVITE' | 'UPDATE';
}

export interface LabCallerOptions {
  /** SIP transport. Default 'udp'. */
  transport?: SipTransportKind;
  /** "127.0.0.1:5060" or { host, port }; must be loopback. */
  target: string | HostPort;
  /** Our address, 127.0.0.x. Default 127.0.0.1. */
  localAddress?: string;
  /** Local SIP port (0 = any): the UDP socket, or the local end of the TCP/TLS connection. Default 0. */
  localSipPort?: number;
  tls?: LabCallerTlsOptions;
  /** From user. Default 'lab-caller'. */
  fromUser?: string;
  fromDisplayName?: string;
  /** To / Request-URI user. Default 'agent'. */
  toUser?: string;
  /** Extra INVITE headers in order (Connect context: X-Amzn-*, User-to-User …). */
  extraHeaders?: ReadonlyArray<readonly [string, string]>;
  /** Codecs offered, in preference order. Default PCMU, PCMA. */
  codecs?: readonly OfferCodecName[];
  /** telephone-event/8000 payload type offered; false offers none. Default 101. */
  telephoneEvent?: number | false;
  /** 'sdes' offers RTP/SAVP with one a=crypto per profile. Default 'off'. */
  srtp?: SrtpMode;
  /** SDES suites offered, in order. Default AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32. */
  srtpProfiles?: readonly SrtpProfile[];
  /** Answer 401/407 with these. Without them a challenge ends the call. */
  credentials?: LabCallerCredentials;
  sessionTimer?: LabCallerSessionTimer;
  /** Do not send the first N ACKs for the INVITE's 2xx (the gateway must retransmit it). Default 0. */
  loseAcks?: number;
  /** Indices (0-based, in send order) of outgoing RTP packets to drop instead of sending. */
  dropPackets?: readonly number[];
  /** RFC 3261 T1, ms (Timers A, B, E, F derive from it). Default 500. */
  t1Ms?: number;
  /** Without a final answer by then we CANCEL, ms after the INVITE. Default 30000. */
  answerTimeoutMs?: number;
  /** Hard bound on the whole run; reaching it sends BYE. Default 120000. */
  maxCallMs?: number;
  /** RTCP sender-report interval, ms; 0 sends none. Default 5000. */
  rtcpIntervalMs?: number;
  /** The call's Call-ID (a proxy hashing on it then routes the call the same way every run). Default: random. */
  callId?: string;
  /** User-Agent header. Default 'lab-caller'. */
  userAgent?: string;
}

export interface ResolvedOptions {
  transport: SipTransportKind;
  target: HostPort;
  localAddress: string;
  localSipPort: number;
  tls: LabCallerTlsOptions;
  fromUser: string;
  fromDisplayName: string | undefined;
  toUser: string;
  extraHeaders: ReadonlyArray<readonly [string, string]>;
  codecs: readonly OfferCodecName[];
  telephoneEvent: number | false;
  srtp: SrtpMode;
  srtpProfiles: readonly SrtpProfile[];
  credentials: LabCallerCredentials | undefined;
  sessionTimer: Required<Pick<LabCallerSessionTimer, 'expiresS' | 'refresh' | 'method'>> &
    Pick<LabCallerSessionTimer, 'minSE' | 'refresher'> | undefined;
  loseAcks: number;
  dropPackets: ReadonlySet<number>;
  t1Ms: number;
  t2Ms: number;
  answerTimeoutMs: number;
  maxCallMs: number;
  rtcpIntervalMs: number;
  userAgent: string;
  callId: string | undefined;
}

/** Named defaults (see LabCallerOptions). */
export const LAB_CALLER_DEFAULTS = {
  transport: 'udp',
  localAddress: '127.0.0.1',
  fromUser: 'lab-caller',
  toUser: 'agent',
  codecs: ['PCMU', 'PCMA'] as readonly OfferCodecName[],
  telephoneEvent: DEFAULT_TELEPHONE_EVENT_PT,
  srtp: 'off',
  /** ms */
  t1Ms: 500,
  /** ms: RFC 3261 T2, the cap on non-INVITE retransmit intervals. */
  t2Ms: 4_000,
  /** ms */
  answerTimeoutMs: 30_000,
  /** ms */
  maxCallMs: 120_000,
  /** ms */
  rtcpIntervalMs: 5_000,
  userAgent: 'lab-caller',
} as const;

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const USER = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$/;
const HEADER_NAME = TOKEN;

function bad(field: string, why: string): LabCallerError {
  return new LabCallerError(LabCallerErrorCode.BAD_OPTION, `${field}: ${why}`);
}

/** IPv4 in 127.0.0.0/8. */
export function isLoopbackV4(host: string): boolean {
  return isIPv4(host) && host.startsWith('127.');
}

/** "127.0.0.1:5060" → { host, port }; undefined when malformed. */
export function parseHostPort(text: string): HostPort | undefined {
  const m = /^([^:\s]+):(\d{1,5})$/.exec(text.trim());
  if (m === null) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: m[1] ?? '', port };
}

function positiveInt(field: string, v: number | undefined, dflt: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max) throw bad(field, `must be an integer in ${min}..${max}, got ${v}`);
  return v;
}

export function resolveOptions(o: LabCallerOptions): ResolvedOptions {
  const transport = o.transport ?? LAB_CALLER_DEFAULTS.transport;
  if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') throw bad('transport', `must be udp, tcp or tls, got ${String(transport)}`);

  const target = typeof o.target === 'string' ? parseHostPort(o.target) : o.target;
  if (target === undefined) throw bad('target', `must be host:port, got ${String(o.target)}`);
  if (!isLoopbackV4(target.host)) throw bad('target', `${target.host} is not an IPv4 loopback address (127.0.0.0/8)`);
  positiveInt('target.port', target.port, 0, 1, 65_535);

  const localAddress = o.localAddress ?? LAB_CALLER_DEFAULTS.localAddress;
  if (!isLoopbackV4(localAddress)) throw bad('localAddress', `${localAddress} is not an IPv4 loopback address (127.0.0.0/8)`);
  const localSipPort = positiveInt('localSipPort', o.localSipPort, 0, 0, 65_535);

  const fromUser = o.fromUser ?? LAB_CALLER_DEFAULTS.fromUser;
  if (!USER.test(fromUser)) throw bad('fromUser', `"${fromUser}" is not a SIP user part`);
  const toUser = o.toUser ?? LAB_CALLER_DEFAULTS.toUser;
  if (!USER.test(toUser)) throw bad('toUser', `"${toUser}" is not a SIP user part`);
  if (o.fromDisplayName !== undefined && /[\r\n"\\]/.test(o.fromDisplayName)) {
    throw bad('fromDisplayName', 'must not contain CR, LF, " or \\');
  }

  const extraHeaders = o.extraHeaders ?? [];
  for (const [name, value] of extraHeaders) {
    if (!HEADER_NAME.test(name)) throw bad('extraHeaders', `"${name}" is not a header name`);
    if (/[\r\n]/.test(value)) throw bad('extraHeaders', `value of ${name} contains CR or LF`);
  }

  const codecs = o.codecs ?? LAB_CALLER_DEFAULTS.codecs;
  if (codecs.length === 0) throw bad('codecs', 'offer at least one codec');
  for (const c of codecs) if (!isOfferCodecName(c)) throw bad('codecs', `unknown codec ${String(c)} (known: ${Object.keys(OFFER_CODECS).join(', ')})`);
  if (new Set(codecs).size !== codecs.length) throw bad('codecs', 'a codec is listed twice');

  const telephoneEvent = o.telephoneEvent ?? LAB_CALLER_DEFAULTS.telephoneEvent;
  if (telephoneEvent !== false) {
    positiveInt('telephoneEvent', telephoneEvent, 0, 96, 127);
    if (codecs.some((c) => OFFER_CODECS[c].payloadType === telephoneEvent)) throw bad('telephoneEvent', `payload type ${telephoneEvent} is taken by a codec`);
  }

  const srtp = o.srtp ?? LAB_CALLER_DEFAULTS.srtp;
  if (srtp !== 'off' && srtp !== 'sdes') throw bad('srtp', `must be off or sdes, got ${String(srtp)}`);
  const srtpProfiles = o.srtpProfiles ?? SRTP_PROFILES;
  if (srtpProfiles.length === 0) throw bad('srtpProfiles', 'offer at least one profile');
  for (const p of srtpProfiles) if (!isSrtpProfile(p)) throw bad('srtpProfiles', `unknown profile ${String(p)}`);

  if (o.credentials !== undefined) {
    const { username, password, algorithms } = o.credentials;
    if (username.length === 0 || /[\r\n"]/.test(username)) throw bad('credentials.username', 'must be non-empty without CR, LF or "');
    if (/[\r\n]/.test(password)) throw bad('credentials.password', 'must not contain CR or LF');
    if (algorithms !== undefined && (algorithms.length === 0 || algorithms.some((a) => a !== 'SHA-256' && a !== 'MD5'))) {
      throw bad('credentials.algorithms', 'must list SHA-256 and/or MD5');
    }
  }

  let sessionTimer: ResolvedOptions['sessionTimer'];
  if (o.sessionTimer !== undefined) {
    const st = o.sessionTimer;
    const expiresS = positiveInt('sessionTimer.expiresS', st.expiresS, 0, 1, 0xffff_ffff);
    if (st.minSE !== undefined) positiveInt('sessionTimer.minSE', st.minSE, 0, 1, expiresS);
    if (st.refresher !== undefined && st.refresher !== 'uac' && st.refresher !== 'uas') throw bad('sessionTimer.refresher', 'must be uac or uas');
    const method = st.method ?? 'INVITE';
    if (method !== 'INVITE' && method !== 'UPDATE') throw bad('sessionTimer.method', 'must be INVITE or UPDATE');
    sessionTimer = { expiresS, refresh: st.refresh ?? true, method };
    if (st.minSE !== undefined) sessionTimer.minSE = st.minSE;
    if (st.refresher !== undefined) sessionTimer.refresher = st.refresher;
  }

  const loseAcks = positiveInt('loseAcks', o.loseAcks, 0, 0, 64);
  const dropPackets = new Set<number>();
  for (const i of o.dropPackets ?? []) dropPackets.add(positiveInt('dropPackets[]', i, 0, 0));

  const t1Ms = positiveInt('t1Ms', o.t1Ms, LAB_CALLER_DEFAULTS.t1Ms, 1, 10_000);
  const maxCallMs = positiveInt('maxCallMs', o.maxCallMs, LAB_CALLER_DEFAULTS.maxCallMs, 1, 24 * 3_600_000);
  const answerTimeoutMs = positiveInt('answerTimeoutMs', o.answerTimeoutMs, LAB_CALLER_DEFAULTS.answerTimeoutMs, 1, maxCallMs);
  const rtcpIntervalMs = positiveInt('rtcpIntervalMs', o.rtcpIntervalMs, LAB_CALLER_DEFAULTS.rtcpIntervalMs, 0, 3_600_000);
  if (rtcpIntervalMs > 0 && rtcpIntervalMs < 100) throw bad('rtcpIntervalMs', 'must be 0 (off) or at least 100 ms');
  const userAgent = o.userAgent ?? LAB_CALLER_DEFAULTS.userAgent;
  if (/[\r\n]/.test(userAgent)) throw bad('userAgent', 'must not contain CR or LF');
  if (o.callId !== undefined && !/^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}@]{1,128}$/.test(o.callId)) throw bad('callId', 'must be a SIP Call-ID word (RFC 3261 §25.1), at most 128 characters');

  return {
    transport,
    target: { host: target.host, port: target.port },
    localAddress,
    localSipPort,
    tls: o.tls ?? {},
    fromUser,
    fromDisplayName: o.fromDisplayName,
    toUser,
    extraHeaders,
    codecs,
    telephoneEvent,
    srtp,
    srtpProfiles,
    credentials: o.credentials,
    sessionTimer,
    loseAcks,
    dropPackets,
    t1Ms,
    t2Ms: Math.max(LAB_CALLER_DEFAULTS.t2Ms, t1Ms),
    answerTimeoutMs,
    maxCallMs,
    rtcpIntervalMs,
    userAgent,
    callId: o.callId,
  };
}
