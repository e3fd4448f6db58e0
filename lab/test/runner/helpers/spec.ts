/** Check specs written as in a scenario file, with the check's defaults filled in. */
import { checkSpecSchema, type CheckSpec } from '../../../src/runner/checks/index.js';

/** Parses one `expect:` entry the way the scenario loader does. */
export function spec(entry: { check: string } & Record<string, unknown>): CheckSpec {
  return checkSpecSchema.parse(entry);
}
