/**
 * SIP-URI / SIPS-URI (RFC 3261 §19.1, §25.1) and tel URI (RFC 3966):
 *
 *   sip:user:password@host:port;uri-parameters?headers
 *   tel:+1-201-555-0123;phone-context=example.com
 *
 * user may contain ';', '?', ',' and '/' (user-unreserved), so the userinfo is split off at the
 * '@' first (RFC 4475 §3.1.1.9 semiuri, §3.1.1.2 intmeth). IPv6 references follow RFC 5118.
 */
import {
  hasWhitespace,
  isHeaderNameOrValueChars,
  isHost,
  isPassword,
  isScheme,
  isTelNumber,
  isUser,
  parseDecimal,
} from './chars.js';
import { SipErrorCode, badRequest, parseError } from './errors.js';
import { formatUriParams, parseUriParams } from './params.js';
import type { SipParseError, SipUri } from './types.js';

const MAX_PORT = 65535;

export function parseUri(s: string): SipUri | SipParseError {
  const colon = s.indexOf(':');
  const scheme = colon > 0 ? s.slice(0, colon) : '';
  if (!isScheme(scheme)) return badRequest(SipErrorCode.BAD_URI, 'malformed URI');
  if (hasWhitespace(s)) return badRequest(SipErrorCode.BAD_URI, 'whitespace in URI');
  const lower = scheme.toLowerCase();
  const rest = s.slice(colon + 1);
  if (lower === 'sip' || lower === 'sips') return parseSipUri(lower, rest);
  if (lower === 'tel') return parseTelUri(rest);
  return parseError(SipErrorCode.UNSUPPORTED_URI_SCHEME, 416, `Unsupported URI Scheme (${scheme})`);
}

function parseSipUri(scheme: 'sip' | 'sips', rest: string): SipUri | SipParseError {
  const bad = (): SipParseError => badRequest(SipErrorCode.BAD_URI, `malformed ${scheme} URI`);
  const uri: SipUri = { scheme, host: '', params: new Map(), headers: new Map() };
  let hostPart = rest;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const pc = userinfo.indexOf(':');
    const user = pc < 0 ? userinfo : userinfo.slice(0, pc);
    if (!isUser(user)) return bad();
    uri.user = user;
    if (pc >= 0) {
      const password = userinfo.slice(pc + 1);
      if (!isPassword(password)) return bad();
      uri.password = password;
    }
  }
  // hostport ends at the first ';' (params) or '?' (headers); neither occurs inside a host.
  let end = hostPart.length;
  const semi = hostPart.indexOf(';');
  const qm = hostPart.indexOf('?');
  if (semi >= 0) end = semi;
  if (qm >= 0 && qm < end) end = qm;
  const hostport = hostPart.slice(0, end);
  const hp = splitHostPort(hostport);
  if (hp === undefined) return bad();
  uri.host = hp.host;
  if (hp.port !== undefined) uri.port = hp.port;

  let tail = hostPart.slice(end);
  const q = tail.indexOf('?');
  const paramText = q < 0 ? tail : tail.slice(0, q);
  const params = parseUriParams(paramText);
  if (params === undefined) return bad();
  uri.params = params;
  if (q >= 0) {
    tail = tail.slice(q + 1);
    for (const h of tail.split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0) return bad();
      const name = h.slice(0, eq);
      const value = h.slice(eq + 1);
      if (!isHeaderNameOrValueChars(name) || (value.length > 0 && !isHeaderNameOrValueChars(value))) return bad();
      uri.headers.set(name, value);
    }
  }
  return uri;
}

/** host [":" port]; the host may be an IPv6 reference whose colons are not port separators. */
export function splitHostPort(hostport: string): { host: string; port?: number } | undefined {
  let host = hostport;
  let portText: string | undefined;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) return undefined;
    host = hostport.slice(0, close + 1);
    const after = hostport.slice(close + 1);
    if (after.length > 0) {
      if (!after.startsWith(':')) return undefined;
      portText = after.slice(1);
    }
  } else {
    const c = hostport.indexOf(':');
    if (c >= 0) {
      host = hostport.slice(0, c);
      portText = hostport.slice(c + 1);
    }
  }
  if (!isHost(host)) return undefined;
  if (portText === undefined) return { host };
  const port = parseDecimal(portText, MAX_PORT);
  if (port === undefined) return undefined;
  return { host, port };
}

function parseTelUri(rest: string): SipUri | SipParseError {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (!isTelNumber(number)) return badRequest(SipErrorCode.BAD_URI, 'malformed tel URI');
  const params = parseUriParams(semi < 0 ? '' : rest.slice(semi));
  if (params === undefined) return badRequest(SipErrorCode.BAD_URI, 'malformed tel URI');
  return { scheme: 'tel', user: number, host: '', params, headers: new Map() };
}

export function formatUri(u: SipUri): string {
  if (u.scheme === 'tel') return `tel:${u.user ?? ''}${formatUriParams(u.params)}`;
  let out = `${u.scheme}:`;
  if (u.user !== undefined) {
    out += u.user;
    if (u.password !== undefined) out += `:${u.password}`;
    out += '@';
  }
  out += u.host;
  if (u.port !== undefined) out += `:${u.port}`;
  out += formatUriParams(u.params);
  let sep = '?';
  for (const [name, value] of u.headers) {
    out += `${sep}${name}=${value}`;
    sep = '&';
  }
  return out;
}

/**
 * Checks the shape of any absoluteURI (RFC 3261 §25.1, used for schemes we do not interpret such
 * as `isbn:` or `http:` in RFC 4475 §3.3.4 unksm2): a scheme, a colon, and no whitespace or
 * control characters. Returns the lower-cased scheme, or undefined when malformed.
 */
export function absoluteUriScheme(s: string): string | undefined {
  const colon = s.indexOf(':');
  if (colon <= 0 || colon === s.length - 1) return undefined;
  const scheme = s.slice(0, colon);
  if (!isScheme(scheme)) return undefined;
  for (let i = colon + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x22 || c === 0x3c || c === 0x3e) return undefined;
  }
  return scheme.toLowerCase();
}
