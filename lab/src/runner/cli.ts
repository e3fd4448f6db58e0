/**
 * `make scenario NAME=<name>` / `make scenarios`: runs lab scenarios and exits non-zero when any
 * expectation fails. Usage: cli.js <name> | --all | --list
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../repo-root.js';
import { loadScenario, ScenarioError } from './load-scenario.js';
import { formatReport } from './report.js';
import { runScenario } from './run-scenario.js';

function usage(message: string): never {
  process.stderr.write(`scenario: ${message}\nusage: scenario <name> | --all | --list\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  const root = repoRoot();
  const all = readdirSync(join(root, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
  if (argv.length !== 1) usage(argv.length === 0 ? 'name a scenario' : 'one scenario at a time (or --all)');
  const arg = argv[0]!;
  if (arg === '--list') {
    process.stdout.write(`${all.join('\n')}\n`);
    return 0;
  }
  if (arg.startsWith('-') && arg !== '--all') usage(`unknown flag ${arg}`);
  const names = arg === '--all' ? all : [arg];
  // Validate every file first: a typo in the last scenario should not wait for the others to run.
  let scenarios;
  try {
    scenarios = names.map((n) => loadScenario(root, n));
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`scenario: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let failed = 0;
  for (const scenario of scenarios) {
    const report = await runScenario(root, scenario);
    process.stdout.write(`${formatReport(report)}\n  report: ${join('lab', 'out', scenario.name, 'report.json')}\n`);
    if (!report.passed) failed++;
  }
  if (scenarios.length > 1) process.stdout.write(`scenarios: ${scenarios.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`scenario: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
