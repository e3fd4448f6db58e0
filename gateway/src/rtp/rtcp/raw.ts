/**
 * RTCP packets of any type we do not interpret (APP, RTPFB/PSFB feedback, XR, …) are kept as raw
 * bytes so a compound packet round-trips unchanged (pion/rtcp `RawPacket`).
 */
import { RTCP_HEADER_SIZE, writeRtcpHeader, type RtcpBody } from './common.js';

export interface RtcpRawPacket {
  type: 'raw';
  packetType: number;
  /** The 5-bit count/subtype field. */
  count: number;
  /** Body after the common header, padding removed; a multiple of 4 bytes when serialised. */
  body: Uint8Array;
}

export function parseRawPacket({ count, packetType, body }: RtcpBody): RtcpRawPacket {
  return { type: 'raw', packetType, count, body };
}

/** NOTE: must match writeRawPacket. */
export function rawPacketSize(p: RtcpRawPacket): number {
  return RTCP_HEADER_SIZE + p.body.length;
}

export function writeRawPacket(p: RtcpRawPacket, out: Uint8Array, o: number): number {
  if (p.body.length % 4 !== 0) throw new RangeError('raw RTCP body must be 32-bit aligned');
  const size = rawPacketSize(p);
  writeRtcpHeader(out, o, p.count, p.packetType, size);
  out.set(p.body, o + RTCP_HEADER_SIZE);
  return size;
}
