import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCallerStream } from '../callers/caller-audio.js';
import type { Endpoint, Launcher } from './backends/backend.js';
import type { CallerRun } from './caller-run.js';
import { freePort } from './ports.js';
import type { SippCaller } from './scenario-schema.js';
import { runSipp } from './sipp.js';

const STATIC_PT: Record<string, number> = { PCMU: 0, PCMA: 8, GSM: 3, G729: 18 };
/** Longer than the jitter buffer's largest delay (200 ms). */
const CALLER_TAIL_GAP_MS = 400;

/**
 * A real SIPp caller through the lab tap (UDP), or straight to the gateway (TCP). Its RTP stream is
 * a pcap built from the scenario's utterances and key presses.
 */
export async function runSippCaller(opts: {
  root: string;
  outDir: string;
  caller: SippCaller;
  /** The lab tap's SIP address (UDP callers go through it). */
  tap: Endpoint;
  gateway: { address: string; port: number };
  callerHost: string;
  timeoutS: number;
  launcher?: Launcher;
}): Promise<CallerRun> {
  const { root, outDir, caller } = opts;
  const stream = buildCallerStream(
    caller.codec,
    [
      ...(caller.audio === undefined ? [] : [{ atMs: caller.leadInMs, wavPath: join(root, caller.audio) }]),
      ...caller.utterances.map((u) => ({ atMs: u.atMs, wavPath: join(root, u.audio) })),
    ],
    caller.dtmf,
    // The caller's stream ends shortly before its BYE so every packet has left the gateway's jitter
    // buffer by then; the byte-for-byte check then covers the whole stream.
    caller.streamMs ?? Math.max(0, caller.hangupAfterMs - CALLER_TAIL_GAP_MS),
  );
  writeFileSync(join(outDir, 'caller.pcap'), stream.pcap);
  const offer = caller.offer ?? (caller.codec === 'PCMU' ? ['PCMU', 'PCMA'] : ['PCMA', 'PCMU']);
  const sipp = await runSipp({
    root,
    outDir,
    script: caller.script,
    values: {
      FROM_USER: caller.fromUser,
      TO_USER: caller.toUser,
      HANGUP_MS: String(caller.hangupAfterMs),
      EXTRA_HEADERS: Object.entries(caller.headers)
        .map(([k, v]) => `      ${k}: ${v}`)
        .join('\n'),
      PAYLOAD_TYPES: offer.map((c) => STATIC_PT[c]).join(' '),
      RTPMAPS: offer.map((c) => `      a=rtpmap:${STATIC_PT[c]} ${c}/8000`).join('\n'),
      ...caller.vars,
    },
    // The lab tap relays UDP; TCP callers talk to the gateway directly (media then bypasses the tap).
    target: caller.transport === 'tcp' ? opts.gateway : opts.tap,
    transport: caller.transport,
    extraArgs: caller.sippArgs,
    local: { address: opts.callerHost, port: await freePort(opts.callerHost), mediaPort: 2 * Math.floor((await freePort(opts.callerHost)) / 2) },
    timeoutS: opts.timeoutS,
    ...(opts.launcher ? { launcher: opts.launcher } : {}),
  });
  writeFileSync(join(outDir, 'sipp-stdout.log'), sipp.stdout.slice(-65536));
  return {
    summary: { exitCode: sipp.exitCode, detail: sipp.stderr || sipp.stdout, sentPayload: stream.payload, sentPackets: stream.packets },
    sip: [],
    rtp: [],
  };
}
