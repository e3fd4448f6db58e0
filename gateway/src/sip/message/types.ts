/**
 * The data model of a parsed SIP message (RFC 3261 §7, §19, §20). Plain data: every parser in this
 * folder produces these, every formatter consumes them, nothing here holds I/O or state.
 */
import type { Result } from '../../result.js';
import type { SipHeaders } from './headers.js';

/**
 * Parameters (`;name=value`). Names are lower-cased (RFC 3261 §7.3.1: parameter names are
 * case-insensitive); values are kept as written, with quoted-strings unquoted and unescaped.
 * A bare parameter (`;lr`, `;rport`) maps to null.
 */
export type Params = Map<string, string | null>;

/**
 * A sip:, sips: (RFC 3261 §19.1) or tel: (RFC 3966) URI.
 * `user`/`password`/header values are kept as written, %-escapes included, so that formatting
 * reproduces the original text; use `unescapeUriText()` to compare or display them.
 * `host` is as written; an IPv6 reference keeps its brackets (`[2001:db8::1]`, the RFC 3261
 * `host` production) — `hostAddress()` strips them. For tel: URIs the number is in `user` and
 * `host` is the empty string.
 */
export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Params;
  headers: Map<string, string>;
}

/** name-addr / addr-spec with header parameters: From, To, Contact, Route, Record-Route. */
export interface NameAddr {
  /** Unquoted and unescaped display name (`"J \"R\""` → `J "R"`), absent when none was written. */
  displayName?: string;
  uri: SipUri;
  params: Params;
}

/** One Via value (RFC 3261 §20.42). */
export interface Via {
  /** protocol-name "/" protocol-version, e.g. "SIP/2.0" (whitespace around the slashes removed). */
  protocol: string;
  /** Upper-cased transport: UDP, TCP, TLS, SCTP, WS, WSS or any other token. */
  transport: string;
  /** sent-by host as written (IPv6 references keep their brackets). */
  host: string;
  port?: number;
  /** branch, received, rport (null when bare), maddr, ttl and any extension. */
  params: Params;
}

export interface CSeq {
  /** 0 .. 2^32-1 (RFC 3261 §8.1.1.5). */
  seq: number;
  method: string;
}

export interface SipRequest {
  type: 'request';
  method: string;
  /** Request-URI text as written (parse it with parseUri when the scheme matters). */
  uri: string;
  version: string;
  headers: SipHeaders;
  body: Buffer;
}

export interface SipResponse {
  type: 'response';
  status: number;
  reason: string;
  version: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

/**
 * Why input could not be accepted, and the reply it implies. Returned (never thrown) by every
 * parser of this layer.
 */
export interface SipParseError {
  /** Stable code, e.g. 'SIP_ERR_BAD_CSEQ' (see errors.ts). */
  code: string;
  /** The status a UAS replies with when the input was a request: 400, 413, 416, 505 … */
  status: number;
  /** Reason phrase naming the problem, e.g. "Bad Request (malformed CSeq)". */
  reason: string;
  /** Whether the input looked like a request (only requests are answered; responses are dropped). */
  isRequest: boolean;
  /** Header fields that could be recovered, enough to build the error reply (Via, From, To, Call-ID, CSeq). */
  headers?: SipHeaders;
  /** The request method when it could be recovered (a reply to ACK must never be sent). */
  method?: string;
  /** Stream framing is broken (TCP/TLS): the connection must be closed after replying. */
  fatal?: boolean;
}

export type ParseResult = Result<SipMessage, SipParseError>;
