/** A load run's thresholds as checks: each one's measured value beside its limit, like every scenario's. */
import type { CheckResult } from '../runner/evidence.js';
import type { LoadScenario } from './load-spec.js';
import type { LoadMetrics } from './run-load.js';

/** Shortest plateau the per-call figures may be taken from, s. */
const MIN_PLATEAU_S = 3;

export function loadChecks(s: LoadScenario, m: LoadMetrics): CheckResult[] {
  const t = s.thresholds;
  const c = m.calls;
  const sippExit = m.sipp?.exitCode ?? null;
  const lost = m.rtpLost;
  const res = m.resources;
  const leftovers = res ? Object.entries(res).filter(([, v]) => v !== 0).map(([k, v]) => `${k}=${v}`) : ['no "call ended" summary'];
  if (m.sockets && m.sockets.after > m.sockets.before) leftovers.push(`${m.sockets.after - m.sockets.before} more open sockets than before the run`);
  const plateau = m.plateau;
  const gp = m.gateway.plateau;
  const gen = m.generator;
  return [
    {
      name: 'load-calls-attempted',
      passed: c.attempted === c.planned,
      value: c.attempted,
      limit: c.planned,
      detail: `SIPp created ${c.attempted} of ${c.planned} calls`,
    },
    {
      name: 'load-calls-failed',
      passed: c.failed <= t.callsFailed && (c.failed > 0 || sippExit === 0),
      value: c.failed,
      limit: `<= ${t.callsFailed}`,
      detail: `answered ${c.answered}, completed ${c.completed}, rejected ${c.rejected}, hung up by the gateway ${c.gatewayHungUp}; SIPp exit ${String(sippExit)}`,
    },
    {
      name: 'load-rtp-lost-in-gateway',
      passed: lost.total <= t.rtpLostInGateway && lost.callsWithoutSummary === 0,
      value: lost.total,
      limit: `<= ${t.rtpLostInGateway}`,
      detail:
        `not received ${lost.notReceived}, jitter-buffer drops ${lost.jitterBufferDrops}, not sent to Realtime ${lost.notSentToRealtime}, ` +
        `playout drops ${lost.playoutDrops}, send errors ${lost.sendErrors}; concealed ${lost.concealed}; calls without a summary ${lost.callsWithoutSummary}; tap missed ${lost.tapMissed}`,
    },
    {
      name: 'load-wire-pacing',
      passed: m.wirePacing.packets > 0 && m.wirePacing.p99Ms <= t.wirePacingP99Ms,
      value: m.wirePacing.p99Ms,
      limit: `p99 <= ${t.wirePacingP99Ms} ms`,
      detail:
        `lateness on the wire p50 ${m.wirePacing.p50Ms} / p99 ${m.wirePacing.p99Ms} / p99.9 ${m.wirePacing.p999Ms} / max ${m.wirePacing.maxMs} ms ` +
        `over ${m.wirePacing.packets} packets of ${m.wirePacing.streams} streams; the gateway's own worst call p99 ${m.gatewayPacing.worstP99Ms} ms`,
    },
    {
      name: 'load-event-loop-lag',
      passed: m.eventLoopLag !== null && m.eventLoopLag.worstP99Ms <= t.eventLoopLagP99Ms,
      value: m.eventLoopLag?.worstP99Ms ?? null,
      limit: `worst 1-s p99 <= ${t.eventLoopLagP99Ms} ms`,
      detail: m.eventLoopLag ? `median 1-s p99 ${m.eventLoopLag.medianP99Ms} ms, max ${m.eventLoopLag.maxMs} ms over ${m.eventLoopLag.seconds} s` : 'no event-loop samples',
    },
    {
      name: 'load-generator-kept-up',
      passed: gen.tapLoopLagWorstP99Ms !== null && gen.runnerLoopLagWorstP99Ms !== null && Math.max(gen.tapLoopLagWorstP99Ms, gen.runnerLoopLagWorstP99Ms) <= t.generatorLoopLagP99Ms,
      value: gen.tapLoopLagWorstP99Ms === null || gen.runnerLoopLagWorstP99Ms === null ? null : Math.max(gen.tapLoopLagWorstP99Ms, gen.runnerLoopLagWorstP99Ms),
      limit: `worst 1-s p99 <= ${t.generatorLoopLagP99Ms} ms`,
      detail: `event-loop delay of the tap ${String(gen.tapLoopLagWorstP99Ms)} ms, of the runner (fakes) ${String(gen.runnerLoopLagWorstP99Ms)} ms; SIPp ${String(gen.sippCpuPct)}% of a core on CPUs ${gen.cpus}`,
    },
    {
      name: 'load-plateau-measured',
      passed: plateau !== null && plateau.seconds >= MIN_PLATEAU_S && gp !== null,
      value: plateau ? `${plateau.calls} calls for ${plateau.seconds} s` : null,
      limit: `>= ${MIN_PLATEAU_S} s at ${s.load.concurrent} calls`,
      detail: gp
        ? `gateway ${gp.cpuPct}% of a core, ${gp.rssMb} MB; per call ${gp.cpuPctPerCall}% CPU, ${gp.rssKbPerCall} KB RSS (idle ${m.gateway.idle?.cpuPct ?? '?'}%, ${m.gateway.idle?.rssMb ?? '?'} MB)`
        : 'the run never held the planned number of calls up at once',
    },
    {
      name: 'load-resources-released',
      passed: leftovers.length === 0,
      value: leftovers.length === 0 ? `all 0; sockets ${m.sockets?.before ?? '?'}→${m.sockets?.after ?? '?'}` : leftovers.join('; '),
      limit: 'none left',
    },
  ];
}
