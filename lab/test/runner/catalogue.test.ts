import { describe, expect, it } from 'vitest';
import { formatElapsed, progressLine, summaryTable } from '../../src/runner/catalogue.js';
import type { ScenarioReport } from '../../src/runner/report.js';

const pass: ScenarioReport = { name: 'happy-path', passed: true, checks: [{ name: 'a', passed: true, value: 1, limit: 1 }], metrics: {}, outDir: '', durationMs: 11_300 };
const fail: ScenarioReport = {
  name: 'packet-loss-5pct',
  passed: false,
  checks: [
    { name: 'a', passed: true, value: 1, limit: 1 },
    { name: 'quality callerToModel.mos', passed: false, value: 3.1, limit: '≥ 3.5' },
  ],
  metrics: {},
  outDir: '',
  durationMs: 18_900,
};

describe('make scenarios output', () => {
  it('shows i/N, elapsed time and failures so far on the progress line', () => {
    expect(progressLine(3, 33, 'barge-in', 125_400, 1)).toBe('[ 3/33] 2:05  1 failed so far  running barge-in');
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(3_601_000)).toBe('60:01');
  });

  it('prints one summary row per scenario with result, checks and quality figures', () => {
    const table = summaryTable([pass, fail]).split('\n');
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(/^scenario\s+result\s+checks\s+MOS c→m\s+MOS m→c/);
    expect(table[2]).toMatch(/^happy-path\s+pass\s+1\/1\s+—/);
    expect(table[3]).toMatch(/^packet-loss-5pct\s+FAIL\s+1\/2\s.*18\.9$/);
  });
});
