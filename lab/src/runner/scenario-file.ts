/**
 * scenarios/<name>.yaml as a document, for the three kinds of scenario (a call, a load run, an
 * operations run): one place for the name rule, the path, the YAML error and the one-line schema
 * error, so the kinds differ only in their schemas and their own checks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';

export type ScenarioKind = 'call' | 'load' | 'operations';

/** Makes the kind's own error class from a one-line message (the CLI tells the kinds apart by it). */
export type ScenarioFailure = (message: string) => Error;

/** The file of scenario `name` and its label for messages; refuses a name that is not a-z0-9-. */
export function scenarioFile(root: string, name: string, fail: ScenarioFailure): { file: string; label: string } {
  if (!/^[a-z0-9-]+$/.test(name)) throw fail(`scenario name "${name}" must be lower-case words joined by -`);
  const label = `scenarios/${name}.yaml`;
  const file = join(root, 'scenarios', `${name}.yaml`);
  if (!existsSync(file)) throw fail(`no such scenario: ${label}`);
  return { file, label };
}

/** YAML text as a document; a syntax error is one line naming the file. */
export function parseScenarioYaml(text: string, label: string, fail: ScenarioFailure): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw fail(`${label}: not valid YAML: ${err instanceof YAMLParseError ? (err.message.split('\n')[0] ?? err.message) : String(err)}`);
  }
}

/** Reads and parses scenarios/<name>.yaml. */
export function readScenarioDocument(root: string, name: string, fail: ScenarioFailure): { doc: unknown; label: string } {
  const { file, label } = scenarioFile(root, name, fail);
  return { doc: parseScenarioYaml(readFileSync(file, 'utf8'), label, fail), label };
}

/** Which runner a scenario file is for, by its top-level section (`load:`, `operations:`, else a call). */
export function scenarioKind(root: string, name: string): ScenarioKind {
  let doc: unknown;
  try {
    doc = readScenarioDocument(root, name, (message) => new Error(message)).doc;
  } catch {
    return 'call'; // the call loader reports the problem with the file
  }
  if (typeof doc !== 'object' || doc === null) return 'call';
  if ('load' in doc) return 'load';
  if ('operations' in doc) return 'operations';
  return 'call';
}

/** The first schema problem as `field: message` (or `unknown field "x"`), one line. */
export function describeSchemaIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid scenario';
  const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') return `${field === '(top level)' ? '' : `${field}: `}unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${field}: ${issue.message}`;
}
