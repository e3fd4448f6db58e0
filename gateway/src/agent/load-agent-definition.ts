/**
 * Loads the agent definition at start-up: the file named by the argument or by AGENT_FILE — YAML
 * (.yaml/.yml, also .json) or a JS module (.js/.mjs/.cjs, .ts/.mts where Node strips types)
 * default-exporting the same object — or, with neither, the built-in defaults (model from
 * OPENAI_VOICE_MODEL, voice from OPENAI_VOICE, friendly contact-center instructions).
 *
 * Never throws. `err(problems)` lists every problem, one line each, naming the file and the
 * field; the gateway prints them and exits. `warnings` are worth a log line but do not stop start-up.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { err, ok, type Result } from '../result.js';
import { importModule, isModulePath, MODULE_EXTENSIONS } from './module-import.js';
import { resolveAgentDefinition, type AgentDefinitionResult } from './resolve-agent.js';

export interface LoadAgentOptions {
  /** AGENT_FILE, OPENAI_VOICE_MODEL, OPENAI_VOICE, OPENAI_INSTRUCTIONS, AUDIO_MODE and ${VAR}s; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where fixtures/agent-apology.wav lives; default: the package this module belongs to. */
  packageRoot?: string;
}

/** An agent file is configuration, not data: anything this large is a mistake. */
export const MAX_AGENT_FILE_BYTES = 1024 * 1024;
const YAML_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

export async function loadAgentDefinition(path?: string, opts: LoadAgentOptions = {}): Promise<AgentDefinitionResult> {
  const env = opts.env ?? process.env;
  const packageRoot = opts.packageRoot ?? findPackageRoot();
  const file = path ?? (env.AGENT_FILE?.trim() || undefined);
  if (file === undefined) {
    return resolveAgentDefinition({}, { label: 'agent', source: 'built-in defaults', baseDir: process.cwd(), env, packageRoot });
  }
  const abs = resolve(file);
  const label = basename(abs);
  const raw = await readAgentFile(abs, label);
  if (!raw.ok) return err(raw.error);
  return resolveAgentDefinition(raw.value, { label, source: abs, baseDir: dirname(abs), env, packageRoot });
}

async function readAgentFile(abs: string, label: string): Promise<Result<unknown, string[]>> {
  const ext = extname(abs).toLowerCase();
  if (!YAML_EXTENSIONS.includes(ext) && !isModulePath(abs)) {
    return err([`${label}: must end in ${[...YAML_EXTENSIONS, ...MODULE_EXTENSIONS].join(', ')}`]);
  }
  try {
    const info = await stat(abs);
    if (!info.isFile()) return err([`${label}: not a file (${abs})`]);
    if (info.size > MAX_AGENT_FILE_BYTES) return err([`${label}: ${info.size} bytes; an agent file is at most ${MAX_AGENT_FILE_BYTES}`]);
  } catch (cause) {
    return err([`${label}: cannot read ${abs}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`]);
  }
  if (isModulePath(abs)) {
    const imported = await importModule(abs);
    if (!imported.ok) return err([`${label}: ${imported.error}`]);
    const value = imported.value.default;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return err([`${label}: must default-export the agent definition object (export default { instructions: ... })`]);
    }
    return ok(value);
  }
  const text = await readFile(abs, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return err(doc.errors.map((e) => `${label}: ${yamlMessage(e.message, e.linePos?.[0])}`));
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return ok({});
  if (typeof value !== 'object' || Array.isArray(value)) return err([`${label}: must be a mapping of fields (instructions: ..., voice: ...)`]);
  return ok(value);
}

/** "Map keys must be unique at line 2, column 1:\n..." → "line 2, column 1: Map keys must be unique". */
function yamlMessage(message: string, pos: { line: number; col: number } | undefined): string {
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
  return pos !== undefined ? `line ${pos.line}, column ${pos.col}: ${first}` : first;
}

/** The nearest ancestor of this module with a package.json (works from src/ and dist/). */
export function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return process.cwd();
}
