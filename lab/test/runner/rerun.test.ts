import { describe, expect, it } from 'vitest';
import { runWithRerun } from '../../src/runner/rerun.js';
import type { ScenarioReport } from '../../src/runner/report.js';

function report(passed: boolean, run: number): ScenarioReport {
  return { name: 's', passed, checks: [{ name: 'outbound-pacing', passed, value: passed ? 3 : 12, limit: 10 }], metrics: { run }, outDir: '' };
}

function runs(...outcomes: boolean[]): { run: () => Promise<ScenarioReport>; count: () => number } {
  let i = 0;
  return { run: async () => report(outcomes[i] ?? false, ++i), count: () => i };
}

describe('--rerun-failed', () => {
  it('runs a passing scenario once', async () => {
    const r = runs(true);
    const out = await runWithRerun(r.run, true);
    expect(r.count()).toBe(1);
    expect(out).toMatchObject({ passedOnRerun: false, report: { passed: true } });
  });

  it('runs a failed scenario once more, keeps the first failures in the report, and says it passed on the rerun', async () => {
    const r = runs(false, true);
    const firsts: ScenarioReport[] = [];
    const out = await runWithRerun(r.run, true, (f) => firsts.push(f));
    expect(r.count()).toBe(2);
    expect(firsts.map((f) => f.metrics.run)).toEqual([1]);
    expect(out.passedOnRerun).toBe(true);
    expect(out.report.metrics).toMatchObject({ run: 2, firstRunFailed: ['outbound-pacing: 12'] });
  });

  it('fails a scenario that fails twice', async () => {
    const r = runs(false, false);
    const out = await runWithRerun(r.run, true);
    expect(r.count()).toBe(2);
    expect(out).toMatchObject({ passedOnRerun: false, report: { passed: false } });
  });

  it('does not rerun without the flag', async () => {
    const r = runs(false, true);
    const out = await runWithRerun(r.run, false);
    expect(r.count()).toBe(1);
    expect(out.report.passed).toBe(false);
  });

  it('reports the error of a run that stopped before its checks', async () => {
    let i = 0;
    const out = await runWithRerun(async () => (i++ === 0 ? { name: 's', passed: false, checks: [], metrics: {}, outDir: '', error: 'gateway exited' } : report(true, 2)), true);
    expect(out.report.metrics.firstRunFailed).toEqual(['gateway exited']);
  });
});
