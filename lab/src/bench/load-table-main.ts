/**
 * `make bench`'s capacity table: prints the markdown table of the named load runs' reports
 * (lab/out/<name>/report.json) and writes it to lab/out/bench/load-table.md.
 *
 *   node dist/lab/src/bench/load-table-main.js load-20 load-100 load-300 load-500
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../repo-root.js';
import type { ScenarioReport } from '../runner/report.js';
import { loadTable } from './load-table.js';

function main(names: string[]): void {
  if (names.length === 0 || names.some((n) => !/^[a-z0-9-]+$/.test(n))) {
    process.stderr.write('load-table: usage: load-table-main.js <load scenario name>...\n');
    process.exit(2);
  }
  const root = repoRoot();
  const rows = names.map((name) => {
    const path = join(root, 'lab', 'out', name, 'report.json');
    return { name, report: existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ScenarioReport) : undefined };
  });
  const table = loadTable(rows);
  const outDir = join(root, 'lab', 'out', 'bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'load-table.md'), `${table}\n`);
  process.stdout.write(`${table}\n(lab/out/bench/load-table.md)\n`);
}

main(process.argv.slice(2));
