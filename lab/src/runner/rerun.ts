/**
 * `--rerun-failed`: a catalogue run on a shared machine runs a failed scenario once more. One
 * scheduling hiccup then does not fail a release check, while a real failure (it fails twice) still
 * does; the first run's failures stay in the report (`firstRunFailed`) and the summary names every
 * scenario that passed only on its second run.
 */
import type { ScenarioReport } from './report.js';

export interface RerunOutcome {
  report: ScenarioReport;
  /** True when the first run failed and the second passed. */
  passedOnRerun: boolean;
}

/** What failed in a run, one line per failed check (or the error that stopped it). */
export function failuresOf(report: ScenarioReport): string[] {
  if (report.error !== undefined) return [report.error];
  return report.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${String(c.value)}`);
}

export async function runWithRerun(run: () => Promise<ScenarioReport>, rerun: boolean, onFirstFailure: (first: ScenarioReport) => void = () => undefined): Promise<RerunOutcome> {
  const first = await run();
  if (first.passed || !rerun) return { report: first, passedOnRerun: false };
  onFirstFailure(first);
  const second = await run();
  second.metrics.firstRunFailed = failuresOf(first);
  return { report: second, passedOnRerun: second.passed };
}
