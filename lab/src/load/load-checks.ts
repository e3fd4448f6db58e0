/**
 * A load run's checks, registered like every scenario check (`defineCheck`): each one's thresholds are
 * its parameters — validated as the load scenario's `thresholds:` section, documented in docs/lab.md
 * by `make docs` — and each result shows the measured value beside its limit.
 */
import { z } from 'zod';
import type { CheckResult } from '../runner/evidence.js';
import { defineCheck, type RegisteredCheck } from '../runner/checks/define.js';
import type { LoadScenario } from './load-spec.js';
import type { LoadMetrics } from './run-load.js';

/** What a load check judges: the run as planned and the figures it produced. */
export interface LoadRun {
  scenario: { load: Pick<LoadScenario['load'], 'concurrent'> };
  metrics: LoadMetrics;
}

/** Shortest plateau the per-call figures may be taken from, s. */
const MIN_PLATEAU_S = 3;

export const LOAD_CHECKS: ReadonlyArray<RegisteredCheck<LoadRun>> = [
  defineCheck({
    name: 'load-calls-attempted',
    doc: 'SIPp created every planned call (`load.calls`)',
    params: {},
    run(spec, { metrics: m }: LoadRun) {
      const c = m.calls;
      return { name: spec.check, passed: c.attempted === c.planned, value: c.attempted, limit: c.planned, detail: `SIPp created ${c.attempted} of ${c.planned} calls` };
    },
  }),
  defineCheck({
    name: 'load-calls-failed',
    doc: 'at most `callsFailed` calls failed: failed = attempted − calls whose caller BYE got 200 (rejections, gateway hang-ups, unanswered), with SIPp\'s own counts; SIPp exited 0 when none did',
    params: {
      callsFailed: z.number().int().min(0).default(0).describe('most failed calls'),
    },
    run(spec, { metrics: m }: LoadRun) {
      const c = m.calls;
      const sippExit = m.sipp?.exitCode ?? null;
      return {
        name: spec.check,
        passed: c.failed <= spec.callsFailed && (c.failed > 0 || sippExit === 0),
        value: c.failed,
        limit: `<= ${spec.callsFailed}`,
        detail: `answered ${c.answered}, completed ${c.completed}, rejected ${c.rejected}, hung up by the gateway ${c.gatewayHungUp}; SIPp exit ${String(sippExit)}`,
      };
    },
  }),
  defineCheck({
    name: 'load-rtp-lost-in-gateway',
    doc: 'at most `rtpLostInGateway` packets were lost inside the gateway, per call (by Call-ID): packets the tap delivered to its port that it never received, jitter-buffer late/overflow drops, caller audio not sent to Realtime, agent audio dropped from the playout queue, send errors (concealed frames and packets the tap missed shown beside); every call wrote its summary',
    params: {
      rtpLostInGateway: z.number().int().min(0).default(0).describe('most packets lost inside the gateway, all calls together'),
    },
    run(spec, { metrics: m }: LoadRun) {
      const lost = m.rtpLost;
      return {
        name: spec.check,
        passed: lost.total <= spec.rtpLostInGateway && lost.callsWithoutSummary === 0,
        value: lost.total,
        limit: `<= ${spec.rtpLostInGateway}`,
        detail:
          `not received ${lost.notReceived}, jitter-buffer drops ${lost.jitterBufferDrops}, not sent to Realtime ${lost.notSentToRealtime}, ` +
          `playout drops ${lost.playoutDrops}, send errors ${lost.sendErrors}; concealed ${lost.concealed}; calls without a summary ${lost.callsWithoutSummary}; tap missed ${lost.tapMissed}`,
      };
    },
  }),
  defineCheck({
    name: 'load-wire-pacing',
    doc: 'the gateway\'s RTP on the wire — for each packet, its time on loopback (dumpcap\'s kernel timestamp; without dumpcap, its arrival at the load tap) − its RTP timestamp, against the stream\'s earliest packet, over every packet of every call — has p99 ≤ `wirePacingP99Ms` (p50/p99.9/max and the gateway\'s own per-call send lateness shown beside it)',
    params: {
      wirePacingP99Ms: z.number().positive().describe('largest p99 wire lateness, ms (measured by the tap, without dumpcap, it includes the tap\'s own scheduling noise)'),
    },
    run(spec, { metrics: m }: LoadRun) {
      const w = m.wirePacing;
      return {
        name: spec.check,
        passed: w.packets > 0 && w.p99Ms <= spec.wirePacingP99Ms,
        value: w.p99Ms,
        limit: `p99 <= ${spec.wirePacingP99Ms} ms`,
        detail: `lateness on the wire p50 ${w.p50Ms} / p99 ${w.p99Ms} / p99.9 ${w.p999Ms} / max ${w.maxMs} ms over ${w.packets} packets of ${w.streams} streams (${m.wireMeasuredBy === 'capture' ? 'kernel capture' : 'at the load tap'}); the gateway's own worst call p99 ${m.gatewayPacing.worstP99Ms} ms`,
      };
    },
  }),
  defineCheck({
    name: 'load-event-loop-lag',
    doc: 'the gateway\'s event-loop delay (how late a 10 ms timer runs): its worst one-second p99 while calls were up ≤ `eventLoopLagP99Ms` (the median beside it)',
    params: {
      eventLoopLagP99Ms: z.number().positive().describe('largest one-second event-loop-delay p99 of the gateway, ms'),
    },
    run(spec, { metrics: m }: LoadRun) {
      const lag = m.eventLoopLag;
      return {
        name: spec.check,
        passed: lag !== null && lag.worstP99Ms <= spec.eventLoopLagP99Ms,
        value: lag?.worstP99Ms ?? null,
        limit: `worst 1-s p99 <= ${spec.eventLoopLagP99Ms} ms`,
        detail: lag ? `median 1-s p99 ${lag.medianP99Ms} ms, max ${lag.maxMs} ms over ${lag.seconds} s` : 'no event-loop samples',
      };
    },
  }),
  defineCheck({
    name: 'load-generator-kept-up',
    doc: 'the lab\'s own side kept up: the tap\'s and the runner\'s (fakes\') event-loop delay p99 ≤ `generatorLoopLagP99Ms`; above it the receive times, hence the pacing and loss figures, are the lab\'s, not the gateway\'s, so such a run is repeated once and the repeat decides (`repeatedAfterLabLagMs` in the report)',
    params: {
      generatorLoopLagP99Ms: z.number().positive().default(100).describe('largest one-second event-loop-delay p99 of the tap and the runner, ms'),
    },
    run(spec, { metrics: m }: LoadRun) {
      const gen = m.generator;
      const worst = gen.tapLoopLagWorstP99Ms === null || gen.runnerLoopLagWorstP99Ms === null ? null : Math.max(gen.tapLoopLagWorstP99Ms, gen.runnerLoopLagWorstP99Ms);
      return {
        name: spec.check,
        passed: worst !== null && worst <= spec.generatorLoopLagP99Ms,
        value: worst,
        limit: `worst 1-s p99 <= ${spec.generatorLoopLagP99Ms} ms`,
        detail: `event-loop delay of the tap ${String(gen.tapLoopLagWorstP99Ms)} ms, of the runner (fakes) ${String(gen.runnerLoopLagWorstP99Ms)} ms; SIPp ${String(gen.sippCpuPct)}% of a core on CPUs ${gen.cpus}`,
      };
    },
  }),
  defineCheck({
    name: 'load-plateau-measured',
    doc: `the run held \`load.concurrent\` calls up at once for ≥ ${MIN_PLATEAU_S} s; on that plateau the gateway's CPU (% of its core) and RSS, and per call (plateau − idle) / calls`,
    params: {},
    run(spec, { scenario, metrics: m }: LoadRun) {
      const plateau = m.plateau;
      const gp = m.gateway.plateau;
      return {
        name: spec.check,
        passed: plateau !== null && plateau.seconds >= MIN_PLATEAU_S && gp !== null,
        value: plateau ? `${plateau.calls} calls for ${plateau.seconds} s` : null,
        limit: `>= ${MIN_PLATEAU_S} s at ${scenario.load.concurrent} calls`,
        detail: gp
          ? `gateway ${gp.cpuPct}% of a core, ${gp.rssMb} MB; per call ${gp.cpuPctPerCall}% CPU, ${gp.rssKbPerCall} KB RSS (idle ${m.gateway.idle?.cpuPct ?? '?'}%, ${m.gateway.idle?.rssMb ?? '?'} MB)`
          : 'the run never held the planned number of calls up at once',
      };
    },
  }),
  defineCheck({
    name: 'load-capacity',
    doc: 'the cost of a call on the plateau: per call (plateau − idle) / calls at most `cpuPctPerCall` % of a core and `rssKbPerCall` KB of RSS, and the gateway idle before the first call at most `idleCpuPct` % of a core; with a `reference:` section the bare pacer\'s figures of the same run and the gateway\'s ratios to them are shown beside',
    params: {
      cpuPctPerCall: z.number().positive().default(1).describe('most CPU per call on the plateau, % of one core'),
      rssKbPerCall: z.number().positive().default(2_048).describe('most RSS per call on the plateau over idle, KB'),
      idleCpuPct: z.number().positive().default(10).describe('most CPU of the idle gateway before the first call, % of one core'),
    },
    run(spec, { metrics: m }: LoadRun) {
      const gp = m.gateway.plateau;
      const idle = m.gateway.idle;
      const over: string[] = [];
      if (gp === null || idle === null) over.push('no plateau or idle figure');
      else {
        if (gp.cpuPctPerCall > spec.cpuPctPerCall) over.push(`CPU per call ${gp.cpuPctPerCall}% > ${spec.cpuPctPerCall}%`);
        if (gp.rssKbPerCall > spec.rssKbPerCall) over.push(`RSS per call ${gp.rssKbPerCall} KB > ${spec.rssKbPerCall} KB`);
        if (idle.cpuPct > spec.idleCpuPct) over.push(`idle CPU ${idle.cpuPct}% > ${spec.idleCpuPct}%`);
      }
      const ref = m.reference;
      const r = m.ratios;
      const beside = ref
        ? `; reference pacer ${ref.streams} streams: ${ref.cpuPct}% of a core (${ref.cpuPctPerStream}% per stream), wire p99 ${ref.wirePacing.p99Ms} ms, loop p99 ${ref.eventLoopLag?.worstP99Ms ?? '?'} ms; ` +
          `gateway ÷ reference: CPU per call ×${r?.cpuPerCall ?? '?'}, wire p99 ×${r?.wirePacingP99 ?? '?'}, loop p99 ×${r?.eventLoopLagP99 ?? '?'}`
        : '';
      return {
        name: spec.check,
        passed: over.length === 0,
        value: gp ? `${gp.cpuPctPerCall}% and ${gp.rssKbPerCall} KB per call, idle ${idle?.cpuPct ?? '?'}%` : null,
        limit: `<= ${spec.cpuPctPerCall}% and ${spec.rssKbPerCall} KB per call, idle <= ${spec.idleCpuPct}%`,
        detail: `${over.length ? over.join('; ') : 'within limits'}${beside}`,
      };
    },
  }),
  defineCheck({
    name: 'load-resources-released',
    doc: 'after the last call: no calls, ports, streams or timers left in the gateway, no more sockets than before',
    params: {},
    run(spec, { metrics: m }: LoadRun) {
      const res = m.resources;
      const leftovers = res ? Object.entries(res).filter(([, v]) => v !== 0).map(([k, v]) => `${k}=${v}`) : ['no "call ended" summary'];
      if (m.sockets && m.sockets.after > m.sockets.before) leftovers.push(`${m.sockets.after - m.sockets.before} more open sockets than before the run`);
      return {
        name: spec.check,
        passed: leftovers.length === 0,
        value: leftovers.length === 0 ? `all 0; sockets ${m.sockets?.before ?? '?'}→${m.sockets?.after ?? '?'}` : leftovers.join('; '),
        limit: 'none left',
      };
    },
  }),
];

const byName = new Set(LOAD_CHECKS.map((c) => c.name));
if (byName.size !== LOAD_CHECKS.length) throw new Error('two load checks share a name');

/** The `thresholds:` section of a load scenario: every load check's parameters, strict. */
export const loadThresholdsSchema = z.strictObject(Object.assign({}, ...LOAD_CHECKS.map((c) => c.paramShape)) as z.ZodRawShape);

/** Every load check, each given the thresholds it reads. */
export function loadChecks(s: LoadRun['scenario'] & Pick<LoadScenario, 'thresholds'>, metrics: LoadMetrics): CheckResult[] {
  return LOAD_CHECKS.map((c) => c.run({ check: c.name, ...s.thresholds }, { scenario: s, metrics }));
}
