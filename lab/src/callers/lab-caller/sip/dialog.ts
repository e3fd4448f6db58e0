/**
 * The caller's side of one dialog (RFC 3261 §12.1.2, UAC): Call-ID, our tag, the peer's tag,
 * remote target and route set taken from the 2xx, and both CSeq spaces. Builds the requests a UAC
 * sends — INVITE, in-dialog requests (§12.2.1.1, loose and strict routing), the ACK for a 2xx
 * (§13.2.2.4), CANCEL (§9.1) and out-of-dialog OPTIONS (§11) — as plain SipRequest values.
 */
import { SipHeaders, formatUri, isParseError, newBranch, parseNameAddr, parseUri, type SipRequest, type SipResponse } from 'connect-realtime-gateway';
import type { HostPort, SipTransportKind } from '../options.js';

export const MAX_FORWARDS = '70';
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE';

export interface LocalIdentity {
  transport: SipTransportKind;
  /** Our address and SIP port as the peer should reach us (Via sent-by, Contact). */
  address: string;
  port: number;
  user: string;
  displayName: string | undefined;
  userAgent: string;
}

export interface RequestOptions {
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: Buffer;
  contentType?: string;
}

export class UacDialog {
  readonly callId: string;
  readonly localTag: string;
  readonly local: LocalIdentity;
  readonly target: HostPort;
  /** Request-URI of the INVITE (and the remote target until a 2xx names one). */
  readonly requestUri: string;
  readonly fromHeader: string;
  /** To of the INVITE, without a tag. */
  readonly toBase: string;
  remoteTag: string | undefined;
  remoteTarget: string;
  routeSet: string[] = [];
  /** Highest CSeq seen in a request from the peer (§12.2.2 ordering check). */
  remoteCSeq: number | undefined;
  #cseq: number;

  constructor(p: { callId: string; localTag: string; local: LocalIdentity; target: HostPort; toUser: string; initialCSeq: number }) {
    this.callId = p.callId;
    this.localTag = p.localTag;
    this.local = p.local;
    this.target = p.target;
    const uriParam = p.local.transport === 'udp' ? '' : `;transport=${p.local.transport}`;
    this.requestUri = `sip:${p.toUser}@${p.target.host}:${p.target.port}${uriParam}`;
    this.remoteTarget = this.requestUri;
    const name = p.local.displayName === undefined ? '' : `"${p.local.displayName}" `;
    this.fromHeader = `${name}<sip:${p.local.user}@${p.local.address}>;tag=${p.localTag}`;
    this.toBase = `<sip:${p.toUser}@${p.target.host}>`;
    this.#cseq = p.initialCSeq;
  }

  get confirmed(): boolean {
    return this.remoteTag !== undefined;
  }

  get toHeader(): string {
    return this.remoteTag === undefined || this.remoteTag === '' ? this.toBase : `${this.toBase};tag=${this.remoteTag}`;
  }

  get contact(): string {
    const t = this.local.transport === 'udp' ? '' : `;transport=${this.local.transport}`;
    return `<sip:${this.local.user}@${this.local.address}:${this.local.port}${t}>`;
  }

  /** The next local CSeq number (§12.2.1.1: strictly increasing). */
  nextCSeq(): number {
    this.#cseq += 1;
    return this.#cseq;
  }

  /** §12.1.2: the 2xx fixes the peer's tag, the remote target (Contact) and the route set (Record-Route reversed). */
  confirm(res: SipResponse): void {
    const to = res.headers.get('to');
    const parsed = to === undefined ? undefined : parseNameAddr(to);
    const tag = parsed === undefined || isParseError(parsed) ? undefined : parsed.params.get('tag');
    this.remoteTag = tag ?? '';
    const contact = res.headers.get('contact');
    const c = contact === undefined ? undefined : parseNameAddr(contact);
    if (c !== undefined && !isParseError(c)) this.remoteTarget = formatUri(c.uri);
    this.routeSet = res.headers.getAll('record-route').reverse();
  }

  /** A fresh top Via (new branch, rport asked for, RFC 3581). */
  via(branch: string): string {
    return `SIP/2.0/${this.local.transport.toUpperCase()} ${this.local.address}:${this.local.port};branch=${branch};rport`;
  }

