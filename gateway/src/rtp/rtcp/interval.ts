/**
 * RTCP transmission interval, RFC 3550 §6.3.1 and the reference code of Appendix A.7.
 * For a two-party G.711 call the 5 s minimum dominates, so reports go every 5 s x [0.5, 1.5] / (e - 3/2),
 * i.e. 2.05–6.16 s (the first one at half that): randomised so peers never synchronise.
 */

/** RFC 3550 §6.2 minimum interval, seconds. */
export const RTCP_MIN_TIME_S = 5;
const RTCP_SENDER_BW_FRACTION = 0.25;
const RTCP_RCVR_BW_FRACTION = 1 - RTCP_SENDER_BW_FRACTION;
/** e - 3/2: compensates for the timer reconsideration's bias towards shorter intervals (§6.3.1). */
const COMPENSATION = Math.E - 1.5;

export interface RtcpIntervalInput {
  members: number;
  senders: number;
  /** RTCP bandwidth in octets per second (5 % of the session bandwidth, §6.2). */
  rtcpBandwidth: number;
  weSent: boolean;
  /** Average compound RTCP packet size in octets, UDP and IP headers included. */
  avgRtcpSize: number;
  /** True before the first report: the minimum is halved (§6.2). */
  initial: boolean;
}

/** The next interval in ms; `random` returns a number in [0, 1). */
export function rtcpIntervalMs(input: RtcpIntervalInput, random: () => number): number {
  const minTime = input.initial ? RTCP_MIN_TIME_S / 2 : RTCP_MIN_TIME_S;
  let bandwidth = input.rtcpBandwidth;
  let n = input.members;
  if (input.senders <= input.members * RTCP_SENDER_BW_FRACTION) {
    if (input.weSent) {
      bandwidth *= RTCP_SENDER_BW_FRACTION;
      n = input.senders;
    } else {
      bandwidth *= RTCP_RCVR_BW_FRACTION;
      n -= input.senders;
    }
  }
  let t = bandwidth > 0 ? (input.avgRtcpSize * n) / bandwidth : minTime;
  if (t < minTime) t = minTime;
  t = (t * (random() + 0.5)) / COMPENSATION;
  return t * 1000;
}

/**
 * §6.2 bandwidth for a G.711 call: 64 kb/s of payload plus 40 bytes of IP/UDP/RTP headers per 20 ms
 * (80 kb/s on the wire), of which RTCP gets 5 %.
 */
export const G711_RTCP_BANDWIDTH_OCTETS_PER_S = (80_000 / 8) * 0.05;
