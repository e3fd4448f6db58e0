/**
 * Zod issues as the one-line problems an operator reads at start-up:
 *
 *   agent.yaml: turnDetection.eagerness: must be one of low, medium, high, auto
 *   agent.yaml: mcpServers[0].url: is required
 *   agent.yaml: turn_detection: unknown field (did you mean turnDetection?)
 *
 * Messages the schema words itself are used as they are; zod's generic ones are rephrased.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
type Path = ReadonlyArray<PropertyKey>;

export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${String(seg)}`;
  return out;
}

export function formatIssues(label: string, issues: readonly Issue[], schema: z.ZodType, input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path, input);
      for (const key of issue.keys) {
        const where = formatPath([...issue.path, key]);
        const near = known.find((k) => normalise(k) === normalise(key));
        const hint = near !== undefined ? ` (did you mean ${near}?)` : known.length > 0 ? ` (expected one of ${known.join(', ')})` : '';
        lines.push(`${label}: ${where}: unknown field${hint}`);
      }
      continue;
    }
    const where = formatPath(issue.path);
    lines.push(`${label}: ${where === '' ? '(top level)' : where}: ${describe(issue, valueAt(input, issue.path))}`);
  }
  return lines;
}

/** Zod's own default messages start like this; anything else was written in our schema. */
const GENERIC = /^(Invalid|Too small|Too big|Expected|Unrecognized)/;

function describe(issue: Issue, value: unknown): string {
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator !== undefined) {
    const options = ('options' in issue && Array.isArray(issue.options) ? issue.options : []).map(String);
    return value === undefined ? `is required (one of ${options.join(', ')})` : `must be one of ${options.join(', ')}`;
  }
  if (value === undefined && issue.code === 'invalid_type') return 'is required';
  if (!GENERIC.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${String(issue.values[0])}` : `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return issue.origin === 'string' ? `must be at least ${String(issue.minimum)} characters` : issue.origin === 'array' ? `must have at least ${String(issue.minimum)} entries` : `must be >= ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${String(issue.maximum)} characters` : issue.origin === 'array' ? `must have at most ${String(issue.maximum)} entries` : `must be <= ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function normalise(key: string): string {
  return key.replace(/[-_\s]/g, '').toLowerCase();
}

function valueAt(input: unknown, path: Path): unknown {
  let node = input;
  for (const seg of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[seg];
  }
  return node;
}

interface SchemaNode {
  def: {
    type: string;
    shape?: Record<string, SchemaNode>;
    innerType?: SchemaNode;
    element?: SchemaNode;
    options?: SchemaNode[];
    in?: SchemaNode;
    values?: unknown[];
  };
}

/** The fields the schema allows at `path` (for "expected one of …"), following the input through unions. */
function knownKeys(schema: z.ZodType, path: Path, input: unknown): string[] {
  let node: SchemaNode | undefined = schema as unknown as SchemaNode;
  let value: unknown = input;
  let i = 0;
  // Bounded: each step either consumes a path segment or unwraps one wrapper of a finite schema tree.
  for (let steps = 0; node !== undefined && steps < 64; steps++) {
    const def: SchemaNode['def'] = node.def;
    if (def.innerType !== undefined) {
      node = def.innerType;
      continue;
    }
    if (def.in !== undefined) {
      node = def.in;
      continue;
    }
    if (def.type === 'union') {
      node = pickOption(def.options ?? [], value);
      continue;
    }
    if (i === path.length) return def.type === 'object' && def.shape !== undefined ? Object.keys(def.shape) : [];
    const seg = path[i++] as PropertyKey;
    value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[seg] : undefined;
    node = def.type === 'object' ? def.shape?.[String(seg)] : def.type === 'array' ? def.element : undefined;
  }
  return [];
}

/** The union member an object input is meant to match: by its literal `type`, else the first object. */
function pickOption(options: SchemaNode[], value: unknown): SchemaNode | undefined {
  const objects = options.filter((o) => o.def.type === 'object');
  const type = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).type : undefined;
  return objects.find((o) => o.def.shape?.type?.def.values?.includes(type)) ?? objects[0];
}
