/**
 * A load run's call whose media goes straight between SIPp and the gateway, captured rather than
 * relayed (rtp-capture.ts): the ALG leaves its SDP alone and records both media endpoints here;
 * counts and pacing are filled from the capture after the run, by the gateway's RTP port.
 */
import type { Endpoint } from '../netem/media-relay.js';
import type { CallRelay } from '../netem/sip-alg.js';
import type { RelayCounts } from './metered-relay.js';
import { PacingMeter } from './pacing-meter.js';
import type { PortTraffic } from './rtp-capture.js';

export class DirectCall implements CallRelay {
  // No relay sockets: the ALG does not rewrite SDP in direct mode, so these are never advertised.
  readonly gatewayFacingPort = 0;
  readonly callerFacingPort = 0;
  callerMedia?: Endpoint;
  gatewayMedia?: Endpoint;
  readonly counts: RelayCounts = { toGateway: 0, toCaller: 0, rtcp: 0, unrouted: 0, sendErrors: 0 };
  pacing = new PacingMeter();

  constructor(readonly callId: string) {}

  /** Takes this call's traffic from the capture (by the gateway's media port of its SDP). */
  fill(byGatewayPort: ReadonlyMap<number, PortTraffic>): void {
    const t = this.gatewayMedia === undefined ? undefined : byGatewayPort.get(this.gatewayMedia.port);
    if (t === undefined) return;
    this.counts.toGateway = t.inPackets;
    this.counts.toCaller = t.outPackets;
    this.pacing = t.outbound;
  }

  close(): void {
    // nothing bound
  }
}
