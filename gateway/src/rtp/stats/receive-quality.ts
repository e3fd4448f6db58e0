/**
 * How one call's caller → gateway stream is doing, from the RTP session's counters: the figures a call
 * record and the metrics keep (RFC 3550 loss and interarrival jitter, frames the jitter buffer had to
 * conceal) and the ITU-T G.107 E-model MOS estimate for that G.711 stream.
 */
import type { RtpSessionStats } from '../session/rtp-session-types.js';
import { g711Rating } from './e-model.js';

export interface ReceiveQuality {
  /** Packets expected (highest sequence − first + 1) and lost (RFC 3550 A.3), of the current source. */
  expected: number;
  lost: number;
  /** lost / expected, 0..1. */
  lossRatio: number;
  /** RFC 3550 interarrival jitter, ms. */
  jitterMs: number;
  /** Frames the jitter buffer filled by G.711 Appendix I concealment. */
  concealedFrames: number;
  /** Round-trip time from RTCP, when the peer echoed one of our reports. */
  rttMs: number | undefined;
  /** One-way delay the rating assumed: half the RTT (0 when unknown) plus the jitter buffer's target. */
  oneWayDelayMs: number;
  /** G.107 transmission rating and MOS-CQE of this direction. */
  r: number;
  mos: number;
  /** Valid packets from sources other than the peer's (media source validation): dropped, never answered. */
  foreignSourcePackets: number;
}

export function receiveQuality(stats: RtpSessionStats): ReceiveQuality {
  const { expected } = stats.stream;
  // Duplicates can make the A.3 count negative; loss is never below zero.
  const lost = Math.max(0, stats.stream.lost);
  const lossRatio = expected > 0 ? Math.min(1, lost / expected) : 0;
  const rttMs = stats.remoteQuality.rttMs;
  const oneWayDelayMs = (rttMs ?? 0) / 2 + stats.jitterBuffer.targetDelayMs;
  // Loss the listener missed is what the jitter buffer concealed; bursts are not tracked per packet
  // here, so the rating assumes random loss (BurstR = 1).
  const rating = g711Rating({ lossPct: lossRatio * 100, burstR: 1, concealment: true, oneWayDelayMs });
  return {
    expected,
    lost,
    lossRatio,
    jitterMs: stats.stream.jitterMs,
    concealedFrames: stats.jitterBuffer.concealedFrames,
    rttMs,
    oneWayDelayMs,
    r: round2(rating.R),
    mos: round2(rating.mos),
    foreignSourcePackets: stats.received.unexpectedSource,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
