/** docs/lab.md documents every check, every check parameter and every quality limit, as the code defines them. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOAD_CHECKS } from '../../src/load/index.js';
import { CHECKS } from '../../src/runner/checks/index.js';
import { labDocPath, regenerate } from '../../src/runner/docs.js';
import { LIMIT_DOCS, qualityLimitsSchema } from '../../src/quality/thresholds.js';

const doc = readFileSync(labDocPath(), 'utf8');

describe('docs/lab.md', () => {
  it('is up to date with the check registry and the quality limits (run make docs)', () => {
    expect(regenerate(doc)).toBe(doc);
  });

  it('names every check (scenario and load) and each of its parameters with a description', () => {
    expect(CHECKS.length).toBeGreaterThan(25);
    expect(LOAD_CHECKS.length).toBeGreaterThan(5);
    for (const check of [...CHECKS, ...LOAD_CHECKS]) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${check.name}\` |`));
      expect(row, check.name).toBeDefined();
      for (const p of check.params) {
        expect(p.doc.length, `${check.name}.${p.name}`).toBeGreaterThan(3);
        expect(row, `${check.name}.${p.name}`).toContain(`\`${p.name}\``);
      }
    }
  });

  it('documents every quality limit the schema accepts', () => {
    const limits = Object.keys(qualityLimitsSchema.shape).filter((k) => k !== 'callerToModel' && k !== 'modelToCaller');
    expect(Object.keys(LIMIT_DOCS).sort()).toEqual(limits.sort());
    for (const l of limits) expect(doc).toContain(`| \`${l}\` |`);
  });
});
