/**
 * Via (RFC 3261 §20.42, §25.1):
 *
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport     (SLASH = SWS "/" SWS)
 *   sent-by       = host [ COLON port ]
 *
 * One header line may carry several comma-separated via-parms (RFC 4475 §3.1.1.1 wsinv folds
 * them across lines with whitespace everywhere the grammar allows it).
 */
import { isBareIpv6, isToken, splitTopLevel, trimWsp } from './chars.js';
import { SipErrorCode, badRequest } from './errors.js';
import { formatHeaderParams, parseHeaderParams } from './params.js';
import type { SipParseError, Via } from './types.js';
import { splitHostPort } from './uri.js';

const SENT_PROTOCOL = /^([^\s/]+)[ \t]*\/[ \t]*([^\s/]+)[ \t]*\/[ \t]*([^\s/;]+)[ \t]+(.*)$/s;

export function parseVia(value: string): Via[] | SipParseError {
  const bad = (): SipParseError => badRequest(SipErrorCode.BAD_VIA, 'malformed Via');
  const parts = splitTopLevel(value, ',');
  if (parts === undefined) return bad();
  const out: Via[] = [];
  for (const part of parts) {
    const via = parseOne(trimWsp(part));
    if (via === undefined) return bad();
    out.push(via);
  }
  return out;
}

function parseOne(s: string): Via | undefined {
  const m = SENT_PROTOCOL.exec(s);
  if (m === null) return undefined;
  const [, name = '', version = '', transport = '', rest = ''] = m;
  if (!isToken(name) || !isToken(version) || !isToken(transport)) return undefined;
  const semi = rest.indexOf(';');
  const sentBy = trimWsp(semi < 0 ? rest : rest.slice(0, semi));
  // sent-by = host [ COLON port ], COLON = SWS ":" SWS
  const hp = splitHostPort(sentBy.replace(/[ \t]*:[ \t]*(\d+)$/, ':$1'));
  if (hp === undefined) return undefined;
  const params = parseHeaderParams(semi < 0 ? '' : rest.slice(semi));
  if (params === undefined) return undefined;
  if (!viaParamsValid(params)) return undefined;
  const via: Via = {
    protocol: `${name.toUpperCase()}/${version}`,
    transport: transport.toUpperCase(),
    host: hp.host,
    params,
  };
  if (hp.port !== undefined) via.port = hp.port;
  return via;
}

/** The via-params with a defined value grammar: ttl, maddr, received, branch, rport. */
function viaParamsValid(params: Map<string, string | null>): boolean {
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || !/^\d{1,3}$/.test(ttl) || Number(ttl) > 255)) return false;
  const received = params.get('received');
  // received = IPv4address / IPv6address; RFC 5118 §4.5 asks us to tolerate an IPv6 reference too.
  if (received !== undefined && (received === null || !(isToken(received) || isBareIpv6(received) || isBareIpv6(received.slice(1, -1)))))
    return false;
  const branch = params.get('branch');
  if (branch !== undefined && (branch === null || !isToken(branch))) return false;
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && !/^\d{1,5}$/.test(rport)) return false;
  return true;
}

export function formatVia(v: Via): string {
  const port = v.port === undefined ? '' : `:${v.port}`;
  return `${v.protocol}/${v.transport} ${v.host}${port}${formatHeaderParams(v.params)}`;
}
