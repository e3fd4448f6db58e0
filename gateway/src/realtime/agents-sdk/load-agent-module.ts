/**
 * AGENTS_SDK_MODULE: the deployment's agent, as a module exporting one of (first match wins)
 *   - `createAgent(context)`: called per call with an AgentLoadContext, returns (a promise of) a RealtimeAgent;
 *   - `default`: a RealtimeAgent;
 *   - `agent`: a RealtimeAgent.
 * A shared agent instance is fine: the provider never mutates it (agent-overlay.ts).
 * Loaded once at start-up, so a wrong path or export fails the start, not the first call. Node runs
 * .js/.mjs/.cjs; .ts/.mts work where Node strips types (Node >= 22.18 / 23.6 by default).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Agent } from '@openai/agents';
import { RealtimeAgent } from '@openai/agents-realtime';
import { AgentModuleError } from './errors.js';
import type { AgentLoadContext, AgentLoader } from './options.js';
import { describeError } from '../../describe-error.js';

const EXPORTS = 'export `createAgent(context)`, or a RealtimeAgent as `default` or `agent`';

/** What a value is, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (value instanceof Agent) return 'an Agent (a text agent; phone calls need a RealtimeAgent from @openai/agents-realtime)';
  if (typeof value === 'object') {
    const v = value as { name?: unknown; handoffs?: unknown; tools?: unknown; constructor?: { name?: unknown } };
    if (typeof v.name === 'string' && Array.isArray(v.handoffs) && Array.isArray(v.tools)) {
      // Looks like an agent but fails instanceof: a second copy of the SDK package.
      return 'an agent from another copy of @openai/agents-realtime (install the module next to the gateway, one SDK copy)';
    }
    const ctor = typeof v.constructor?.name === 'string' ? v.constructor.name : 'Object';
    return `an object (${ctor})`;
  }
  return `a ${typeof value}`;
}

function asRealtimeAgent(value: unknown, path: string, what: string): RealtimeAgent {
  if (value instanceof RealtimeAgent) return value;
  throw new AgentModuleError('AGENT_MODULE_WRONG_TYPE', path, `${path}: ${what} is ${describeValue(value)}, not a RealtimeAgent`);
}

/** Imports the module and returns the per-call loader for `createAgentsSdkFactory({ loadAgent })`. */
export async function loadAgentModule(path: string): Promise<AgentLoader> {
  const absolute = resolve(path);
  try {
    const info = await stat(absolute);
    if (!info.isFile()) throw new AgentModuleError('AGENT_MODULE_NOT_FOUND', path, `${path}: not a file (${absolute})`);
  } catch (err) {
    if (AgentModuleError.is(err)) throw err;
    throw new AgentModuleError('AGENT_MODULE_NOT_FOUND', path, `${path}: no such file (${absolute})`, { cause: err });
  }

  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (err) {
    const message = describeError(err);
    throw new AgentModuleError('AGENT_MODULE_LOAD_FAILED', path, `${path}: cannot load: ${message.split('\n')[0] ?? message}`, { cause: err });
  }

  if ('createAgent' in mod && mod.createAgent !== undefined) {
    const create = mod.createAgent;
    if (typeof create !== 'function') {
      throw new AgentModuleError('AGENT_MODULE_WRONG_TYPE', path, `${path}: export createAgent is ${describeValue(create)}, not a function`);
    }
    return async (ctx: AgentLoadContext) => asRealtimeAgent(await (create as (c: AgentLoadContext) => unknown)(ctx), path, 'createAgent() returned a value that');
  }
  for (const name of ['default', 'agent'] as const) {
    if (name in mod && mod[name] !== undefined) {
      const agent = asRealtimeAgent(mod[name], path, `export ${name}`);
      return () => agent;
    }
  }
  const found = Object.keys(mod);
  throw new AgentModuleError(
    'AGENT_MODULE_NO_EXPORT',
    path,
    `${path}: no agent export (${EXPORTS}); found ${found.length === 0 ? 'no exports' : found.join(', ')}`,
  );
}
