import { describe, expect, it } from 'vitest';
import { GENERATOR_CHECK, repeatWhileLabFellBehind } from '../../src/load/repeat-run.js';
import type { ScenarioReport } from '../../src/runner/report.js';

/** A load report whose generator check passed or failed with `lag` ms, and one gateway check. */
function report(run: number, generatorKeptUp: boolean, lag: number, gatewayPassed = true): ScenarioReport {
  const checks = [
    { name: 'load-rtp-lost-in-gateway', passed: gatewayPassed, value: gatewayPassed ? 0 : 16, limit: '<= 0' },
    { name: GENERATOR_CHECK, passed: generatorKeptUp, value: lag, limit: 'worst 1-s p99 <= 100 ms' },
  ];
  return { name: 'load-x', passed: checks.every((c) => c.passed), checks, metrics: { run }, outDir: '' };
}

function runs(...reports: ScenarioReport[]): { run: () => Promise<ScenarioReport>; count: () => number } {
  let i = 0;
  return { run: async () => reports[Math.min(i++, reports.length - 1)] as ScenarioReport, count: () => i };
}

describe('a load run the lab fell behind in is repeated', () => {
  it('runs once when the lab kept up, even if the gateway failed', async () => {
    const r = runs(report(1, true, 20, false));
    const { report: last, fellBehindMs } = await repeatWhileLabFellBehind(r.run, 2);
    expect(r.count()).toBe(1);
    expect(last.passed).toBe(false);
    expect(fellBehindMs).toEqual([]);
  });

  it('repeats a run the lab fell behind in, and the repeat decides', async () => {
    const r = runs(report(1, false, 105, false), report(2, true, 15));
    const repeated: Array<number | null> = [];
    const { report: last, fellBehindMs } = await repeatWhileLabFellBehind(r.run, 2, (lag) => repeated.push(lag));
    expect(r.count()).toBe(2);
    expect(last.metrics.run).toBe(2);
    expect(last.passed).toBe(true);
    expect(fellBehindMs).toEqual([105]);
    expect(repeated).toEqual([105]);
  });

  it('stops at the bound: a lab that keeps falling behind fails the run', async () => {
    const r = runs(report(1, false, 105), report(2, false, 130), report(3, true, 10));
    const { report: last, fellBehindMs } = await repeatWhileLabFellBehind(r.run, 2);
    expect(r.count()).toBe(2);
    expect(last.passed).toBe(false);
    expect(fellBehindMs).toEqual([105]);
  });

  it('does not repeat a run that ended in an error before any check', async () => {
    const r = runs({ name: 'load-x', passed: false, checks: [], metrics: {}, outDir: '', error: 'gateway exited' });
    const { report: last } = await repeatWhileLabFellBehind(r.run, 3);
    expect(r.count()).toBe(1);
    expect(last.error).toBe('gateway exited');
  });
});
