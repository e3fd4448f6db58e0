/**
 * The requests a UAC owes after sending an INVITE (RFC 3261 §17.1.1.3, §13.2.2.4, §15.1.1, §9.1),
 * built from the INVITE as sent and the response received, with the gateway's own message codec.
 * Pure: no sockets, no clock. Input that cannot yield a well-formed request is returned as a
 * reason, never thrown: the wire suites feed this with corpus messages.
 */
import {
  SipHeaders,
  formatUri,
  isParseError,
  newBranch,
  newCallId,
  newTag,
  parseCSeq,
  parseNameAddr,
  type SipRequest,
  type SipResponse,
} from 'connect-realtime-gateway';
import type { Endpoint } from './loopback.js';

export type BuildResult = { ok: true; request: SipRequest } | { ok: false; reason: string };

/**
 * Branch prefix of every request this module builds (cookie + "lab"): replies to them can be told
 * from replies to corpus messages, even when a corpus message carries our own address in its Via.
 */
export const OWN_BRANCH_PREFIX = 'z9hG4bKlab';

/** A fresh branch with our prefix (RFC 3261 §8.1.1.7: cookie first, unique). */
export function ownBranch(): string {
  return `${OWN_BRANCH_PREFIX}${newBranch().slice('z9hG4bK'.length)}`;
}

/** Our top Via: we always ask for rport (RFC 3581), so replies come back to the sending socket. */
export function localVia(local: Endpoint, transport: 'UDP' | 'TCP' = 'UDP', branch: string = ownBranch()): string {
  return `SIP/2.0/${transport} ${local.host}:${local.port};branch=${branch};rport`;
}

function request(method: string, uri: string, headers: SipHeaders, body: Buffer = Buffer.alloc(0)): SipRequest {
  return { type: 'request', method, uri, version: 'SIP/2.0', headers, body };
}

/** The INVITE's Call-ID and CSeq number, shared by every request below. */
function inviteIds(invite: SipRequest): { callId: string; seq: number; from: string; to: string } | string {
  const callId = invite.headers.get('Call-ID');
  const cseqRaw = invite.headers.get('CSeq');
  const from = invite.headers.get('From');
  const to = invite.headers.get('To');
  if (callId === undefined || cseqRaw === undefined || from === undefined || to === undefined) return 'INVITE lacks Call-ID, CSeq, From or To';
  const cseq = parseCSeq(cseqRaw);
  if (isParseError(cseq)) return `INVITE CSeq unparseable: ${cseq.reason}`;
  return { callId: callId.trim(), seq: cseq.seq, from, to };
}

/**
 * ACK for a non-2xx final response (§17.1.1.3): part of the INVITE transaction, so Request-URI,
 * Call-ID, From, CSeq number and the top Via are the INVITE's (the server matches it by them, by
 * the whole top Via for an RFC 2543 peer); To is the response's, with its tag.
 */
export function ackForFailure(invite: SipRequest, res: SipResponse): BuildResult {
  const ids = inviteIds(invite);
  if (typeof ids === 'string') return { ok: false, reason: ids };
  const topVia = invite.headers.getAll('Via')[0];
  const to = res.headers.get('To');
  if (topVia === undefined || to === undefined) return { ok: false, reason: 'no top Via in the INVITE or no To in the response' };
  const h = new SipHeaders([
    ['Via', topVia],
    ['Max-Forwards', '70'],
    ['From', ids.from],
    ['To', to],
    ['Call-ID', ids.callId],
    ['CSeq', `${ids.seq} ACK`],
  ]);
  for (const route of invite.headers.getAll('Route')) h.append('Route', route);
  return { ok: true, request: request('ACK', invite.uri, h) };
}

/**
 * The dialog a 2xx created, seen from the UAC (§12.1.2): remote target = the response's Contact,
 * route set = its Record-Route reversed, remote tag in its To.
 */
function dialogOf(invite: SipRequest, res: SipResponse): { target: string; routes: string[]; to: string; from: string; callId: string; seq: number } | string {
  const ids = inviteIds(invite);
  if (typeof ids === 'string') return ids;
  const contact = res.headers.get('Contact');
  const to = res.headers.get('To');
  if (contact === undefined || to === undefined) return '2xx lacks Contact or To';
  const target = parseNameAddr(contact);
  if (isParseError(target)) return `2xx Contact unparseable: ${target.reason}`;
  return { target: formatUri(target.uri), routes: res.headers.getAll('Record-Route').reverse(), to, from: ids.from, callId: ids.callId, seq: ids.seq };
}

function inDialog(method: string, seq: number, invite: SipRequest, res: SipResponse, local: Endpoint): BuildResult {
  const d = dialogOf(invite, res);
  if (typeof d === 'string') return { ok: false, reason: d };
  const h = new SipHeaders([
    ['Via', localVia(local)],
    ['Max-Forwards', '70'],
    ['From', d.from],
    ['To', d.to],
    ['Call-ID', d.callId],
    ['CSeq', `${seq} ${method}`],
  ]);
  for (const route of d.routes) h.append('Route', route);
  return { ok: true, request: request(method, d.target, h) };
}

/** ACK for a 2xx (§13.2.2.4): a transaction of its own (new branch), CSeq number of the INVITE. */
export function ackForSuccess(invite: SipRequest, res: SipResponse, local: Endpoint): BuildResult {
  const ids = inviteIds(invite);
  return typeof ids === 'string' ? { ok: false, reason: ids } : inDialog('ACK', ids.seq, invite, res, local);
}

/** BYE ending the dialog a 2xx created (§15.1.1), CSeq one above the INVITE's. */
export function byeForSuccess(invite: SipRequest, res: SipResponse, local: Endpoint): BuildResult {
  const ids = inviteIds(invite);
  return typeof ids === 'string' ? { ok: false, reason: ids } : inDialog('BYE', ids.seq + 1, invite, res, local);
}

/**
 * CANCEL for a pending INVITE (§9.1): Request-URI, Call-ID, From, To, CSeq number and the top Via
 * (same branch) are the INVITE's, so the server matches it to the INVITE transaction.
 */
export function cancelFor(invite: SipRequest): BuildResult {
  const ids = inviteIds(invite);
  if (typeof ids === 'string') return { ok: false, reason: ids };
  const topVia = invite.headers.getAll('Via')[0];
  if (topVia === undefined) return { ok: false, reason: 'INVITE has no Via' };
  const h = new SipHeaders([
    ['Via', topVia],
    ['Max-Forwards', '70'],
    ['From', ids.from],
    ['To', ids.to],
    ['Call-ID', ids.callId],
    ['CSeq', `${ids.seq} CANCEL`],
  ]);
  for (const route of invite.headers.getAll('Route')) h.append('Route', route);
  return { ok: true, request: request('CANCEL', invite.uri, h) };
}

/** An out-of-dialog OPTIONS to `target` (a liveness probe, §11). */
export function optionsTo(target: Endpoint, local: Endpoint, transport: 'UDP' | 'TCP' = 'UDP'): SipRequest {
  const uri = `sip:${target.host}:${target.port}`;
  const h = new SipHeaders([
    ['Via', localVia(local, transport)],
    ['Max-Forwards', '70'],
    ['From', `<sip:probe@${local.host}>;tag=${newTag()}`],
    ['To', `<${uri}>`],
    ['Call-ID', newCallId(local.host)],
    ['CSeq', '1 OPTIONS'],
    ['Accept', 'application/sdp'],
  ]);
  return request('OPTIONS', uri, h);
}
