/**
 * The RTCP compound the caller sends (RFC 3550 §6.4.1, §6.5): a Sender Report with at most one
 * report block, then SDES with our CNAME. Pure byte writing, one Buffer per report (every few
 * seconds, off the per-packet path).
 *
 *   SR:   |V=2|P|RC|  PT=200  |   length    |  SSRC of sender
 *         | NTP timestamp (64) | RTP timestamp | sender's packet count | sender's octet count
 *         | report block: SSRC | fraction lost(8) cumulative lost(24) | ext. highest seq
 *         |               jitter | LSR | DLSR
 *   SDES: |V=2|P|SC=1| PT=202 |   length    |  SSRC | CNAME=1 | len | text | END padding
 */
import type { ReportBlock } from './receive-stats.js';

const PT_SR = 200;
const PT_SDES = 202;
const SDES_CNAME = 1;
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

export interface SenderInfo {
  ssrc: number;
  /** Wall clock, ms since the Unix epoch. */
  wallMs: number;
  rtpTimestamp: number;
  packets: number;
  octets: number;
}

export function buildSenderReport(s: SenderInfo, block: ReportBlock | undefined, cname: string): Buffer {
  const srLen = 28 + (block === undefined ? 0 : 24);
  const cnameBytes = Buffer.from(cname, 'utf8').subarray(0, 255);
  // SDES chunk: SSRC, item (type, length, text), END (0) and padding to a 32-bit boundary.
  const chunk = 4 + 2 + cnameBytes.length + 1;
  const sdesLen = 4 + Math.ceil(chunk / 4) * 4;
  const out = Buffer.alloc(srLen + sdesLen);

  out[0] = 0x80 | (block === undefined ? 0 : 1);
  out[1] = PT_SR;
  out.writeUInt16BE(srLen / 4 - 1, 2);
  out.writeUInt32BE(s.ssrc >>> 0, 4);
  const seconds = Math.floor(s.wallMs / 1000) + NTP_UNIX_OFFSET_S;
  const fraction = Math.floor(((s.wallMs % 1000) / 1000) * 2 ** 32);
  out.writeUInt32BE(seconds >>> 0, 8);
  out.writeUInt32BE(fraction >>> 0, 12);
  out.writeUInt32BE(s.rtpTimestamp >>> 0, 16);
  out.writeUInt32BE(s.packets >>> 0, 20);
  out.writeUInt32BE(s.octets >>> 0, 24);
  if (block !== undefined) {
    out.writeUInt32BE(block.ssrc >>> 0, 28);
    out[32] = block.fractionLost & 0xff;
    out.writeIntBE(block.cumulativeLost, 33, 3);
    out.writeUInt32BE(block.extendedHighestSeq >>> 0, 36);
    out.writeUInt32BE(block.jitter >>> 0, 40);
    out.writeUInt32BE(block.lsr >>> 0, 44);
    out.writeUInt32BE(block.dlsr >>> 0, 48);
  }

  const o = srLen;
  out[o] = 0x81;
  out[o + 1] = PT_SDES;
  out.writeUInt16BE(sdesLen / 4 - 1, o + 2);
  out.writeUInt32BE(s.ssrc >>> 0, o + 4);
  out[o + 8] = SDES_CNAME;
  out[o + 9] = cnameBytes.length;
  cnameBytes.copy(out, o + 10);
  return out;
}

/**
 * From a received compound, the NTP middle 32 bits of its first packet when that is an SR
 * (RFC 3550 §6.4.1 LSR), else undefined. Never throws on short input.
 */
export function senderReportNtpMiddle(packet: Uint8Array): number | undefined {
  if (packet.length < 28 || packet[1] !== PT_SR || (packet[0]! >> 6) !== 2) return undefined;
  return ((packet[10]! << 24) | (packet[11]! << 16) | (packet[12]! << 8) | packet[13]!) >>> 0;
}
