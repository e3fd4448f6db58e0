/**
 * `make scenario NAME=<name> [SEED=n]` / `make scenarios`: runs lab scenarios, writes each report and
 * lab/out/index.html, and exits non-zero when any expectation fails.
 * Usage: cli.js <name> | --all | --list, with --seed <n> to override the network impairment seed.
 * LAB_BACKEND=containers runs each part in its own container (docs/lab.md); exit 3 when that backend
 * cannot start (no engine, no image).
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../repo-root.js';
import { backendName, createBackend } from './backends/index.js';
import { LoadScenarioError, loadLoadScenario, runLoad, type LoadScenario } from '../load/index.js';
import { loadScenario, ScenarioError } from './load-scenario.js';
import { formatElapsed, progressLine, summaryTable, writeIndex } from './catalogue.js';
import { formatReport, type ScenarioReport } from './report.js';
import { runScenario } from './run-scenario.js';
import { describeError } from 'connect-realtime-gateway';
import { loadOpsScenario, OpsScenarioError, type OpsScenario } from './ops/ops-scenario.js';
import { scenarioKind } from './scenario-file.js';
import { runOpsScenario } from './ops/run-ops-scenario.js';
import { runWithRerun } from './rerun.js';
import type { Scenario } from './scenario-schema.js';

/** A call scenario, a load run, or an operations scenario (an `operations:` section: several gateway processes, signals). */
type Planned = { name: string; load: LoadScenario } | { name: string; ops: OpsScenario } | { name: string; call: Scenario };

function usage(message: string): never {
  process.stderr.write(`scenario: ${message}\nusage: scenario <name> | --all | --list  [--seed <n>] [--rerun-failed]\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  const root = repoRoot();
  const all = readdirSync(join(root, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
  const args = [...argv];
  let seed: number | undefined;
  const seedAt = args.indexOf('--seed');
  if (seedAt >= 0) {
    const value = args[seedAt + 1];
    if (value === undefined || !/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) usage(`--seed needs an integer, got ${value ?? 'nothing'}`);
    seed = Number(value);
    args.splice(seedAt, 2);
  }
  // A catalogue run on a shared machine reruns a failed scenario once (rerun.ts).
  const rerunAt = args.indexOf('--rerun-failed');
  const rerunFailed = rerunAt >= 0;
  if (rerunFailed) args.splice(rerunAt, 1);
  if (args.length !== 1) usage(args.length === 0 ? 'name a scenario' : 'one scenario at a time (or --all)');
  const arg = args[0]!;
  if (arg === '--list') {
    process.stdout.write(`${all.join('\n')}\n`);
    return 0;
  }
  if (arg.startsWith('-') && arg !== '--all') usage(`unknown flag ${arg}`);
  const names = arg === '--all' ? all : [arg];
  // Validate every file first: a typo in the last scenario should not wait for the others to run.
  let scenarios: Planned[];
  try {
    scenarios = names.map((n): Planned => {
      const kind = scenarioKind(root, n);
      return kind === 'load' ? { name: n, load: loadLoadScenario(root, n) } : kind === 'operations' ? { name: n, ops: loadOpsScenario(root, n) } : { name: n, call: loadScenario(root, n) };
    });
    // --all: every call scenario and the load runs of the test suite (the bench ones: make bench).
    if (arg === '--all') scenarios = scenarios.filter((p) => !('load' in p) || p.load.suite === 'test');
  } catch (err) {
    if (err instanceof ScenarioError || err instanceof LoadScenarioError || err instanceof OpsScenarioError) {
      process.stderr.write(`scenario: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // Load runs and operations scenarios have no impairment to seed.
  if (seed !== undefined) for (const p of scenarios) if ('call' in p) p.call.network.seed = seed;
  let backend;
  try {
    backend = await createBackend(root, backendName(process.env.LAB_BACKEND));
  } catch (err) {
    process.stderr.write(`scenario: LAB_BACKEND=${process.env.LAB_BACKEND ?? ''}: ${describeError(err)}\n`);
    return 3;
  }
  if (backend.name !== 'local') {
    process.stdout.write(`backend ${backend.name}: ${Object.entries(backend.describe()).map(([k, v]) => `${k} ${v}`).join('; ')}\n`);
  }
  mkdirSync(join(root, 'lab', 'out'), { recursive: true });
  const started = performance.now();
  const reports: ScenarioReport[] = [];
  let failed = 0;
  const passedOnRerun: string[] = [];
  try {
    for (const [i, scenario] of scenarios.entries()) {
      if (scenarios.length > 1) process.stdout.write(`${progressLine(i + 1, scenarios.length, scenario.name, performance.now() - started, failed)}\n`);
      // Operations scenarios start their own local gateway processes (and Kamailio), whatever the backend.
      const run = (): Promise<ScenarioReport> =>
        'load' in scenario ? runLoad(root, scenario.load, backend) : 'ops' in scenario ? runOpsScenario(root, scenario.ops) : runScenario(root, scenario.call, backend);
      const { report, passedOnRerun: second } = await runWithRerun(run, rerunFailed, (first) => {
        process.stdout.write(`${formatReport(first)}\n  ${scenario.name} failed; running it once more (--rerun-failed)\n`);
      });
      if (second) passedOnRerun.push(scenario.name);
      reports.push(report);
      process.stdout.write(`${formatReport(report)}\n  report: ${join('lab', 'out', scenario.name, 'report.html')}\n`);
      if (!report.passed) failed++;
    }
  } finally {
    await backend.close();
  }
  const elapsed = performance.now() - started;
  if (scenarios.length > 1) {
    // The run index covers a catalogue run; one scenario on its own leaves the last catalogue's page be.
    writeIndex(root, reports, elapsed);
    process.stdout.write(`\n${summaryTable(reports)}\n\nindex: ${join('lab', 'out', 'index.html')}\n`);
    const rerun = passedOnRerun.length ? ` (${passedOnRerun.length} on a second run: ${passedOnRerun.join(', ')})` : '';
    process.stdout.write(`scenarios: ${scenarios.length - failed} passed${rerun}, ${failed} failed in ${formatElapsed(elapsed)}\n`);
  }
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`scenario: ${describeError(err, { stack: true })}\n`);
    process.exit(1);
  },
);
