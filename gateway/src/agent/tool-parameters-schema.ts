/**
 * Checks a tool's `parameters` JSON Schema at start-up and compiles it into the argument check the
 * registry runs on every call. The Realtime API wants an object schema; we also insist that what we
 * send is plain JSON, that `required` names declared properties, and that every `type` is a JSON
 * Schema type — the mistakes that otherwise surface as a rejected session.update mid-call. The
 * compiled check is zod's JSON Schema reader (draft 2020-12 / draft-7 keywords).
 */
import { z } from 'zod';
import { err, ok, type Result } from '../result.js';
import { describeIssues } from './builtin-tools.js';
import { describeError } from '../describe-error.js';

const JSON_TYPES: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
/** Largest schema we send per tool, in characters of JSON. */
export const MAX_PARAMETERS_JSON_CHARS = 16_384;
/** Deepest nesting walked when checking `type` members. */
const MAX_DEPTH = 32;

export type CompiledParameters = Result<(args: unknown) => Result<Record<string, unknown>, string>, string[]>;

/**
 * Problems start with the path inside the schema and a colon (`.properties.orderId.type: …`), or with
 * just the colon when they concern the whole schema, so the caller can prefix the field name.
 */
export function compileParametersSchema(schema: unknown): CompiledParameters {
  const problems: string[] = [];
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return err([': must be a JSON Schema object']);
  let json: string;
  try {
    json = JSON.stringify(schema);
  } catch (cause) {
    return err([`: must be plain JSON (${describeError(cause)})`]);
  }
  if (json.length > MAX_PARAMETERS_JSON_CHARS) problems.push(`: is ${json.length} characters of JSON; at most ${MAX_PARAMETERS_JSON_CHARS}`);
  const s = schema as Record<string, unknown>;
  if (s.type !== 'object') problems.push(`.type: must be "object" (tool arguments are an object), got ${JSON.stringify(s.type) ?? 'nothing'}`);
  const props = s.properties;
  if (props !== undefined && (typeof props !== 'object' || props === null || Array.isArray(props))) problems.push('.properties: must be an object');
  const declared = typeof props === 'object' && props !== null && !Array.isArray(props) ? Object.keys(props) : [];
  if (s.required !== undefined) {
    if (!Array.isArray(s.required) || !s.required.every((r) => typeof r === 'string')) problems.push('.required: must be a list of property names');
    else for (const r of s.required as string[]) if (!declared.includes(r)) problems.push(`.required: "${r}" is not in properties`);
  }
  checkTypes(schema, '', 0, problems);
  if (problems.length > 0) return err(problems);
  let validator: z.ZodType;
  try {
    validator = z.fromJSONSchema(JSON.parse(json) as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (cause) {
    return err([`: not usable as JSON Schema: ${describeError(cause)}`]);
  }
  return ok((args: unknown) => {
    const r = validator.safeParse(args);
    if (!r.success) return err(describeIssues(r.error.issues));
    return ok(r.data as Record<string, unknown>);
  });
}

/** Keywords whose members are names (not schemas) or data (not schemas): not walked for `type`. */
const NAME_MAPS: ReadonlySet<string> = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const DATA_KEYWORDS: ReadonlySet<string> = new Set(['enum', 'const', 'default', 'examples']);

/** Every `type` keyword under the schema must name JSON Schema types. */
function checkTypes(node: unknown, path: string, depth: number, problems: string[], inNameMap = false): void {
  if (depth > MAX_DEPTH || typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    node.forEach((child, i) => checkTypes(child, `${path}[${i}]`, depth + 1, problems));
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    const here = path === '' ? key : `${path}.${key}`;
    if (inNameMap) {
      // key is a property name; value is that property's schema.
      checkTypes(value, here, depth + 1, problems);
      continue;
    }
    if (DATA_KEYWORDS.has(key)) continue;
    if (key === 'type') {
      if (path === '') continue; // the root type is checked above, with a better message
      const types = Array.isArray(value) ? value : [value];
      if (!types.every((t) => typeof t === 'string' && JSON_TYPES.has(t))) problems.push(`.${here}: ${JSON.stringify(value)} is not a JSON Schema type (${[...JSON_TYPES].join(', ')})`);
      continue;
    }
    checkTypes(value, here, depth + 1, problems, NAME_MAPS.has(key));
  }
}
