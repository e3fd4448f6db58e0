import { z } from 'zod';
import type { CheckResult, Evidence } from '../evidence.js';

/**
 * One check a scenario can ask for, defined in one place: its name, what it proves (the docs
 * string), the schema of its parameters (each `.describe()`d: docs/lab.md is generated from these),
 * and its implementation. Each returns the measured value beside its limit, so the report shows how
 * close a pass was. `E` is what it judges: a call's evidence, or a load run's figures
 * (lab/src/load/load-checks.ts).
 */
export interface CheckDefinition<N extends string, P extends z.ZodRawShape, E = Evidence> {
  name: N;
  /** "passes when …", one sentence; `param` names in backticks. */
  doc: string;
  params: P;
  run(spec: z.output<z.ZodObject<P>> & { check: N }, ev: E): CheckResult;
}

/** A check spec as parsed from a scenario's `expect:` list. */
export type CheckSpec = { check: string } & Record<string, unknown>;

export interface ParamDoc {
  name: string;
  doc: string;
  required: boolean;
  default?: unknown;
}

export interface RegisteredCheck<E = Evidence> {
  name: string;
  doc: string;
  /** `{ check: <name>, …params }`, strict: an unknown or misspelt parameter is an error. */
  schema: z.ZodObject<z.ZodRawShape>;
  /** The parameters' schemas alone (without `check`). */
  paramShape: z.ZodRawShape;
  params: ParamDoc[];
  run(spec: CheckSpec, ev: E): CheckResult;
}

export function defineCheck<N extends string, P extends z.ZodRawShape, E = Evidence>(def: CheckDefinition<N, P, E>): RegisteredCheck<E> {
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
    paramShape: def.params,
    params,
    // The scenario loader parsed `spec` with this check's own schema.
    run: (spec, ev) => def.run(spec as z.output<z.ZodObject<P>> & { check: N }, ev),
  };
}

/** A set of checks on one kind of evidence: the `expect:` entry schema and how to run an entry. */
export interface CheckCatalogue<E> {
  /** One entry of an `expect:` list: a discriminated union on `check`, strict per check. */
  specSchema: z.ZodType<CheckSpec>;
  run(spec: CheckSpec, ev: E): CheckResult;
}

/** `checks` as a catalogue; `what` names them in the start-up error when two share a name. */
export function checkCatalogue<E>(checks: readonly RegisteredCheck<E>[], what: string): CheckCatalogue<E> {
  const byName = new Map(checks.map((c) => [c.name, c]));
  if (byName.size !== checks.length) throw new Error(`two ${what} share a name`);
  const specSchema = z.discriminatedUnion(
    'check',
    checks.map((c) => c.schema) as unknown as [z.ZodObject<{ check: z.ZodLiteral<string> }>, ...Array<z.ZodObject<{ check: z.ZodLiteral<string> }>>],
  ) as unknown as z.ZodType<CheckSpec>;
  return {
    specSchema,
    run(spec, ev) {
      const check = byName.get(spec.check);
      if (!check) return { name: spec.check, passed: false, value: null, limit: null, detail: 'no such check' };
      return check.run(spec, ev);
    },
  };
}
