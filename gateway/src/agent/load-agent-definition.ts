/**
 * Loads the agent definition at start-up: the file named by the argument or by AGENT_FILE — YAML
 * (.yaml/.yml, also .json) or a JS module (.js/.mjs/.cjs, .ts/.mts where Node strips types)
 * default-exporting the same object — or, with neither, the built-in defaults (model from
 * OPENAI_VOICE_MODEL, voice from OPENAI_VOICE, friendly contact-center instructions).
 *
 * Never throws. `{ ok: false, problems }` lists every problem, one line each, naming the file and the
 * field; the gateway prints them and exits. `warnings` are worth a log line but do not stop start-up.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
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
  if (!raw.ok) return { ok: false, problems: raw.problems };
  return resolveAgentDefinition(raw.value, { label, source: abs, baseDir: dirname(abs), env, packageRoot });
}

async function readAgentFile(abs: string, label: string): Promise<{ ok: true; value: unknown } | { ok: false; problems: string[] }> {
  const ext = extname(abs).toLowerCase();
  if (!YAML_EXTENSIONS.includes(ext) && !isModulePath(abs)) {
    return { ok: false, problems: [`${label}: must end in ${[...YAML_EXTENSIONS, ...MODULE_EXTENSIONS].join(', ')}`] };
  }
  try {
    const info = await stat(abs);
    if (!info.isFile()) return { ok: false, problems: [`${label}: not a file (${abs})`] };
    if (info.size > MAX_AGENT_FILE_BYTES) return { ok: false, problems: [`${label}: ${info.size} bytes; an agent file is at most ${MAX_AGENT_FILE_BYTES}`] };
  } catch (err) {
    return { ok: false, problems: [`${label}: cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`] };
  }
  if (isModulePath(abs)) {
    const imported = await importModule(abs);
    if (!imported.ok) return { ok: false, problems: [`${label}: ${imported.message}`] };
    const value = imported.module.default;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, problems: [`${label}: must default-export the agent definition object (export default { instructions: ... })`] };
    }
    return { ok: true, value };
  }
  const text = await readFile(abs, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { ok: false, problems: doc.errors.map((e) => `${label}: ${yamlMessage(e.message, e.linePos?.[0])}`) };
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return { ok: true, value: {} };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, problems: [`${label}: must be a mapping of fields (instructions: ..., voice: ...)`] };
  return { ok: true, value };
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
