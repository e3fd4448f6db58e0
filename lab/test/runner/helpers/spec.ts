/** Check specs written as in a scenario file, with the schema's defaults filled in. */
import { scenarioSchema, type CheckSpec } from '../../../src/runner/scenario-schema.js';

const checkSchema = scenarioSchema.shape.expect.element;

/** Parses one `expect:` entry; `C` narrows the result to that check's spec type. */
export function spec<C extends CheckSpec['check']>(entry: { check: C } & Record<string, unknown>): Extract<CheckSpec, { check: C }> {
  return checkSchema.parse(entry) as Extract<CheckSpec, { check: C }>;
}
