import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallQuality } from '../quality/call-quality.js';
import type { CheckResult } from './evidence.js';

export interface ScenarioReport {
  name: string;
  passed: boolean;
  checks: CheckResult[];
  metrics: Record<string, unknown>;
  /** Set when the run itself failed (could not start a component, timed out). */
  error?: string;
  outDir: string;
  /** Audio quality of both directions (absent when the run failed before the call). */
  quality?: CallQuality;
  /** The network impairment seed the run used. */
  seed?: number;
  /** Wall time of the run, ms. */
  durationMs?: number;
}

export function writeReport(outDir: string, report: ScenarioReport): string {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'report.json');
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

export function formatReport(report: ScenarioReport): string {
  const lines = [`${report.passed ? 'PASS' : 'FAIL'}  ${report.name}`];
  if (report.error) lines.push(`  error: ${report.error}`);
  for (const c of report.checks) {
    const mark = c.passed ? 'ok  ' : 'FAIL';
    lines.push(`  ${mark} ${c.name.padEnd(38)} ${String(c.value)}  (limit ${String(c.limit)})${c.detail && !c.passed ? `  ${c.detail}` : ''}`);
  }
  return lines.join('\n');
}
