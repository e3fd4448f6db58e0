import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexPage } from '../report/index-page.js';
import type { ScenarioReport } from './report.js';

/**
 * What `make scenarios` shows while and after it runs: one progress line per scenario (i/N, elapsed,
 * failures so far), a summary table, and lab/out/index.html.
 */
export function progressLine(i: number, n: number, name: string, elapsedMs: number, failures: number): string {
  return `[${String(i).padStart(String(n).length)}/${n}] ${formatElapsed(elapsedMs)}  ${failures} failed so far  running ${name}`;
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function cell(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/** A plain-text table: scenario, result, checks, MOS and SNR each way, latency each way, seconds. */
export function summaryTable(reports: readonly ScenarioReport[]): string {
  const head = ['scenario', 'result', 'checks', 'MOS c→m', 'MOS m→c', 'SNR c→m', 'SNR m→c', 'lat c→m', 'lat m→c', 's'];
  const rows = reports.map((r) => {
    const q = r.quality;
    return [
      r.name,
      r.passed ? 'pass' : 'FAIL',
      `${r.checks.filter((c) => c.passed).length}/${r.checks.length}`,
      cell(q?.callerToModel.emodel?.mos, 2),
      cell(q?.modelToCaller.emodel?.mos, 2),
      cell(q?.callerToModel.snrDb, 1),
      cell(q?.modelToCaller.snrDb, 1),
      cell(q?.callerToModel.latencyMs, 0),
      cell(q?.modelToCaller.latencyMs, 0),
      cell(r.durationMs !== undefined ? r.durationMs / 1000 : undefined, 1),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Writes lab/out/index.html for the run; returns its path. */
export function writeIndex(root: string, reports: readonly ScenarioReport[], elapsedMs: number): string {
  const path = join(root, 'lab', 'out', 'index.html');
  writeFileSync(path, indexPage(reports, { title: reports.length === 1 ? `Lab run: ${reports[0]!.name}` : `Lab run: ${reports.length} scenarios`, elapsedMs }));
  return path;
}
