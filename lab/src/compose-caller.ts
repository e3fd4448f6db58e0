/**
 * The caller of `docker-compose up` (compose.yaml): waits until the gateway answers SIP OPTIONS, then
 * places the happy-path scenario's call with real SIPp (one sentence, G.711, Connect headers), waits
 * for the agent's answer and hangs up. Prints one line per step and exits with SIPp's status.
 *
 *   node dist/lab/src/compose-caller.js [--gateway 127.0.0.1:5060] [--local 127.0.0.3] [--wait-s 60]
 *
 * Its files (SIPp logs, the pcap it played) go to lab/out/compose-demo/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UdpPeer, probeOptions } from './conformance/wire/index.js';
import { repoRoot } from './repo-root.js';
import { runSippCaller } from './runner/caller-sipp.js';
import { loadScenario } from './runner/load-scenario.js';
import { describeError } from 'connect-realtime-gateway';

function endpoint(text: string, flag: string): { address: string; port: number } {
  const m = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new Error(`--${flag} must be a loopback address:port (127.x.y.z:port), got '${text}'`);
  return { address: m[1]!, port: Number(m[2]) };
}

async function waitForGateway(gateway: { address: string; port: number }, local: string, waitS: number): Promise<boolean> {
  const peer = await UdpPeer.bind(local);
  try {
    const deadline = performance.now() + waitS * 1000;
    while (performance.now() < deadline) {
      const answer = await probeOptions(peer, { host: gateway.address, port: gateway.port }, 1_000);
      if (answer !== undefined) return true;
    }
    return false;
  } finally {
    await peer.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { gateway: { type: 'string', default: '127.0.0.1:5060' }, local: { type: 'string', default: '127.0.0.3' }, 'wait-s': { type: 'string', default: '60' } },
    strict: true,
  });
  const gateway = endpoint(values.gateway, 'gateway');
  const local = endpoint(`${values.local}:0`, 'local').address;
  const waitS = Number(values['wait-s']);
  if (!Number.isInteger(waitS) || waitS < 1 || waitS > 600) throw new Error(`--wait-s must be 1..600, got '${values['wait-s']}'`);

  const root = repoRoot();
  const scenario = loadScenario(root, 'happy-path');
  if (scenario.caller.tool !== 'sipp') throw new Error('happy-path must use the SIPp caller');
  const outDir = join(root, 'lab', 'out', 'compose-demo');
  mkdirSync(outDir, { recursive: true });

  process.stdout.write(`caller: waiting for the gateway at ${gateway.address}:${gateway.port} (SIP OPTIONS, up to ${waitS} s)\n`);
  if (!(await waitForGateway(gateway, local, waitS))) {
    process.stdout.write(`caller: the gateway did not answer OPTIONS within ${waitS} s\n`);
    return 1;
  }
  process.stdout.write(`caller: calling (SIPp from ${local}, says ${scenario.caller.audio ?? 'nothing'}, hangs up after ${scenario.caller.hangupAfterMs} ms)\n`);
  const run = await runSippCaller({
    root,
    outDir,
    caller: scenario.caller,
    tap: gateway, // no lab tap in the demo: SIPp calls the gateway directly
    gateway,
    callerHost: local,
    timeoutS: Math.ceil(scenario.caller.hangupAfterMs / 1000) + 30,
  });
  const ok = run.summary.exitCode === 0;
  process.stdout.write(
    ok
      ? `caller: call completed: INVITE → 200 OK → ${run.summary.sentPackets} RTP packets sent → BYE → 200 OK (SIPp exit 0; logs in lab/out/compose-demo/)\n`
      : `caller: call FAILED (SIPp exit ${String(run.summary.exitCode)}): ${run.summary.detail.trim().split('\n').slice(-3).join(' | ')}\n`,
  );
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`caller: ${describeError(err)}\n`);
    process.exit(2);
  },
);
