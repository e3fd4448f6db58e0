/**
 * What a call says about itself when it ends: the one "call ended" log line (timeline, media,
 * bridge, Realtime, tools, pacing, resources left) and the RFC 3326 Reason of the gateway's BYE.
 */
import type { LatenessSummary } from '../rtp/index.js';
import type { CallHoldings } from './call-state.js';
import type { CallTimeline, EndReason } from './call-stats.js';

export function callSummary(
  reason: EndReason,
  timeline: CallTimeline,
  held: CallHoldings,
  extra: { pacing: LatenessSummary; resources: Record<string, number> },
): Record<string, unknown> {
  const { media, backend, agent } = held;
  return {
    reason,
    durationMs: timeline.answeredAt !== undefined && timeline.endedAt !== undefined ? timeline.endedAt - timeline.answeredAt : 0,
    timeline,
    media: media?.rtp.stats(),
    bridge: agent
      ? {
          framesToRealtime: agent.bridge.framesToRealtime,
          concealedToRealtime: agent.bridge.concealedToRealtime,
          echoSuppressedFrames: agent.bridge.echoSuppressedFrames,
          bargeIns: agent.bridge.bargeIns,
          agentAudioDroppedBytes: agent.bridge.agentAudioDroppedBytes,
        }
      : undefined,
    realtime: backend?.stats(),
    tools: agent ? { calls: agent.tools.calls, failures: agent.tools.failures } : undefined,
    dtmfDigits: agent?.dtmf.digitsReceived ?? 0,
    transcript: agent?.transcript.turns.map((t) => `${t.role}: ${t.text}`),
    pacing: extra.pacing,
    resources: extra.resources,
  };
}

/** The Reason header (RFC 3326) of the BYE the gateway sends. */
export function byeReason(reason: EndReason): string {
  switch (reason) {
    case 'rtp-timeout':
      return 'SIP;cause=408;text="RTP timeout"';
    case 'no-inbound-media':
      return 'SIP;cause=408;text="No media from the remote"';
    case 'session-expired':
      return 'SIP;cause=408;text="Session expired"';
    case 'realtime-failed':
      return 'SIP;cause=503;text="AI backend lost"';
    case 'shutdown':
      return 'SIP;cause=503;text="Gateway shutting down"';
    case 'handed-back':
      return 'SIP;cause=200;text="Transfer to a human"';
    case 'agent-hangup':
      return 'SIP;cause=200;text="Call completed"';
    case 'caller-idle':
      return 'SIP;cause=200;text="Caller idle"';
    case 'max-duration':
      return 'SIP;cause=200;text="Maximum call length"';
    default:
      return `SIP;cause=200;text="${reason}"`;
  }
}
