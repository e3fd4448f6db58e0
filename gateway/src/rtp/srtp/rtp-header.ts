/**
 * Just enough RFC 3550 §5.1 header parsing for SRTP: where the payload starts. The header (with
 * CSRCs and the extension) is authenticated but not encrypted (RFC 3711 §3.1).
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *    |                           timestamp                           |
 *    |           synchronization source (SSRC) identifier            |
 *    |            contributing source (CSRC) identifiers (CC)        |
 *    |   defined by profile (X=1)    |           length (words)      |
 *    |                        header extension                       |
 */
export const RTP_FIXED_HEADER = 12;
export const RTP_SEQ_OFFSET = 2;
export const RTP_SSRC_OFFSET = 8;
const VERSION_SHIFT = 6;
const EXTENSION_BIT = 0x10;
const CC_MASK = 0x0f;

/** RTCP common header (RFC 3550 §6.4.1): V/P/RC, PT, length, then the sender SSRC. */
export const RTCP_FIXED_HEADER = 8;
export const RTCP_SSRC_OFFSET = 4;

/** True when the first byte carries version 2 (RTP and RTCP alike). */
export function isVersion2(packet: Uint8Array): boolean {
  return packet.length > 0 && (packet[0] as number) >> VERSION_SHIFT === 2;
}

/**
 * Length of the RTP header of `packet` when the packet's authenticated part ends at `end`
 * (before any MKI and tag), or -1 if the CSRC list or extension overrun it.
 */
export function rtpHeaderLength(packet: Uint8Array, end: number): number {
  if (end < RTP_FIXED_HEADER) return -1;
  const b0 = packet[0] as number;
  let len = RTP_FIXED_HEADER + 4 * (b0 & CC_MASK);
  if ((b0 & EXTENSION_BIT) !== 0) {
    if (len + 4 > end) return -1;
    const words = ((packet[len + 2] as number) << 8) | (packet[len + 3] as number);
    len += 4 + 4 * words;
  }
  return len <= end ? len : -1;
}

export function readUint32(b: Uint8Array, o: number): number {
  return (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
}

export function writeUint32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
