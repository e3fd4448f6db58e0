/**
 * Builds the compound RTCP packets a session sends (RFC 3550 §6.1): SR when we sent RTP since the
 * previous report (else RR), with one report block for the source we receive, then SDES with our
 * CNAME (mandatory in every compound packet), then BYE when leaving (§6.6).
 */
import type { RtcpPacket } from '../rtcp/compound.js';
import { ntpFromWallMs } from '../rtcp/ntp.js';
import type { RtcpReportBlock } from '../rtcp/report-block.js';
import { SDES_CNAME } from '../rtcp/source-description.js';
import type { SourceState } from '../stats/source-state.js';

export interface ReportInput {
  ssrc: number;
  cname: string;
  wallNowMs: number;
  /** Our media timestamp corresponding to wallNowMs. */
  rtpTimestamp: number;
  packetsSent: number;
  octetsSent: number;
  weSent: boolean;
  /** The validated remote source, if any. */
  source: SourceState | undefined;
  lastSr: { lastSr: number; delaySinceLastSr: number };
  /** Present when this is the last report: adds BYE with this (optional) reason. */
  bye?: { reason: string | undefined };
}

export function buildCompoundReport(input: ReportInput): RtcpPacket[] {
  const reports: RtcpReportBlock[] = [];
  if (input.source !== undefined && input.source.validated) {
    const r = input.source.takeReport();
    reports.push({
      ssrc: input.source.ssrc,
      fractionLost: r.fractionLost,
      cumulativeLost: r.cumulativeLost,
      extendedHighestSeq: r.extendedHighestSeq,
      jitter: r.jitter,
      lastSr: input.lastSr.lastSr,
      delaySinceLastSr: input.lastSr.delaySinceLastSr,
    });
  }
  const packets: RtcpPacket[] = [];
  if (input.weSent) {
    const ntp = ntpFromWallMs(input.wallNowMs);
    packets.push({
      type: 'sr',
      ssrc: input.ssrc,
      ntpSeconds: ntp.seconds,
      ntpFraction: ntp.fraction,
      rtpTimestamp: input.rtpTimestamp >>> 0,
      packetCount: input.packetsSent >>> 0,
      octetCount: input.octetsSent >>> 0,
      reports,
      profileExtension: new Uint8Array(0),
    });
  } else {
    packets.push({ type: 'rr', ssrc: input.ssrc, reports, profileExtension: new Uint8Array(0) });
  }
  packets.push({ type: 'sdes', chunks: [{ source: input.ssrc, items: [{ type: SDES_CNAME, text: input.cname }] }] });
  if (input.bye) packets.push({ type: 'bye', sources: [input.ssrc], reason: input.bye.reason });
  return packets;
}
