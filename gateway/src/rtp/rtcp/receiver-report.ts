/**
 * Receiver report (RR), RFC 3550 §6.4.2:
 *
 *  |V=2|P|    RC   |   PT=RR=201   |             length            |  header
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     SSRC of packet sender                     |
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *  |                 report blocks (RC x 24 bytes)                 |
 *  |                  profile-specific extensions                  |
 */
import { WIRE_ERRORS, type RtpWireError } from '../errors.js';
import { readU32, writeU32 } from '../packet/rtp-header.js';
import { RTCP_HEADER_SIZE, RTCP_PT_RR, writeRtcpHeader, type RtcpBody } from './common.js';
import { MAX_REPORT_BLOCKS, REPORT_BLOCK_SIZE, parseReportBlock, writeReportBlock, type RtcpReportBlock } from './report-block.js';

const RR_FIXED_BODY = 4;

export interface RtcpReceiverReport {
  type: 'rr';
  ssrc: number;
  reports: RtcpReportBlock[];
  profileExtension: Uint8Array;
}

export function parseReceiverReport({ count, body }: RtcpBody): RtcpReceiverReport | RtpWireError {
  if (body.length < RR_FIXED_BODY + count * REPORT_BLOCK_SIZE) return WIRE_ERRORS.RTCP_ERR_TRUNCATED;
  const reports: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++) reports.push(parseReportBlock(body, RR_FIXED_BODY + i * REPORT_BLOCK_SIZE));
  return {
    type: 'rr',
    ssrc: readU32(body, 0),
    reports,
    profileExtension: body.subarray(RR_FIXED_BODY + count * REPORT_BLOCK_SIZE),
  };
}

/** NOTE: must match writeReceiverReport. */
export function receiverReportSize(p: RtcpReceiverReport): number {
  return RTCP_HEADER_SIZE + RR_FIXED_BODY + p.reports.length * REPORT_BLOCK_SIZE + p.profileExtension.length;
}

export function writeReceiverReport(p: RtcpReceiverReport, out: Uint8Array, o: number): number {
  if (p.reports.length > MAX_REPORT_BLOCKS) throw new RangeError(`at most ${MAX_REPORT_BLOCKS} report blocks`);
  if (p.profileExtension.length % 4 !== 0) throw new RangeError('profile extension must be 32-bit aligned');
  const size = receiverReportSize(p);
  writeRtcpHeader(out, o, p.reports.length, RTCP_PT_RR, size);
  let w = o + RTCP_HEADER_SIZE;
  writeU32(out, w, p.ssrc);
  w += RR_FIXED_BODY;
  for (const r of p.reports) {
    writeReportBlock(r, out, w);
    w += REPORT_BLOCK_SIZE;
  }
  out.set(p.profileExtension, w);
  return size;
}
