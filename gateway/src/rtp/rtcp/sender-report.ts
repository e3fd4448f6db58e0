/**
 * Sender report (SR), RFC 3550 §6.4.1:
 *
 *  |V=2|P|    RC   |   PT=SR=200   |             length            |  header
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         SSRC of sender                        |
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *  |              NTP timestamp, most significant word             |  sender
 *  |             NTP timestamp, least significant word             |  info
 *  |                         RTP timestamp                         |
 *  |                     sender's packet count                     |
 *  |                      sender's octet count                     |
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *  |                 report blocks (RC x 24 bytes)                 |
 *  |                  profile-specific extensions                  |
 */
import { WIRE_ERRORS, type RtpWireError } from '../errors.js';
import { readU32, writeU32 } from '../packet/rtp-header.js';
import { RTCP_HEADER_SIZE, RTCP_PT_SR, writeRtcpHeader, type RtcpBody } from './common.js';
import { MAX_REPORT_BLOCKS, REPORT_BLOCK_SIZE, parseReportBlock, writeReportBlock, type RtcpReportBlock } from './report-block.js';

const SR_FIXED_BODY = 24; // SSRC + 20 bytes of sender info

export interface RtcpSenderReport {
  type: 'sr';
  ssrc: number;
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: RtcpReportBlock[];
  /** Profile-specific extension bytes after the report blocks (usually empty). */
  profileExtension: Uint8Array;
}

export function parseSenderReport({ count, body }: RtcpBody): RtcpSenderReport | RtpWireError {
  if (body.length < SR_FIXED_BODY + count * REPORT_BLOCK_SIZE) return WIRE_ERRORS.RTCP_ERR_TRUNCATED;
  const reports: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++) reports.push(parseReportBlock(body, SR_FIXED_BODY + i * REPORT_BLOCK_SIZE));
  return {
    type: 'sr',
    ssrc: readU32(body, 0),
    ntpSeconds: readU32(body, 4),
    ntpFraction: readU32(body, 8),
    rtpTimestamp: readU32(body, 12),
    packetCount: readU32(body, 16),
    octetCount: readU32(body, 20),
    reports,
    profileExtension: body.subarray(SR_FIXED_BODY + count * REPORT_BLOCK_SIZE),
  };
}

/** NOTE: must match writeSenderReport. */
export function senderReportSize(p: RtcpSenderReport): number {
  return RTCP_HEADER_SIZE + SR_FIXED_BODY + p.reports.length * REPORT_BLOCK_SIZE + p.profileExtension.length;
}

export function writeSenderReport(p: RtcpSenderReport, out: Uint8Array, o: number): number {
  if (p.reports.length > MAX_REPORT_BLOCKS) throw new RangeError(`at most ${MAX_REPORT_BLOCKS} report blocks`);
  if (p.profileExtension.length % 4 !== 0) throw new RangeError('profile extension must be 32-bit aligned');
  const size = senderReportSize(p);
  writeRtcpHeader(out, o, p.reports.length, RTCP_PT_SR, size);
  let w = o + RTCP_HEADER_SIZE;
  writeU32(out, w, p.ssrc);
  writeU32(out, w + 4, p.ntpSeconds);
  writeU32(out, w + 8, p.ntpFraction);
  writeU32(out, w + 12, p.rtpTimestamp);
  writeU32(out, w + 16, p.packetCount);
  writeU32(out, w + 20, p.octetCount);
  w += SR_FIXED_BODY;
  for (const r of p.reports) {
    writeReportBlock(r, out, w);
    w += REPORT_BLOCK_SIZE;
  }
  out.set(p.profileExtension, w);
  return size;
}