  /** The initial INVITE (or a retry of it after 401/407/422, same Call-ID and tag, new CSeq). */
  invite(cseq: number, branch: string, o: RequestOptions): SipRequest {
    const h = new SipHeaders();
    h.append('Via', this.via(branch));
    h.append('Max-Forwards', MAX_FORWARDS);
    h.append('From', this.fromHeader);
    h.append('To', this.toBase);
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${cseq} INVITE`);
    h.append('Contact', this.contact);
    h.append('User-Agent', this.local.userAgent);
    h.append('Allow', ALLOW);
    return this.#finish('INVITE', this.requestUri, h, o);
  }

  /**
   * §12.2.1.1: an in-dialog request. A loose first route (;lr) keeps the remote target as the
   * Request-URI; a strict one becomes the Request-URI and the remote target goes last.
   */
  inDialog(method: string, cseq: number, o: RequestOptions = {}, branch = newBranch()): SipRequest {
    let uri = this.remoteTarget;
    let routes = [...this.routeSet];
    const first = routes[0] === undefined ? undefined : parseNameAddr(routes[0]);
    if (first !== undefined && !isParseError(first) && !first.uri.params.has('lr')) {
      uri = formatUri({ ...first.uri, headers: new Map() });
      routes = [...routes.slice(1), `<${this.remoteTarget}>`];
    }
    const h = new SipHeaders();
    h.append('Via', this.via(branch));
    h.append('Max-Forwards', MAX_FORWARDS);
    for (const r of routes) h.append('Route', r);
    h.append('From', this.fromHeader);
    h.append('To', this.toHeader);
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${cseq} ${method}`);
    if (method === 'INVITE' || method === 'UPDATE') {
      h.append('Contact', this.contact);
      h.append('Allow', ALLOW);
    }
    h.append('User-Agent', this.local.userAgent);
    return this.#finish(method, uri, h, o);
  }

  /** §13.2.2.4: ACK for a 2xx — a new transaction, CSeq number of the INVITE, sent to the dialog's next hop. */
  ackFor2xx(inviteCSeq: number, o: RequestOptions = {}): SipRequest {
    const ack = this.inDialog('ACK', inviteCSeq, o);
    ack.headers.delete('user-agent');
    return ack;
  }

  /** §9.1: CANCEL copies Request-URI, Call-ID, To, From, CSeq number, Route and the top Via of the INVITE. */
  cancelFor(invite: SipRequest): SipRequest {
    const h = new SipHeaders();
    const copy = (name: string): void => {
      const v = invite.headers.get(name);
      if (v !== undefined) h.append(name, v);
    };
    copy('Via');
    h.append('Max-Forwards', MAX_FORWARDS);
    for (const r of invite.headers.getAll('route')) h.append('Route', r);
    copy('From');
    copy('To');
    copy('Call-ID');
    const seq = (invite.headers.get('cseq') ?? '1').trim().split(/\s+/)[0] ?? '1';
    h.append('CSeq', `${seq} CANCEL`);
    return { type: 'request', method: 'CANCEL', uri: invite.uri, version: 'SIP/2.0', headers: h, body: Buffer.alloc(0) };
  }

  /** §11: an OPTIONS outside the dialog (own Call-ID and tag). */
  outOfDialogOptions(callId: string, tag: string, branch: string): SipRequest {
    const h = new SipHeaders();
    h.append('Via', this.via(branch));
    h.append('Max-Forwards', MAX_FORWARDS);
    const name = this.local.displayName === undefined ? '' : `"${this.local.displayName}" `;
    h.append('From', `${name}<sip:${this.local.user}@${this.local.address}>;tag=${tag}`);
    h.append('To', this.toBase);
    h.append('Call-ID', callId);
    h.append('CSeq', '1 OPTIONS');
    h.append('Contact', this.contact);
    h.append('Accept', 'application/sdp');
    h.append('User-Agent', this.local.userAgent);
    return this.#finish('OPTIONS', this.requestUri, h, {});
  }

  /**
   * §8.1.2: where a request goes — the first Route, else the Request-URI. Only loopback literals
   * are used (the lab never sends elsewhere); anything else falls back to the configured target.
   */
  nextHop(req: SipRequest, isLoopback: (host: string) => boolean): HostPort {
    const route = req.headers.get('route');
    const na = route === undefined ? undefined : parseNameAddr(route);
    const uri = na !== undefined && !isParseError(na) ? na.uri : parseUri(req.uri);
    if (isParseError(uri) || !isLoopback(uri.host)) return this.target;
    const port = uri.port ?? (this.local.transport === 'tls' ? 5061 : 5060);
    return { host: uri.host, port };
  }

  #finish(method: string, uri: string, h: SipHeaders, o: RequestOptions): SipRequest {
    for (const [n, v] of o.headers ?? []) h.append(n, v);
    const body = o.body ?? Buffer.alloc(0);
    if (body.length > 0 && o.contentType !== undefined) h.append('Content-Type', o.contentType);
    return { type: 'request', method, uri, version: 'SIP/2.0', headers: h, body };
  }
}
