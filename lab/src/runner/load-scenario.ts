import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { scenarioSchema, type Scenario } from './scenario-schema.js';

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Loads and validates scenarios/<name>.yaml; errors are one line naming the file and the field. */
export function loadScenario(root: string, name: string): Scenario {
  if (!/^[a-z0-9-]+$/.test(name)) throw new ScenarioError(`scenario name "${name}" must be lower-case words joined by -`);
  const file = join(root, 'scenarios', `${name}.yaml`);
  if (!existsSync(file)) throw new ScenarioError(`no such scenario: scenarios/${name}.yaml`);
  return parseScenario(readFileSync(file, 'utf8'), `scenarios/${name}.yaml`, root);
}

export function parseScenario(text: string, label: string, root: string): Scenario {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const detail = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new ScenarioError(`${label}: not valid YAML: ${detail}`);
  }
  const result = scenarioSchema.safeParse(doc);
  if (!result.success) throw new ScenarioError(`${label}: ${describeIssue(result.error.issues[0])}`);
  const scenario = result.data;
  for (const path of [scenario.caller.audio, ...scenario.realtime.turns.flatMap((t) => (t.audio ? [t.audio] : []))]) {
    if (!existsSync(join(root, path))) throw new ScenarioError(`${label}: audio file not found: ${path}`);
  }
  if (!existsSync(join(root, 'lab', 'sipp', `${scenario.caller.script}.xml`))) {
    throw new ScenarioError(`${label}: caller.script: no lab/sipp/${scenario.caller.script}.xml`);
  }
  return scenario;
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid scenario';
  const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') return `${field === '(top level)' ? '' : `${field}: `}unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${field}: ${issue.message}`;
}
