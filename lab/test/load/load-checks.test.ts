/** Load checks: registered with their thresholds as parameters, judged against a run's figures. */
import { describe, expect, it } from 'vitest';
import { LOAD_CHECKS, loadChecks, loadThresholdsSchema, type LoadMetrics } from '../../src/load/index.js';

function metrics(over: Partial<LoadMetrics> = {}): LoadMetrics {
  return {
    calls: { planned: 100, attempted: 100, answered: 100, completed: 100, failed: 0, rejected: 0, gatewayHungUp: 0 },
    sipp: { exitCode: 0, created: 100, successful: 100, failed: 0, current: 0 },
    plateau: { calls: 100, seconds: 12 },
    gateway: { cpus: '0', idle: { cpuPct: 1, rssMb: 90 }, plateau: { cpuPct: 40, rssMb: 180, cpuPctPerCall: 0.39, rssKbPerCall: 920 }, peakRssMb: 190 },
    generator: { cpus: '1', sippCpuPct: 20, tapLoopLagWorstP99Ms: 12, runnerLoopLagWorstP99Ms: 15 },
    eventLoopLag: { seconds: 30, worstP99Ms: 20, medianP99Ms: 12, maxMs: 40 },
    wirePacing: { streams: 100, packets: 150_000, p50Ms: 2, p99Ms: 9, p999Ms: 20, maxMs: 40, notMeasured: 0 },
    wireMeasuredBy: 'capture',
    gatewayPacing: { calls: 100, worstP99Ms: 3, worstMaxMs: 8 },
    rtpLost: { notReceived: 0, jitterBufferDrops: 0, notSentToRealtime: 0, playoutDrops: 0, sendErrors: 0, total: 0, concealed: 0, callsWithoutSummary: 0, tapMissed: 0 },
    pinned: true,
    sockets: { before: 20, after: 20 },
    resources: { calls: 0, rtpPorts: 0 },
    reference: null,
    ratios: null,
    ...over,
  };
}

const scenario = { load: { concurrent: 100 } };
const thresholds = loadThresholdsSchema.parse({ wirePacingP99Ms: 60, eventLoopLagP99Ms: 150 });

describe('load checks', () => {
  it('every load check runs, named as registered, and a clean run passes them all', () => {
    const results = loadChecks({ ...scenario, thresholds }, metrics());
    expect(results.map((r) => r.name)).toEqual(LOAD_CHECKS.map((c) => c.name));
    expect(results.filter((r) => !r.passed)).toEqual([]);
  });

  it('each threshold is the limit of its own check', () => {
    const m = metrics({ wirePacing: { streams: 100, packets: 150_000, p50Ms: 2, p99Ms: 61, p999Ms: 80, maxMs: 90, notMeasured: 0 } });
    const failed = loadChecks({ ...scenario, thresholds }, m).filter((r) => !r.passed);
    expect(failed.map((r) => [r.name, r.value, r.limit])).toEqual([['load-wire-pacing', 61, 'p99 <= 60 ms']]);
    const looser = loadThresholdsSchema.parse({ wirePacingP99Ms: 70, eventLoopLagP99Ms: 150 });
    expect(loadChecks({ ...scenario, thresholds: looser }, m).every((r) => r.passed)).toBe(true);
  });

  it('defaults: no failed call, no RTP lost, generator p99 100 ms', () => {
    expect(thresholds).toEqual({ callsFailed: 0, rtpLostInGateway: 0, wirePacingP99Ms: 60, eventLoopLagP99Ms: 150, generatorLoopLagP99Ms: 100, cpuPctPerCall: 1, rssKbPerCall: 2_048, idleCpuPct: 10 });
    const lost = metrics({ rtpLost: { ...metrics().rtpLost, jitterBufferDrops: 1, total: 1 } });
    expect(loadChecks({ ...scenario, thresholds }, lost).find((r) => r.name === 'load-rtp-lost-in-gateway')?.passed).toBe(false);
  });

  it('capacity: each per-call limit and the idle limit fail on their own, and the reference ratios are shown', () => {
    const goals = loadThresholdsSchema.parse({ wirePacingP99Ms: 60, eventLoopLagP99Ms: 150, cpuPctPerCall: 0.2, rssKbPerCall: 150, idleCpuPct: 2 });
    const capacity = (m: LoadMetrics) => loadChecks({ ...scenario, thresholds: goals }, m).find((r) => r.name === 'load-capacity');
    const gw = (cpuPctPerCall: number, rssKbPerCall: number, idleCpu: number): Partial<LoadMetrics> => ({
      gateway: { cpus: '0', idle: { cpuPct: idleCpu, rssMb: 90 }, plateau: { cpuPct: 40, rssMb: 180, cpuPctPerCall, rssKbPerCall }, peakRssMb: 190 },
    });
    expect(capacity(metrics(gw(0.39, 100, 1)))?.detail).toContain('CPU per call 0.39% > 0.2%');
    expect(capacity(metrics(gw(0.19, 151, 1)))?.detail).toContain('RSS per call 151 KB > 150 KB');
    expect(capacity(metrics(gw(0.19, 100, 2.5)))?.detail).toContain('idle CPU 2.5% > 2%');
    expect(capacity(metrics(gw(0.39, 100, 1)))?.passed).toBe(false);
    const reference = {
      streams: 100,
      seconds: 20,
      cpuPct: 10,
      cpuPctPerStream: 0.1,
      rssMb: 50,
      wirePacing: { streams: 100, packets: 100_000, p50Ms: 0.5, p99Ms: 1.5, p999Ms: 3, maxMs: 5, notMeasured: 0 },
      eventLoopLag: { worstP99Ms: 2, medianP99Ms: 1 },
      lostInbound: 0,
      wireMeasuredBy: 'capture' as const,
    };
    const ok = capacity(metrics({ ...gw(0.19, 100, 1), reference, ratios: { cpuPerCall: 1.9, wirePacingP99: 6, eventLoopLagP99: 10 } }));
    expect(ok?.passed).toBe(true);
    expect(ok?.detail).toContain('CPU per call ×1.9, wire p99 ×6, loop p99 ×10');
    expect(capacity(metrics({ gateway: { cpus: '0', idle: null, plateau: null, peakRssMb: 0 } }))?.passed).toBe(false);
  });
});
