/**
 * import() of a deployment's own module (agent definition or tools) by file path. Node runs `.js`,
 * `.mjs` and `.cjs`; `.ts`/`.mts` work where the runtime strips types (Node >= 22.18 / 23.6 by
 * default) — otherwise compile them and point at the `.js`.
 */
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError } from '../describe-error.js';
import { err, ok, type Result } from '../result.js';

export const MODULE_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.mts'];

export function isModulePath(path: string): boolean {
  return MODULE_EXTENSIONS.includes(extname(path).toLowerCase());
}

/** The module namespace, or a one-line reason it could not be loaded. */
export async function importModule(path: string): Promise<Result<Record<string, unknown>, string>> {
  try {
    const mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
    return ok(mod);
  } catch (cause) {
    const message = describeError(cause);
    return err(`cannot load ${path}: ${message.split('\n')[0] ?? message}`);
  }
}
