/**
 * A result as JSON: payload Buffers become hex strings and the received audio is summarised by its
 * length (write it as a WAV with writeReceivedWav instead).
 */
import type { LabCallerResult } from './result.js';

export function resultToJson(r: LabCallerResult, indent = 2): string {
  const plain = {
    ...r,
    rtpReceived: r.rtpReceived.map((p) => ({ ...p, payload: p.payload.toString('hex') })),
    receivedAudio: { samples: r.receivedAudio.length, sampleRate: 8000 },
  };
  return JSON.stringify(plain, null, indent);
}

/** A few human lines: what happened to the call. */
export function summarizeResult(r: LabCallerResult): string {
  const t = r.timings;
  const ms = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(1)} ms`);
  const lines = [
    `call ${r.callId} over ${r.transport}: ${r.finalStatus ?? 'no final response'} ${r.finalReason ?? ''}`.trimEnd(),
    `  ended: ${r.endReason}${r.gatewayHungUp ? ' (gateway hung up)' : ''} after ${r.durationMs.toFixed(0)} ms, ${r.inviteAttempts} INVITE(s)`,
    `  INVITE→100 ${ms(t.inviteTo100Ms)}  →180 ${ms(t.inviteTo180Ms)}  →200 ${ms(t.inviteTo200Ms)}  BYE→200 ${ms(t.byeTo200Ms)}`,
  ];
  if (r.negotiated !== undefined) {
    const n = r.negotiated;
    lines.push(`  media: ${n.codec.name}/${n.codec.payloadType}${n.srtpProfile ? ` SRTP ${n.srtpProfile}` : ''} to ${n.remoteAddress}:${n.remotePort} ${n.direction}`);
  }
  lines.push(`  RTP sent ${r.rtpSent.length}, received ${r.rtpReceived.length}; pacer late max ${r.pacer.lateMsMax.toFixed(1)} ms`);
  for (const a of r.actions) lines.push(`  [${a.index}] ${a.kind} at ${a.t.toFixed(0)} ms: ${a.outcome}${a.detail ? ` (${a.detail})` : ''}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
