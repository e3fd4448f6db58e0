/**
 * `make docs`: regenerates the generated parts of docs/lab.md — the check lists from the check
 * registries (scenario checks, load checks, operations checks) and the quality limits from their schema — so every parameter a scenario can set is
 * documented where it is defined. lab/test/runner/docs.test.ts fails when docs/lab.md is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIMIT_DOCS } from '../quality/thresholds.js';
import { repoRoot } from '../repo-root.js';
import { LOAD_CHECKS } from '../load/load-checks.js';
import { checksMarkdown } from './checks/registry.js';
import { OPS_CHECKS } from './ops/ops-checks.js';

export function qualityLimitsMarkdown(): string {
  const rows = Object.entries(LIMIT_DOCS).map(([name, doc]) => `| \`${name}\` | ${doc} |`);
  return ['| limit | meaning |', '|---|---|', ...rows].join('\n');
}

const SECTIONS: Record<string, () => string> = {
  checks: () => checksMarkdown(),
  'quality-limits': qualityLimitsMarkdown,
  'load-checks': () => checksMarkdown(LOAD_CHECKS, '`thresholds:` it reads'),
  'operations-checks': () => checksMarkdown(OPS_CHECKS),
};

/** docs/lab.md with every generated section replaced by what the code says now. */
export function regenerate(text: string): string {
  let out = text;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const begin = `<!-- generated:${name} (make docs) -->`;
    const end = `<!-- end:${name} -->`;
    const a = out.indexOf(begin);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`docs/lab.md: missing the ${begin} … ${end} markers`);
    out = `${out.slice(0, a + begin.length)}\n${render()}\n${out.slice(b)}`;
  }
  return out;
}

export function labDocPath(root = repoRoot()): string {
  return join(root, 'docs', 'lab.md');
}

/** Rewrites docs/lab.md in place; returns its path. */
export function writeLabDocs(root = repoRoot()): string {
  const path = labDocPath(root);
  writeFileSync(path, regenerate(readFileSync(path, 'utf8')));
  return path;
}
