import { join } from 'node:path';
import { parseLabScript, type LabCallerOptions } from '../callers/lab-caller/index.js';
import type { RtpRecord } from '../netem/media-relay.js';
import type { SipRecord } from '../netem/sip-alg.js';
import type { LabBackend } from './backends/backend.js';
import { localBackend } from './backends/local.js';
import type { CallerRun } from './caller-run.js';
import type { LabCallerSpec } from './scenario-schema.js';

/**
 * The lab's own TypeScript caller, for what SIPp cannot do (TLS, SDES-SRTP). It talks to the gateway
 * directly — the tap cannot read encrypted media — so its own records are the wire evidence.
 */
export async function runLabCaller(opts: {
  root: string;
  caller: LabCallerSpec;
  gateway: { address: string; port: number };
  callerHost: string;
  /** PEM of the gateway's certificate, trusted for TLS. */
  ca?: string;
  /** performance.now() of the lab time base. */
  origin: number;
  /** Where the caller runs (in this process by default, or in a container). */
  backend?: LabBackend;
  outDir?: string;
}): Promise<CallerRun> {
  const { caller } = opts;
  const options: LabCallerOptions = {
    transport: caller.transport,
    target: { host: opts.gateway.address, port: opts.gateway.port },
    localAddress: opts.callerHost,
    fromUser: caller.fromUser,
    toUser: caller.toUser,
    extraHeaders: Object.entries(caller.headers).map(([name, value]) => [name, value] as [string, string]),
    srtp: caller.srtp,
    ...(opts.ca ? { tls: { ca: opts.ca } } : {}),
  };
  const script = parseLabScript([
    ...(caller.audio ? [{ at: caller.leadInMs, action: { speak: join(opts.root, caller.audio) } }] : []),
    ...caller.actions,
    { at: caller.hangupAfterMs, action: { bye: true } },
  ]);
  const { result, startedAt } = await (opts.backend ?? localBackend()).runLabCaller(options, script, opts.outDir ?? opts.root);
  const started = startedAt - opts.origin;
  const ok = result.answered && (result.endReason === 'bye-sent' || result.endReason === 'bye-received');
  const sip: SipRecord[] = result.sip
    .filter((r) => r.dir !== 'dropped')
    .map((r) => ({
      t: started + r.t,
      dir: r.dir === 'out' ? 'toGateway' : 'toCaller',
      firstLine: r.text.slice(0, r.text.indexOf('\r\n')),
      raw: r.text,
      ...headerFields(r.text),
    }));
  const rtp: RtpRecord[] = result.rtpReceived.map((r) => ({
    t: started + r.t,
    dir: 'toCaller',
    rtcp: false,
    fate: 'forwarded',
    length: 12 + r.payload.length,
    pt: r.pt,
    seq: r.seq,
    ts: r.ts,
    ssrc: r.ssrc,
    marker: r.marker,
    payload: r.payload,
  }));
  return {
    summary: {
      exitCode: ok ? 0 : 1,
      detail: ok ? '' : `final ${String(result.finalStatus)} ${result.finalReason ?? ''}, ended ${result.endReason}; ${result.notes.join('; ')}`,
      sentPayload: Buffer.alloc(0),
      sentPackets: result.rtpSent.filter((r) => !r.dropped).length,
      ...(result.negotiated?.srtpProfile ? { srtpProfile: result.negotiated.srtpProfile } : {}),
    },
    sip,
    rtp,
  };
}

function headerFields(text: string): { callId?: string; cseq?: string } {
  const callId = /^(?:call-id|i)\s*:\s*(.+)$/im.exec(text)?.[1]?.trim();
  const cseq = /^cseq\s*:\s*(.+)$/im.exec(text)?.[1]?.trim();
  return { ...(callId ? { callId } : {}), ...(cseq ? { cseq } : {}) };
}
