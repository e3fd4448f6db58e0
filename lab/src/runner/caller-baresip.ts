import { join } from 'node:path';
import { placeBaresipCall } from '../callers/baresip/baresip-caller.js';
import type { Endpoint, Launcher } from './backends/backend.js';
import type { BaresipCallerSpec } from './caller-baresip-schema.js';
import type { CallerRun } from './caller-run.js';
import { freePort } from './ports.js';

/** RTP ports for baresip: apart from the gateway's (30000-30999) and the relay's (20000-29999). */
const BARESIP_RTP_PORTS: [number, number] = [31000, 31998];

/**
 * Debian's baresip as the caller, through the lab tap (UDP) like SIPp: the tap's records are the
 * wire evidence, and baresip's own recording of what it heard is the caller's.
 */
export async function runBaresipCaller(opts: {
  root: string;
  outDir: string;
  caller: BaresipCallerSpec;
  tap: Endpoint;
  callerHost: string;
  launcher: Launcher;
  timeoutS: number;
}): Promise<CallerRun> {
  const { caller } = opts;
  const result = await placeBaresipCall({
    launcher: opts.launcher,
    dir: join(opts.outDir, 'baresip'),
    address: opts.callerHost,
    sipPort: await freePort(opts.callerHost),
    ctrlPort: await freePort(opts.callerHost),
    rtpPorts: BARESIP_RTP_PORTS,
    target: opts.tap,
    fromUser: caller.fromUser,
    toUser: caller.toUser,
    codecs: caller.codec === 'PCMU' ? ['PCMU', 'PCMA'] : ['PCMA', 'PCMU'],
    ...(caller.audio !== undefined ? { speech: { wav: join(opts.root, caller.audio), atMs: caller.leadInMs } } : {}),
    dtmf: caller.dtmf,
    hangupAfterMs: caller.hangupAfterMs,
    timeoutMs: opts.timeoutS * 1000,
  });
  const ok = result.established && result.closedAt !== undefined && result.problems.length === 0;
  const sentDigits = result.dtmfSent.filter((d) => d.ok).map((d) => d.digit).join('');
  return {
    summary: {
      exitCode: ok ? 0 : 1,
      detail: ok
        ? `answered, ${sentDigits ? `keys ${sentDigits} sent, ` : ''}${result.hungUpByCaller ? 'hung up' : `far end hung up (${result.closeReason ?? ''})`}`
        : `${result.problems.join('; ')} (baresip exit ${String(result.exitCode)}; see baresip/baresip.log)`,
      sentPayload: Buffer.alloc(0),
      sentPackets: 0,
      ...(result.heardWav !== undefined ? { heardWav: result.heardWav } : {}),
    },
    sip: [],
    rtp: [],
  };
}
