/**
 * Goodbye (BYE), RFC 3550 §6.6:
 *
 *  |V=2|P|    SC   |   PT=BYE=203  |             length            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           SSRC/CSRC                           |
 *  |                              ...                              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     length    |               reason for leaving            ... (opt)
 *
 * The optional reason is padded with zeros to a 32-bit boundary.
 */
import { WIRE_ERRORS, type RtpWireError } from '../errors.js';
import { readU32, writeU32 } from '../packet/rtp-header.js';
import { RTCP_COUNT_MASK, RTCP_HEADER_SIZE, RTCP_PT_BYE, align4, writeRtcpHeader, type RtcpBody } from './common.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export interface RtcpGoodbye {
  type: 'bye';
  sources: number[];
  reason: string | undefined;
}

export function parseGoodbye({ count, body }: RtcpBody): RtcpGoodbye | RtpWireError {
  if (body.length < count * 4) return WIRE_ERRORS.RTCP_ERR_TRUNCATED;
  const sources: number[] = [];
  for (let i = 0; i < count; i++) sources.push(readU32(body, i * 4));
  let reason: string | undefined;
  const o = count * 4;
  if (o < body.length) {
    const len = body[o] as number;
    if (o + 1 + len > body.length) return WIRE_ERRORS.RTCP_ERR_TRUNCATED;
    reason = decoder.decode(body.subarray(o + 1, o + 1 + len));
  }
  return { type: 'bye', sources, reason };
}

/** NOTE: must match writeGoodbye. */
export function goodbyeSize(p: RtcpGoodbye): number {
  const reasonBytes = p.reason === undefined ? 0 : align4(1 + encoder.encode(p.reason).length);
  return RTCP_HEADER_SIZE + p.sources.length * 4 + reasonBytes;
}

export function writeGoodbye(p: RtcpGoodbye, out: Uint8Array, o: number): number {
  if (p.sources.length > RTCP_COUNT_MASK) throw new RangeError(`at most ${RTCP_COUNT_MASK} BYE sources`);
  const size = goodbyeSize(p);
  writeRtcpHeader(out, o, p.sources.length, RTCP_PT_BYE, size);
  let w = o + RTCP_HEADER_SIZE;
  for (const s of p.sources) {
    writeU32(out, w, s);
    w += 4;
  }
  if (p.reason !== undefined) {
    const text = encoder.encode(p.reason);
    if (text.length > 255) throw new RangeError('BYE reason longer than 255 bytes');
    out[w] = text.length;
    out.set(text, w + 1);
    out.fill(0, w + 1 + text.length, o + size);
  }
  return size;
}
