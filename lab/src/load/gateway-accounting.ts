/**
 * A load run's account of the gateway's own per-call summaries (`call ended` log lines) against
 * what the wire carried: RTP lost inside the gateway is every packet that reached its socket's
 * address but never became audio for the model, plus every frame of either direction it dropped.
 */
import type { GatewayLogLine } from '../runner/gateway-process.js';
import type { RelayCounts } from './metered-relay.js';

const FRAME_BYTES = 160;

export interface GatewayLoss {
  /** Sent to the gateway's RTP port by the tap but never counted as received (socket overflow). */
  notReceived: number;
  /** Jitter-buffer frames discarded as too late or beyond its capacity. */
  jitterBufferDrops: number;
  /** Caller audio frames never sent to Realtime. */
  notSentToRealtime: number;
  /** Agent audio frames dropped from the playout queue. */
  playoutDrops: number;
  /** RTP sends the kernel refused. */
  sendErrors: number;
  /** The sum: RTP lost inside the gateway. */
  total: number;
  /** Frames the jitter buffer concealed (a clean wire leaves nothing to conceal), shown beside. */
  concealed: number;
  /** Calls with a tap record but no `call ended` summary (then nothing above covers them). */
  callsWithoutSummary: number;
  /** Gateway RTP packets the tap did not see (the lab's own loss, not the gateway's). */
  tapMissed: number;
}

export interface GatewayPacing {
  calls: number;
  /** The worst per-call send-lateness p99 / max the gateway reported, ms. */
  worstP99Ms: number;
  worstMaxMs: number;
}

interface CallEnded {
  callId: string;
  media?: {
    received?: { packets?: number };
    sent?: { packets?: number; socketErrors?: number };
    jitterBuffer?: { lateDrops?: number; overflowDrops?: number; concealedFrames?: number };
    playout?: { overflowBytes?: number };
  };
  realtime?: { droppedAudioBytes?: number };
  pacing?: { count?: number; p99Ms?: number; maxMs?: number };
}

export function callSummaries(logs: readonly GatewayLogLine[]): Map<string, CallEnded> {
  const out = new Map<string, CallEnded>();
  for (const l of logs) if (l.msg === 'call ended' && typeof l.callId === 'string') out.set(l.callId, l as unknown as CallEnded);
  return out;
}

export function gatewayLoss(logs: readonly GatewayLogLine[], tapCalls: ReadonlyArray<{ callId: string } & RelayCounts>): GatewayLoss {
  const ended = callSummaries(logs);
  const loss: GatewayLoss = { notReceived: 0, jitterBufferDrops: 0, notSentToRealtime: 0, playoutDrops: 0, sendErrors: 0, total: 0, concealed: 0, callsWithoutSummary: 0, tapMissed: 0 };
  for (const tap of tapCalls) {
    const c = ended.get(tap.callId);
    if (c === undefined) {
      loss.callsWithoutSummary++;
      continue;
    }
    const m = c.media ?? {};
    loss.notReceived += Math.max(0, tap.toGateway - (m.received?.packets ?? 0));
    loss.jitterBufferDrops += (m.jitterBuffer?.lateDrops ?? 0) + (m.jitterBuffer?.overflowDrops ?? 0);
    loss.concealed += m.jitterBuffer?.concealedFrames ?? 0;
    loss.notSentToRealtime += Math.ceil((c.realtime?.droppedAudioBytes ?? 0) / FRAME_BYTES);
    loss.playoutDrops += Math.ceil((m.playout?.overflowBytes ?? 0) / FRAME_BYTES);
    loss.sendErrors += m.sent?.socketErrors ?? 0;
    loss.tapMissed += Math.max(0, (m.sent?.packets ?? 0) - tap.toCaller);
  }
  loss.total = loss.notReceived + loss.jitterBufferDrops + loss.notSentToRealtime + loss.playoutDrops + loss.sendErrors;
  return loss;
}

export function gatewayPacing(logs: readonly GatewayLogLine[]): GatewayPacing {
  const p = { calls: 0, worstP99Ms: 0, worstMaxMs: 0 };
  for (const c of callSummaries(logs).values()) {
    if (!c.pacing?.count) continue;
    p.calls++;
    p.worstP99Ms = Math.max(p.worstP99Ms, Math.round((c.pacing.p99Ms ?? 0) * 100) / 100);
    p.worstMaxMs = Math.max(p.worstMaxMs, Math.round((c.pacing.maxMs ?? 0) * 100) / 100);
  }
  return p;
}
