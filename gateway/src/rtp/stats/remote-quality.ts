/**
 * What the peer tells us in RTCP (RFC 3550 §6.4): from its SRs we keep LSR and arrival time for our
 * own report blocks (DLSR); from report blocks about our SSRC we learn how our stream arrives there
 * (fraction lost, cumulative lost, jitter) and the round-trip time (A - LSR - DLSR).
 */
import type { RtcpPacket } from '../rtcp/compound.js';
import { msToMiddle32Units, ntpFromWallMs, ntpMiddle32, rttFromReportMs } from '../rtcp/ntp.js';
import type { RtcpReportBlock } from '../rtcp/report-block.js';

export interface RemoteQualitySnapshot {
  /** Latest round-trip time, ms (undefined until the peer echoes one of our SRs). */
  rttMs: number | undefined;
  /** Peer-reported loss of our stream over its last interval, 0..1. */
  fractionLost: number;
  cumulativeLost: number;
  /** Peer-reported interarrival jitter of our stream, ms. */
  jitterMs: number;
  reportBlocksReceived: number;
  senderReportsReceived: number;
  /** From the peer's latest SR. */
  remotePacketsSent: number;
  remoteOctetsSent: number;
}

export class RemoteQuality {
  #lastSrMiddle = 0;
  #lastSrArrivalMs = 0;
  #snapshotState: RemoteQualitySnapshot = {
    rttMs: undefined,
    fractionLost: 0,
    cumulativeLost: 0,
    jitterMs: 0,
    reportBlocksReceived: 0,
    senderReportsReceived: 0,
    remotePacketsSent: 0,
    remoteOctetsSent: 0,
  };

  readonly #clockRate: number;

  constructor(clockRate: number) {
    this.#clockRate = clockRate;
  }

  /** Feeds a parsed compound packet. `remoteSsrc` is the media source we follow (SRs of others are ignored). */
  onRtcp(packets: readonly RtcpPacket[], localSsrc: number, remoteSsrc: number | undefined, nowMs: number, wallNowMs: number): void {
    for (const p of packets) {
      if (p.type === 'sr') {
        if (remoteSsrc === undefined || p.ssrc === remoteSsrc) {
          this.#lastSrMiddle = ntpMiddle32(p.ntpSeconds, p.ntpFraction);
          this.#lastSrArrivalMs = nowMs;
          this.#snapshotState.senderReportsReceived++;
          this.#snapshotState.remotePacketsSent = p.packetCount;
          this.#snapshotState.remoteOctetsSent = p.octetCount;
        }
        this.#onBlocks(p.reports, localSsrc, wallNowMs);
      } else if (p.type === 'rr') {
        this.#onBlocks(p.reports, localSsrc, wallNowMs);
      }
    }
  }

  #onBlocks(blocks: readonly RtcpReportBlock[], localSsrc: number, wallNowMs: number): void {
    for (const b of blocks) {
      if (b.ssrc !== localSsrc) continue;
      const s = this.#snapshotState;
      s.reportBlocksReceived++;
      s.fractionLost = b.fractionLost / 256;
      s.cumulativeLost = b.cumulativeLost;
      s.jitterMs = (b.jitter * 1000) / this.#clockRate;
      const now = ntpFromWallMs(wallNowMs);
      const rtt = rttFromReportMs(ntpMiddle32(now.seconds, now.fraction), b.lastSr, b.delaySinceLastSr);
      if (rtt !== undefined) s.rttMs = rtt;
    }
  }

  /** LSR and DLSR for our next report block about the peer (both 0 before its first SR). */
  lastSenderReport(nowMs: number): { lastSr: number; delaySinceLastSr: number } {
    if (this.#snapshotState.senderReportsReceived === 0) return { lastSr: 0, delaySinceLastSr: 0 };
    return { lastSr: this.#lastSrMiddle, delaySinceLastSr: msToMiddle32Units(nowMs - this.#lastSrArrivalMs) };
  }

  snapshot(): RemoteQualitySnapshot {
    return { ...this.#snapshotState };
  }
}
