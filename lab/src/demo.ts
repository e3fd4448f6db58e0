/**
 * `make demo`: the whole product on this machine with no API key. Starts the real gateway (compiled,
 * as in production) and the fake OpenAI Realtime server on loopback, places a real SIPp call that
 * says a sentence, lets the agent answer, hangs up, and prints what happened.
 */
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';
import { loadScenario } from './runner/load-scenario.js';
import { runScenario } from './runner/run-scenario.js';
import { describeError } from 'connect-realtime-gateway';

async function main(): Promise<number> {
  const root = repoRoot();
  const scenario = loadScenario(root, 'happy-path');
  process.stdout.write('demo: gateway 127.0.0.1, fake Realtime 127.0.0.4, SIPp caller 127.0.0.3 (via the lab tap 127.0.0.2)\n');
  process.stdout.write(`demo: calling… (about ${Math.round(scenario.caller.hangupAfterMs / 1000)} s)\n`);
  const report = await runScenario(root, scenario);
  const m = report.metrics;
  const lines = [
    '',
    `call result        ${report.passed ? 'completed' : 'FAILED'}${m.callEnded ? ` (ended: ${String(m.callEnded)})` : ''}`,
    `caller → gateway  ${String(m.rtpToGateway)} RTP packets (${String(m.realtimeReceivedBytes)} bytes reached Realtime)`,
    `gateway → caller  ${String(m.rtpToCaller)} RTP packets`,
    `agent latency     ${m.agentLatencyMs === undefined ? 'n/a' : `${String(m.agentLatencyMs)} ms from end of caller speech to first agent audio on the wire`}`,
    `checks            ${report.checks.filter((c) => c.passed).length}/${report.checks.length} passed${report.error ? ` — ${report.error}` : ''}`,
    `report            ${join('lab', 'out', scenario.name, 'report.json')} (gateway.log, sip.log, wire.jsonl, realtime/ beside it)`,
  ];
  for (const c of report.checks.filter((c) => !c.passed)) lines.push(`  failed: ${c.name}: ${String(c.value)} (limit ${String(c.limit)})`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo: ${describeError(err)}\n`);
    process.exit(1);
  },
);
