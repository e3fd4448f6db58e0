/**
 * Compound RTCP packets (RFC 3550 §6.1): several RTCP packets back to back in one datagram, each with
 * its own common header. Parsing walks the length fields; a packet type we do not interpret becomes a
 * `raw` arm instead of an error. Validity checks follow Appendix A.2 except that we do not insist on
 * SR/RR first (a lone BYE from a sloppy peer is still worth reading).
 */
import { WIRE_ERRORS, type RtpWireError } from '../errors.js';
import { RTP_VERSION, VERSION_SHIFT, readU16 } from '../packet/rtp-header.js';
import {
  RTCP_COUNT_MASK,
  RTCP_HEADER_SIZE,
  RTCP_PADDING_BIT,
  RTCP_PT_BYE,
  RTCP_PT_RR,
  RTCP_PT_SDES,
  RTCP_PT_SR,
  type RtcpBody,
} from './common.js';
import { goodbyeSize, parseGoodbye, writeGoodbye, type RtcpGoodbye } from './goodbye.js';
import { parseRawPacket, rawPacketSize, writeRawPacket, type RtcpRawPacket } from './raw.js';
import { parseReceiverReport, receiverReportSize, writeReceiverReport, type RtcpReceiverReport } from './receiver-report.js';
import { parseSenderReport, senderReportSize, writeSenderReport, type RtcpSenderReport } from './sender-report.js';
import {
  parseSourceDescription,
  sourceDescriptionSize,
  writeSourceDescription,
  type RtcpSourceDescription,
} from './source-description.js';

export type RtcpPacket = RtcpSenderReport | RtcpReceiverReport | RtcpSourceDescription | RtcpGoodbye | RtcpRawPacket;

function parseOne(b: RtcpBody): RtcpPacket | RtpWireError {
  switch (b.packetType) {
    case RTCP_PT_SR:
      return parseSenderReport(b);
    case RTCP_PT_RR:
      return parseReceiverReport(b);
    case RTCP_PT_SDES:
      return parseSourceDescription(b);
    case RTCP_PT_BYE:
      return parseGoodbye(b);
    default:
      return parseRawPacket(b);
  }
}

/** Parses a (compound) RTCP datagram. Bodies are views into `buf`. */
export function parseRtcp(buf: Uint8Array): RtcpPacket[] | RtpWireError {
  if (buf.length < RTCP_HEADER_SIZE) return WIRE_ERRORS.RTP_ERR_SHORT;
  const packets: RtcpPacket[] = [];
  let o = 0;
  // Each pass advances by >= 4 bytes, so at most buf.length / 4 passes.
  while (o < buf.length) {
    if (o + RTCP_HEADER_SIZE > buf.length) return WIRE_ERRORS.RTCP_ERR_LENGTH;
    const b0 = buf[o] as number;
    if (b0 >>> VERSION_SHIFT !== RTP_VERSION) return WIRE_ERRORS.RTP_ERR_VERSION;
    const size = (readU16(buf, o + 2) + 1) * 4;
    if (o + size > buf.length) return WIRE_ERRORS.RTCP_ERR_LENGTH;
    let end = o + size;
    if (b0 & RTCP_PADDING_BIT) {
      const pad = buf[end - 1] as number;
      if (pad === 0 || pad > size - RTCP_HEADER_SIZE) return WIRE_ERRORS.RTP_ERR_PADDING;
      end -= pad;
    }
    const parsed = parseOne({
      count: b0 & RTCP_COUNT_MASK,
      packetType: buf[o + 1] as number,
      body: buf.subarray(o + RTCP_HEADER_SIZE, end),
    });
    if ('kind' in parsed) return parsed;
    packets.push(parsed);
    o += size;
  }
  return packets;
}

/** Size of one packet as `serializeRtcp` writes it. */
export function rtcpPacketSize(p: RtcpPacket): number {
  switch (p.type) {
    case 'sr':
      return senderReportSize(p);
    case 'rr':
      return receiverReportSize(p);
    case 'sdes':
      return sourceDescriptionSize(p);
    case 'bye':
      return goodbyeSize(p);
    case 'raw':
      return rawPacketSize(p);
  }
}

/** NOTE: must match serializeRtcp. */
export function rtcpSize(packets: readonly RtcpPacket[]): number {
  let n = 0;
  for (const p of packets) n += rtcpPacketSize(p);
  return n;
}

function writeOne(p: RtcpPacket, out: Uint8Array, o: number): number {
  switch (p.type) {
    case 'sr':
      return writeSenderReport(p, out, o);
    case 'rr':
      return writeReceiverReport(p, out, o);
    case 'sdes':
      return writeSourceDescription(p, out, o);
    case 'bye':
      return writeGoodbye(p, out, o);
    case 'raw':
      return writeRawPacket(p, out, o);
  }
}

/** Writes a compound packet into `out` (or a new buffer); returns the written bytes. No padding. */
export function serializeRtcp(packets: readonly RtcpPacket[], out?: Uint8Array): Uint8Array {
  const size = rtcpSize(packets);
  const buf = out ?? new Uint8Array(size);
  if (buf.length < size) throw new RangeError(`output buffer ${buf.length} < ${size} bytes`);
  let o = 0;
  for (const p of packets) o += writeOne(p, buf, o);
  return buf.subarray(0, o);
}
