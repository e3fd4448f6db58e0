/**
 * The capacity table of `make bench`: one row per load run (lab/out/<name>/report.json) with the
 * gateway's figures on the plateau and, beside them, the bare reference pacer of the same run and
 * the ratios, so two machines (or two builds, LAB_GATEWAY_BUILD) compare by ratio rather than by
 * absolute figures (load-table-main.ts prints it).
 */
import type { LoadMetrics } from '../load/index.js';
import type { ScenarioReport } from '../runner/report.js';

const HEADER = [
  'concurrent calls',
  'gateway CPU (one core)',
  'per call',
  'RSS per call',
  'idle CPU',
  'wire pacing p99',
  'event-loop p99',
  'RTP lost in gateway',
  'calls failed',
  'reference CPU (per stream)',
  'reference wire p99',
  'CPU/call ÷ reference',
  'wire p99 ÷ reference',
];

const cell = (v: number | null | undefined, unit = ''): string => (v === null || v === undefined ? '–' : `${v}${unit}`);

/** One markdown row of a load report, or a row saying why there is none. */
export function loadTableRow(name: string, report: ScenarioReport | undefined): string {
  if (report === undefined) return `| ${name}: not run | ${HEADER.slice(1).map(() => '').join(' | ')} |`;
  const m = report.metrics as unknown as Partial<LoadMetrics>;
  if (report.error !== undefined || m.calls === undefined) return `| ${name}: ${report.error ?? 'no figures'} | ${HEADER.slice(1).map(() => '').join(' | ')} |`;
  const gp = m.gateway?.plateau ?? null;
  const ref = m.reference ?? null;
  const cells = [
    `${m.plateau?.calls ?? m.calls.planned}${report.passed ? '' : ' (failed checks)'}`,
    cell(gp?.cpuPct, ' %'),
    cell(gp?.cpuPctPerCall, ' %'),
    cell(gp?.rssKbPerCall, ' KB'),
    cell(m.gateway?.idle?.cpuPct, ' %'),
    cell(m.wirePacing?.p99Ms, ' ms'),
    cell(m.eventLoopLag?.worstP99Ms, ' ms'),
    cell(m.rtpLost?.total),
    cell(m.calls.failed),
    ref ? `${ref.cpuPct} % (${ref.cpuPctPerStream} %)` : '–',
    cell(ref?.wirePacing.p99Ms, ' ms'),
    cell(m.ratios?.cpuPerCall, '×'),
    cell(m.ratios?.wirePacingP99, '×'),
  ];
  return `| ${cells.join(' | ')} |`;
}

export function loadTable(rows: Array<{ name: string; report: ScenarioReport | undefined }>): string {
  return [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`, ...rows.map((r) => loadTableRow(r.name, r.report))].join('\n');
}
