/**
 * RTCP report blocks read off the wire (RFC 3550 §6.4.1/§6.4.2), written here from the RFC and
 * independent of the gateway's own RTCP code, so a report states what the gateway told its peer.
 */
export interface WireReportBlock {
  /** SSRC of the RTCP packet's sender. */
  reporter: number;
  /** SSRC the block is about. */
  source: number;
  fractionLost: number;
  cumulativeLost: number;
  highestSeq: number;
  /** Interarrival jitter, timestamp units. */
  jitter: number;
}

/** Report blocks of every SR (PT 200) and RR (PT 201) in a compound packet; malformed input yields what parsed. */
export function reportBlocks(packet: Uint8Array): WireReportBlock[] {
  const out: WireReportBlock[] = [];
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  let off = 0;
  while (off + 8 <= packet.length) {
    const b0 = packet[off]!;
    if (b0 >> 6 !== 2) break;
    const count = b0 & 0x1f;
    const pt = packet[off + 1]!;
    const length = 4 * (view.getUint16(off + 2) + 1);
    if (off + length > packet.length) break;
    const reporter = view.getUint32(off + 4);
    const first = pt === 200 ? off + 28 : pt === 201 ? off + 8 : -1;
    if (first >= 0) {
      for (let i = 0; i < count && first + 24 * (i + 1) <= off + length; i++) {
        const at = first + 24 * i;
        const lostField = view.getUint32(at + 4);
        const cumulative = lostField & 0xffffff;
        out.push({
          reporter,
          source: view.getUint32(at),
          fractionLost: (lostField >>> 24) / 256,
          // 24-bit signed (duplicates can make it negative).
          cumulativeLost: cumulative & 0x800000 ? cumulative - 0x1000000 : cumulative,
          highestSeq: view.getUint32(at + 8),
          jitter: view.getUint32(at + 12),
        });
      }
    }
    off += length;
  }
  return out;
}
