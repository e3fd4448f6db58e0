/**
 * `${NAME}` expansion from the environment, for the agent file's secrets (MCP server headers and
 * URLs): the file names the variable, the value never sits in the file. A variable that is unset or
 * empty is a start-up problem, not an empty header on a live call.
 */
import { err, ok, type Result } from '../result.js';

const REFERENCE = /\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type EnvExpansion = Result<string, string>;

export function expandEnv(text: string, env: Readonly<Record<string, string | undefined>>): EnvExpansion {
  if (text.replace(REFERENCE, '').includes('${')) return err('unterminated ${ (write ${NAME})');
  const missing: string[] = [];
  let malformed: string | undefined;
  const value = text.replace(REFERENCE, (_m, name: string) => {
    if (!NAME.test(name)) {
      malformed ??= name;
      return '';
    }
    const v = env[name];
    if (v === undefined || v === '') missing.push(name);
    return v ?? '';
  });
  if (malformed !== undefined) return err(`\${${malformed.slice(0, 40)}} is not a variable reference (write \${NAME}: letters, digits, _)`);
  if (missing.length > 0) return err(`environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not set`);
  return ok(value);
}
