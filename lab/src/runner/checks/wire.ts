import type { RtpRecord } from '../../netem/media-relay.js';
import type { SipRecord } from '../../netem/sip-alg.js';

/** Helpers over the wire records shared by several checks. */

export function rtpPackets(records: RtpRecord[], dir: RtpRecord['dir'], fate: RtpRecord['fate'] | 'any' = 'forwarded'): RtpRecord[] {
  return records.filter((r) => !r.rtcp && r.dir === dir && (fate === 'any' || r.fate === fate) && r.seq !== undefined);
}

export function isRequest(rec: SipRecord, method: string): boolean {
  return rec.firstLine.startsWith(`${method} `);
}

export function isResponse(rec: SipRecord, status: number, method: string): boolean {
  return rec.firstLine.startsWith(`SIP/2.0 ${status} `) && (rec.cseq ?? '').toUpperCase().endsWith(` ${method}`);
}

/** First BYE sent by the caller (towards the gateway) and the gateway's final answer to it. */
export function callerBye(sip: SipRecord[]): { bye?: SipRecord; answer?: SipRecord } {
  const bye = sip.find((r) => r.dir === 'toGateway' && isRequest(r, 'BYE'));
  if (!bye) return {};
  const answer = sip.find((r) => r.dir === 'toCaller' && r.t >= bye.t && /^SIP\/2\.0 [2-6]\d\d /.test(r.firstLine) && (r.cseq ?? '').toUpperCase().endsWith(' BYE'));
  return answer ? { bye, answer } : { bye };
}

/** Concatenated payloads of forwarded packets in sequence order (handles 16-bit wrap, reordering, duplicates). */
export function payloadInSeqOrder(packets: RtpRecord[], pt?: number): Buffer {
  const chosen = packets.filter((p) => p.payload && (pt === undefined || p.pt === pt));
  // Extend each 16-bit number to the one closest to the previous packet's (signed 16-bit distance),
  // so a packet from before a wrap that arrives after one from after it still sorts before it.
  let prev: number | undefined;
  const keyed = chosen.map((p) => {
    const seq = p.seq!;
    const ext = prev === undefined ? seq : prev + ((((seq - prev) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    prev = ext;
    return { key: ext, payload: p.payload! };
  });
  keyed.sort((a, b) => a.key - b.key);
  const seen = new Set<number>();
  return Buffer.concat(keyed.filter((k) => (seen.has(k.key) ? false : (seen.add(k.key), true))).map((k) => k.payload));
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}
