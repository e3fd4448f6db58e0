import type { CSeq, SipRequest, SipResponse, Via } from '../message/index.js';
import { BRANCH_MAGIC_COOKIE, isParseError, parseCSeq, parseNameAddr, parseVia } from '../message/index.js';

/** The fields transaction and dialog matching need, parsed once per inbound request. */
export interface RequestIds {
  topVia: Via;
  /** The top Via header value as written (RFC 2543 matching compares it whole). */
  topViaRaw: string;
  callId: string;
  fromTag: string | undefined;
  toTag: string | undefined;
  cseq: CSeq;
}

export function requestIds(req: SipRequest): RequestIds | undefined {
  const topViaRaw = req.headers.getAll('Via')[0];
  const callId = req.headers.get('Call-ID');
  const cseqRaw = req.headers.get('CSeq');
  const fromRaw = req.headers.get('From');
  const toRaw = req.headers.get('To');
  if (topViaRaw === undefined || callId === undefined || cseqRaw === undefined || fromRaw === undefined || toRaw === undefined) {
    return undefined;
  }
  const vias = parseVia(topViaRaw);
  const cseq = parseCSeq(cseqRaw);
  const from = parseNameAddr(fromRaw);
  const to = parseNameAddr(toRaw);
  if (isParseError(vias) || isParseError(cseq) || isParseError(from) || isParseError(to)) return undefined;
  const topVia = vias[0];
  if (topVia === undefined) return undefined;
  return {
    topVia,
    topViaRaw: topViaRaw.trim(),
    callId: callId.trim(),
    fromTag: tagOf(from.params),
    toTag: tagOf(to.params),
    cseq,
  };
}

function tagOf(params: Map<string, string | null>): string | undefined {
  const tag = params.get('tag');
  return tag === null || tag === undefined || tag === '' ? undefined : tag;
}

/**
 * Was the request built by an RFC 3261 element (§8.1.1.7, §17.2.3)? Then its branch is unique and
 * alone identifies the transaction: no looser RFC 2543 matching may be applied to it.
 */
export function hasMagicCookie(topVia: Via): boolean {
  const branch = topVia.params.get('branch');
  return typeof branch === 'string' && branch.startsWith(BRANCH_MAGIC_COOKIE);
}

/**
 * Server transaction key (RFC 3261 §17.2.3). With the magic cookie: branch + sent-by + method, where
 * ACK maps to INVITE so an ACK for a non-2xx finds its INVITE transaction. Without it (RFC 2543
 * peers): Request-URI, From tag, Call-ID, CSeq number and top Via, plus the method; the To tag is
 * left out so the ACK (which carries our tag) and the INVITE (which did not) still meet.
 * `asMethod` lets CANCEL look up the INVITE it cancels (§9.2).
 */
export function serverTransactionKey(req: SipRequest, ids: RequestIds, asMethod?: string): string {
  const method = asMethod ?? (req.method === 'ACK' ? 'INVITE' : req.method);
  const branch = ids.topVia.params.get('branch');
  if (typeof branch === 'string' && branch.startsWith(BRANCH_MAGIC_COOKIE)) {
    const sentBy = `${ids.topVia.host.toLowerCase()}:${ids.topVia.port ?? ''}`;
    return `3261|${branch}|${sentBy}|${method}`;
  }
  return `2543|${req.uri}|${ids.fromTag ?? ''}|${ids.callId}|${ids.cseq.seq}|${ids.topViaRaw}|${method}`;
}

/** Client transaction key (RFC 3261 §17.1.3): our branch in the top Via + the CSeq method. */
export function clientTransactionKey(branch: string, method: string): string {
  return `${branch}|${method === 'ACK' ? 'INVITE' : method}`;
}

export function responseClientKey(res: SipResponse): string | undefined {
  const topViaRaw = res.headers.getAll('Via')[0];
  const cseqRaw = res.headers.get('CSeq');
  if (topViaRaw === undefined || cseqRaw === undefined) return undefined;
  const vias = parseVia(topViaRaw);
  const cseq = parseCSeq(cseqRaw);
  if (isParseError(vias) || isParseError(cseq)) return undefined;
  const branch = vias[0]?.params.get('branch');
  if (typeof branch !== 'string') return undefined;
  return clientTransactionKey(branch, cseq.method);
}
