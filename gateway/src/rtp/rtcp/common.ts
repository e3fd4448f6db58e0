/**
 * RTCP common header, RFC 3550 §6.4.1 (every RTCP packet starts with it):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |V=2|P|  count  |      PT       |             length            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * `count` is RC (report blocks), SC (SDES chunks / BYE sources) or a subtype, by PT. `length` is the
 * packet size in 32-bit words minus one, header and padding included.
 */
import { RTP_VERSION, VERSION_SHIFT, writeU16 } from '../packet/rtp-header.js';

export const RTCP_HEADER_SIZE = 4;
export const RTCP_PT_SR = 200;
export const RTCP_PT_RR = 201;
export const RTCP_PT_SDES = 202;
export const RTCP_PT_BYE = 203;
export const RTCP_PT_APP = 204;
export const RTCP_COUNT_MASK = 0x1f;
export const RTCP_PADDING_BIT = 0x20;
/** RFC 5761 §4: on a muxed port, second octets 192..223 are RTCP packet types, never RTP. */
export const RTCP_MUX_PT_MIN = 192;
export const RTCP_MUX_PT_MAX = 223;

/** What a packet-type parser receives: the packet's body (after the 4-byte header, padding removed). */
export interface RtcpBody {
  count: number;
  packetType: number;
  body: Uint8Array;
}

/** Writes a common header at `o` for a packet of `size` bytes (a multiple of 4). */
export function writeRtcpHeader(out: Uint8Array, o: number, count: number, packetType: number, size: number): void {
  out[o] = (RTP_VERSION << VERSION_SHIFT) | (count & RTCP_COUNT_MASK);
  out[o + 1] = packetType & 0xff;
  writeU16(out, o + 2, size / 4 - 1);
}

/** Rounds up to the next multiple of 4 (RTCP packets are 32-bit aligned). */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** True when a datagram on a muxed RTP/RTCP port is RTCP (RFC 5761 §4). */
export function isRtcpOnMuxedPort(buf: Uint8Array): boolean {
  const pt = buf.length > 1 ? (buf[1] as number) : 0;
  return pt >= RTCP_MUX_PT_MIN && pt <= RTCP_MUX_PT_MAX;
}
