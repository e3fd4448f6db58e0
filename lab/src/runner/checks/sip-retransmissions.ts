import type { SipRecord } from '../../netem/sip-alg.js';
import type { CheckResult } from '../evidence.js';

export interface RetransmissionSpec {
  status: number;
  method: string;
  /** Copies of one response (first transmission included) the wire must show. */
  minCopies: number;
}

/**
 * RFC 3261 §13.3.1.4 / §17.2: a retransmitted response is the message first sent, byte for byte —
 * peers such as SIPp recognise retransmissions by comparing them with the copy they already have.
 * Judged on the gateway's own bytes as the lab tap received them (sip.log), per transaction
 * (Call-ID + CSeq): every copy must equal the first, and at least one transaction must have been
 * retransmitted `minCopies` times in all, so the check cannot pass on a call that never retransmitted.
 */
export function checkRetransmissionsIdentical(name: string, spec: RetransmissionSpec, sip: readonly SipRecord[]): CheckResult {
  const copies = new Map<string, SipRecord[]>();
  for (const r of sip) {
    if (r.dir !== 'toCaller' || !r.firstLine.startsWith(`SIP/2.0 ${spec.status} `)) continue;
    if (!(r.cseq ?? '').toUpperCase().endsWith(` ${spec.method}`)) continue;
    const key = `${r.callId ?? ''}|${r.cseq ?? ''}`;
    copies.set(key, [...(copies.get(key) ?? []), r]);
  }
  const limit = `>= ${spec.minCopies} copies of a ${spec.status} to ${spec.method}, all identical to the first`;
  const most = Math.max(0, ...[...copies.values()].map((c) => c.length));
  for (const [key, list] of copies) {
    const first = list[0] as SipRecord;
    const index = list.findIndex((r) => r.raw !== first.raw);
    if (index >= 0) {
      return { name, passed: false, value: `copy ${index + 1} of ${list.length} differs (CSeq ${key.split('|')[1]})`, limit, detail: lineDiff(first.raw, (list[index] as SipRecord).raw) };
    }
  }
  return { name, passed: most >= spec.minCopies, value: `${most} identical copies`, limit };
}

/** Header lines only one of the two messages has, for the report. */
function lineDiff(first: string, other: string): string {
  const a = first.split('\r\n');
  const b = other.split('\r\n');
  const onlyFirst = a.filter((l) => !b.includes(l));
  const onlyOther = b.filter((l) => !a.includes(l));
  return `first only: ${JSON.stringify(onlyFirst).slice(0, 200)}; retransmission only: ${JSON.stringify(onlyOther).slice(0, 200)}`;
}
