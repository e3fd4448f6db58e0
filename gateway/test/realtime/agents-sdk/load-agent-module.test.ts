import { fileURLToPath } from 'node:url';
import { RealtimeAgent } from '@openai/agents-realtime';
import { describe, expect, it } from 'vitest';
import { createRootLogger } from '../../../src/log.js';
import { AgentModuleError, loadAgentModule, type AgentLoadContext } from '../../../src/realtime/agents-sdk/index.js';
import { baseConfig } from './helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const ctx: AgentLoadContext = { callId: 'call-9@example.invalid', logger: createRootLogger('silent'), session: baseConfig };

async function failure(path: string): Promise<AgentModuleError> {
  const err = await loadAgentModule(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!AgentModuleError.is(err)) throw new Error(`expected an AgentModuleError, got ${String(err)}`);
  return err;
}

describe('AGENTS_SDK_MODULE: which export is the agent', () => {
  it('default: one shared RealtimeAgent for every call', async () => {
    const load = await loadAgentModule(fixture('agent-default.mjs'));
    const a = await load(ctx);
    expect(a).toBeInstanceOf(RealtimeAgent);
    expect(a.name).toBe('Default desk');
    expect(await load(ctx)).toBe(a);
  });

  it('agent: a named RealtimeAgent export', async () => {
    const load = await loadAgentModule(fixture('agent-named.mjs'));
    expect((await load(ctx)).name).toBe('Named desk');
  });

  it('createAgent(context) wins and is called per call with the call context', async () => {
    const load = await loadAgentModule(fixture('agent-create.mjs'));
    const a = await load(ctx);
    expect(a.name).toBe('Desk for call-9@example.invalid');
    expect(await load(ctx)).not.toBe(a);
  });
});

describe('AGENTS_SDK_MODULE: clear errors', () => {
  it('missing file: AGENT_MODULE_NOT_FOUND with the resolved path', async () => {
    const err = await failure('gateway/test/realtime/agents-sdk/fixtures/nope.mjs');
    expect(err.code).toBe('AGENT_MODULE_NOT_FOUND');
    expect(err.message).toMatch(/no such file \(\/.*fixtures\/nope\.mjs\)/);
  });

  it('a directory is not a module: AGENT_MODULE_NOT_FOUND', async () => {
    expect((await failure(fixture(''))).code).toBe('AGENT_MODULE_NOT_FOUND');
  });

  it('import fails: AGENT_MODULE_LOAD_FAILED with the reason', async () => {
    const err = await failure(fixture('agent-broken.mjs'));
    expect(err.code).toBe('AGENT_MODULE_LOAD_FAILED');
    expect(err.message).toContain('does-not-exist');
  });

  it('no agent export: AGENT_MODULE_NO_EXPORT naming what was found', async () => {
    const err = await failure(fixture('agent-no-export.mjs'));
    expect(err.code).toBe('AGENT_MODULE_NO_EXPORT');
    expect(err.message).toContain('found tools, version');
    expect(err.message).toContain('createAgent(context)');
  });

  it.each([
    ['agent-string.mjs', 'export agent is a string, not a RealtimeAgent'],
    ['agent-text-agent.mjs', 'export default is an Agent (a text agent'],
    ['agent-create-not-function.mjs', 'export createAgent is a number, not a function'],
  ])('%s: AGENT_MODULE_WRONG_TYPE', async (file, message) => {
    const err = await failure(fixture(file));
    expect(err.code).toBe('AGENT_MODULE_WRONG_TYPE');
    expect(err.message).toContain(message);
  });

  it('createAgent returning a non-agent fails the call it was called for', async () => {
    const load = await loadAgentModule(fixture('agent-create-wrong.mjs'));
    const err = await Promise.resolve(load(ctx)).catch((e: unknown) => e);
    expect(AgentModuleError.is(err) && err.code).toBe('AGENT_MODULE_WRONG_TYPE');
    expect((err as Error).message).toContain('createAgent() returned a value that is an object (Object), not a RealtimeAgent');
  });
});
