import { SipHeaders, formatUri, isParseError, parseNameAddr, parseUri, type SipRequest, type SipUri } from '../message/index.js';

/** Max-Forwards on requests we originate (RFC 3261 §8.1.1.6). */
export const DEFAULT_MAX_FORWARDS = 70;

export interface InDialogRequestSpec {
  method: string;
  callId: string;
  /** Our address-of-record with our tag: the To of the INVITE we answered, plus ;tag=. */
  localParty: string;
  /** The peer's: the From of the INVITE, tag included. */
  remoteParty: string;
  remoteTarget: string;
  /** Record-Route of the dialog-creating INVITE, in order (RFC 3261 §12.1.1: a UAS keeps it as is). */
  routeSet: readonly string[];
  cseq: number;
  via: string;
  contact?: string;
  userAgent?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: Buffer;
  contentType?: string;
}

export interface NextHop {
  host: string;
  port: number | undefined;
  secure: boolean;
}

/**
 * RFC 3261 §12.2.1.1: a request inside a dialog. With an empty route set, or a loose first route
 * (`;lr`), the Request-URI is the remote target and Route is the route set; with a strict first
 * route, the Request-URI is that route's URI (headers dropped) and the remote target goes last.
 * Returns the request and the next hop it must be sent to (§8.1.2: the first Route, else the
 * Request-URI).
 */
export function buildInDialogRequest(spec: InDialogRequestSpec): { request: SipRequest; nextHop: NextHop } {
  let requestUri = spec.remoteTarget;
  let routes = [...spec.routeSet];
  let nextHop = hopOfUri(spec.remoteTarget);
  const firstRaw = routes[0];
  const first = firstRaw === undefined ? undefined : parseNameAddr(firstRaw);
  if (first !== undefined && !isParseError(first)) {
    nextHop = hopOf(first.uri);
    if (!first.uri.params.has('lr')) {
      // Strict router (RFC 2543): it becomes the Request-URI, the remote target the last Route.
      requestUri = formatUri({ ...first.uri, headers: new Map() });
      routes = [...routes.slice(1), `<${spec.remoteTarget}>`];
    }
  }
  const headers = new SipHeaders();
  headers.append('Via', spec.via);
  headers.append('Max-Forwards', String(DEFAULT_MAX_FORWARDS));
  for (const r of routes) headers.append('Route', r);
  headers.append('From', spec.localParty);
  headers.append('To', spec.remoteParty);
  headers.append('Call-ID', spec.callId);
  headers.append('CSeq', `${spec.cseq} ${spec.method}`);
  if (spec.contact !== undefined) headers.append('Contact', spec.contact);
  if (spec.userAgent !== undefined) headers.append('User-Agent', spec.userAgent);
  for (const [n, v] of spec.headers ?? []) headers.append(n, v);
  const body = spec.body ?? Buffer.alloc(0);
  if (spec.contentType !== undefined && body.length > 0) headers.append('Content-Type', spec.contentType);
  const request: SipRequest = { type: 'request', method: spec.method, uri: requestUri, version: 'SIP/2.0', headers, body };
  return { request, nextHop };
}

function hopOf(uri: SipUri): NextHop {
  return { host: uri.host, port: uri.port, secure: uri.scheme === 'sips' };
}

function hopOfUri(text: string): NextHop {
  const uri = parseUri(text);
  return isParseError(uri) ? { host: '', port: undefined, secure: false } : hopOf(uri);
}
