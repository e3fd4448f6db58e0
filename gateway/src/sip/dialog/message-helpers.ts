import { formatUri, isParseError, parseNameAddr, type SipRequest, type SipResponse } from '../message/index.js';
import { formatSessionExpires, type ActiveSessionTimer, type UasSessionTimerDecision } from '../session-timer.js';

/** Small readers/writers of dialog-relevant header fields, shared by IncomingCall and Dialog. */

/** The Contact URI of a request or response (the remote target, RFC 3261 §12.1.1 / §12.2.2). */
export function contactTarget(msg: SipRequest | SipResponse): string | undefined {
  const raw = msg.headers.get('Contact');
  if (raw === undefined) return undefined;
  const na = parseNameAddr(raw);
  return isParseError(na) ? undefined : formatUri(na.uri);
}

export function isSdp(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0]?.trim().toLowerCase() === 'application/sdp';
}

export function sdpOf(req: SipRequest): string | undefined {
  return req.body.length > 0 && isSdp(req.headers.get('Content-Type')) ? req.body.toString('utf8') : undefined;
}

export function sessionHeaders(st: UasSessionTimerDecision): Array<[string, string]> {
  if (st.kind !== 'use') return [];
  const h: Array<[string, string]> = [['Session-Expires', formatSessionExpires(st.intervalS, st.refresher)]];
  if (st.requireTimer) h.push(['Require', 'timer']);
  return h;
}

export function activeFrom(st: UasSessionTimerDecision): ActiveSessionTimer | undefined {
  return st.kind === 'use' ? { intervalS: st.intervalS, weRefresh: st.weRefresh } : undefined;
}

