import { z } from 'zod';
import type { CheckResult, Evidence } from '../evidence.js';

/**
 * One check a scenario can ask for, defined in one place: its name, what it proves (the docs
 * string), the schema of its parameters (each `.describe()`d: docs/lab.md is generated from these),
 * and its implementation. Each returns the measured value beside its limit, so the report shows how
 * close a pass was.
 */
export interface CheckDefinition<N extends string, P extends z.ZodRawShape> {
  name: N;
  /** "passes when …", one sentence; `param` names in backticks. */
  doc: string;
  params: P;
  run(spec: z.output<z.ZodObject<P>> & { check: N }, ev: Evidence): CheckResult;
}

/** A check spec as parsed from a scenario's `expect:` list. */
export type CheckSpec = { check: string } & Record<string, unknown>;

export interface ParamDoc {
  name: string;
  doc: string;
  required: boolean;
  default?: unknown;
}

export interface RegisteredCheck {
  name: string;
  doc: string;
  /** `{ check: <name>, …params }`, strict: an unknown or misspelt parameter is an error. */
  schema: z.ZodObject<z.ZodRawShape>;
  params: ParamDoc[];
  run(spec: CheckSpec, ev: Evidence): CheckResult;
}

export function defineCheck<N extends string, P extends z.ZodRawShape>(def: CheckDefinition<N, P>): RegisteredCheck {
  const schema = z.strictObject({ check: z.literal(def.name), ...def.params }) as unknown as z.ZodObject<z.ZodRawShape>;
  const params = Object.entries(def.params).map(([name, s]): ParamDoc => {
    const field = s as z.ZodType;
    if (!field.description) throw new Error(`check ${def.name}: parameter ${name} has no description`);
    const empty = field.safeParse(undefined);
    return { name, doc: field.description, required: !empty.success, ...(empty.success && empty.data !== undefined ? { default: empty.data } : {}) };
  });
  return {
    name: def.name,
    doc: def.doc,
    schema,
    params,
    // The scenario loader parsed `spec` with this check's own schema.
    run: (spec, ev) => def.run(spec as z.output<z.ZodObject<P>> & { check: N }, ev),
  };
}
