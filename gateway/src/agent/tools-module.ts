/**
 * Loads and checks a deployment's tools module at start-up (agent file `toolsModule`). Everything
 * that would otherwise fail on a live call fails here, each problem on its own line: a module that
 * does not load, a missing `tools` export, bad names, duplicates, names that clash with the built-in
 * tools, schemas the Realtime API would reject, handlers that are not functions.
 */
import { err, ok, type Result } from '../result.js';
import { BUILTIN_TOOL_NAMES, isBuiltinToolName } from './builtin-tools.js';
import { importModule } from './module-import.js';
import { compileParametersSchema } from './tool-parameters-schema.js';
import type { LoadedTool, ToolHandler } from './tool-types.js';

/** The Realtime API's function-name rule. */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_TOOL_DESCRIPTION_CHARS = 1_024;
/** Generous for a phone agent; bounds what one session.update carries. */
export const MAX_USER_TOOLS = 64;

export type ToolsModuleResult = Result<LoadedTool[], string[]>;

export async function loadToolsModule(path: string): Promise<ToolsModuleResult> {
  const imported = await importModule(path);
  if (!imported.ok) return err([imported.error]);
  const mod = imported.value;
  const fromDefault = typeof mod.default === 'object' && mod.default !== null ? (mod.default as Record<string, unknown>) : undefined;
  const list = mod.tools ?? fromDefault?.tools ?? (Array.isArray(mod.default) ? mod.default : undefined);
  if (list === undefined) return err(['exports no `tools` (export const tools = [...], or a default export { tools })']);
  return checkTools(list);
}

/** The same checks, for a list already in hand (also used by tests). */
export function checkTools(list: unknown): ToolsModuleResult {
  if (!Array.isArray(list)) return err(['tools: must be a list']);
  const problems: string[] = [];
  if (list.length > MAX_USER_TOOLS) problems.push(`tools: ${list.length} tools; at most ${MAX_USER_TOOLS}`);
  const tools: LoadedTool[] = [];
  const seen = new Map<string, number>();
  list.slice(0, MAX_USER_TOOLS).forEach((entry: unknown, i) => {
    const at = `tools[${i}]`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`${at}: must be an object with name, description, parameters and handler`);
      return;
    }
    const t = entry as Record<string, unknown>;
    const before = problems.length;
    const name = typeof t.name === 'string' ? t.name : undefined;
    if (name === undefined || !TOOL_NAME_PATTERN.test(name)) problems.push(`${at}.name: must be 1..64 letters, digits, '_' or '-'`);
    else if (isBuiltinToolName(name)) problems.push(`${at}.name: "${name}" is a built-in tool (${BUILTIN_TOOL_NAMES.join(', ')}); choose another name`);
    else if (seen.has(name)) problems.push(`${at}.name: duplicate tool name "${name}" (also tools[${seen.get(name)}])`);
    if (name !== undefined && !seen.has(name)) seen.set(name, i);
    const description = t.description;
    if (typeof description !== 'string' || description.trim() === '') problems.push(`${at}.description: must be a non-empty string`);
    else if (description.length > MAX_TOOL_DESCRIPTION_CHARS) problems.push(`${at}.description: at most ${MAX_TOOL_DESCRIPTION_CHARS} characters`);
    if (typeof t.handler !== 'function') problems.push(`${at}.handler: must be a function (args, ctx) => result`);
    const compiled = compileParametersSchema(t.parameters);
    if (!compiled.ok) for (const p of compiled.error) problems.push(`${at}.parameters${p}`);
    if (problems.length > before || !compiled.ok) return;
    tools.push({
      name: name as string,
      description: description as string,
      parameters: JSON.parse(JSON.stringify(t.parameters)) as Record<string, unknown>,
      handler: t.handler as ToolHandler,
      checkArgs: compiled.value,
    });
  });
  return problems.length > 0 ? err(problems) : ok(tools);
}
