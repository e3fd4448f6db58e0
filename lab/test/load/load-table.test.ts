/** make bench's capacity table: one row per load report, the reference and the ratios beside. */
import { describe, expect, it } from 'vitest';
import { loadTable, loadTableRow } from '../../src/bench/load-table.js';
import type { ScenarioReport } from '../../src/runner/report.js';

const report = (over: Record<string, unknown> = {}, passed = true): ScenarioReport => ({
  name: 'load-300',
  passed,
  checks: [],
  outDir: '/tmp/x',
  metrics: {
    calls: { planned: 300, attempted: 300, answered: 300, completed: 300, failed: 0, rejected: 0, gatewayHungUp: 0 },
    plateau: { calls: 300, seconds: 20 },
    gateway: { cpus: '0', idle: { cpuPct: 1.5, rssMb: 90 }, plateau: { cpuPct: 55, rssMb: 130, cpuPctPerCall: 0.178, rssKbPerCall: 140 }, peakRssMb: 140 },
    wirePacing: { streams: 300, packets: 1, p50Ms: 0.5, p99Ms: 3.2, p999Ms: 5, maxMs: 9, notMeasured: 0 },
    eventLoopLag: { seconds: 40, worstP99Ms: 4.1, medianP99Ms: 2, maxMs: 12 },
    rtpLost: { total: 0 },
    reference: { streams: 300, seconds: 20, cpuPct: 30, cpuPctPerStream: 0.1, rssMb: 50, wirePacing: { p99Ms: 1.6 }, eventLoopLag: null, lostInbound: 0 },
    ratios: { cpuPerCall: 1.78, wirePacingP99: 2, eventLoopLagP99: null },
    ...over,
  },
});

describe('load table', () => {
  it('a row carries the plateau figures, the reference and the ratios', () => {
    expect(loadTableRow('load-300', report())).toBe('| 300 | 55 % | 0.178 % | 140 KB | 1.5 % | 3.2 ms | 4.1 ms | 0 | 0 | 30 % (0.1 %) | 1.6 ms | 1.78× | 2× |');
  });

  it('says when a run failed its checks, failed outright, had no reference, or was not run', () => {
    expect(loadTableRow('load-300', report({}, false))).toMatch(/^\| 300 \(failed checks\) \|/);
    expect(loadTableRow('load-300', { ...report(), error: 'load run timed out after 420 s' })).toMatch(/^\| load-300: load run timed out after 420 s \|/);
    expect(loadTableRow('load-300', report({ reference: null, ratios: null }))).toMatch(/\| – \| – \| – \| – \|$/);
    expect(loadTableRow('load-500', undefined)).toMatch(/^\| load-500: not run \|/);
    const table = loadTable([{ name: 'load-300', report: report() }, { name: 'load-500', report: undefined }]).split('\n');
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(/^\| concurrent calls \|/);
    expect(table.every((l) => l.split('|').length === table[0]!.split('|').length)).toBe(true);
  });
});
