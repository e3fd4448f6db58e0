/**
 * A load run in which the lab's own side fell behind (check load-generator-kept-up failed) measured
 * the lab, not the gateway: its receive times, pacing and loss figures are the generator's. Such a
 * run is repeated, up to a bound; the last report stands and says which runs were repeated and why.
 */
import type { ScenarioReport } from '../runner/report.js';

export const GENERATOR_CHECK = 'load-generator-kept-up';

export interface RepeatedRun {
  report: ScenarioReport;
  /** The lab's event-loop delay p99 (ms) of each run that was repeated, in order. */
  fellBehindMs: Array<number | null>;
}

export async function repeatWhileLabFellBehind(
  run: () => Promise<ScenarioReport>,
  maxRuns: number,
  onRepeat: (lagMs: number | null) => void = () => undefined,
): Promise<RepeatedRun> {
  const fellBehindMs: Array<number | null> = [];
  let report = await run();
  while (fellBehindMs.length + 1 < maxRuns) {
    const generator = report.checks.find((c) => c.name === GENERATOR_CHECK);
    if (generator === undefined || generator.passed) break;
    const lag = typeof generator.value === 'number' ? generator.value : null;
    fellBehindMs.push(lag);
    onRepeat(lag);
    report = await run();
  }
  return { report, fellBehindMs };
}
