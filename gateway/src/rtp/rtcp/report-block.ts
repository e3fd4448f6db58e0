/**
 * Reception report block, RFC 3550 §6.4.1 (carried by SR and RR), 24 bytes:
 *
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *  |                 SSRC_1 (SSRC of first source)                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | fraction lost |       cumulative number of packets lost       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           extended highest sequence number received           |
 *  |                      interarrival jitter                      |
 *  |                         last SR (LSR)                         |
 *  |                   delay since last SR (DLSR)                  |
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *
 * Cumulative lost is a signed 24-bit number (duplicates can make it negative).
 */
import { readU32, writeU32 } from '../packet/rtp-header.js';

export const REPORT_BLOCK_SIZE = 24;
export const MAX_REPORT_BLOCKS = 31;
const CUMULATIVE_LOST_MAX = 0x7fffff;
const CUMULATIVE_LOST_MIN = -0x800000;

export interface RtcpReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, as a fixed-point number /256. */
  fractionLost: number;
  /** Signed; clamped to 24 bits when written. */
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received from this source (0 = none). */
  lastSr: number;
  /** Delay since that SR, in 1/65536 s. */
  delaySinceLastSr: number;
}

export function parseReportBlock(b: Uint8Array, o: number): RtcpReportBlock {
  const lostField = readU32(b, o + 4);
  const raw = lostField & 0xffffff;
  return {
    ssrc: readU32(b, o),
    fractionLost: lostField >>> 24,
    cumulativeLost: raw & 0x800000 ? raw - 0x1000000 : raw,
    extendedHighestSeq: readU32(b, o + 8),
    jitter: readU32(b, o + 12),
    lastSr: readU32(b, o + 16),
    delaySinceLastSr: readU32(b, o + 20),
  };
}

export function writeReportBlock(r: RtcpReportBlock, out: Uint8Array, o: number): void {
  const lost = Math.max(CUMULATIVE_LOST_MIN, Math.min(CUMULATIVE_LOST_MAX, Math.trunc(r.cumulativeLost)));
  writeU32(out, o, r.ssrc);
  writeU32(out, o + 4, (((r.fractionLost & 0xff) << 24) | (lost & 0xffffff)) >>> 0);
  writeU32(out, o + 8, r.extendedHighestSeq);
  writeU32(out, o + 12, r.jitter);
  writeU32(out, o + 16, r.lastSr);
  writeU32(out, o + 20, r.delaySinceLastSr);
}
