/**
 * docs/examples/ is loaded here, so the documented example can never drift from what the loader
 * accepts. The static import of tools.ts also puts it under the type checker (tsconfig.test.json).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { describeAgentDefinition } from '../../src/agent/agent-definition.js';
import { renderSessionConfig } from '../../src/agent/render-session-config.js';
import { ToolRegistry } from '../../src/agent/tool-registry.js';
import { checkTools } from '../../src/agent/tools-module.js';
import { tools as exampleTools } from '../../../docs/examples/tools.js';
import { loadOk, loadProblems } from './helpers.js';

const AGENT_YAML = fileURLToPath(new URL('../../../docs/examples/agent.yaml', import.meta.url));
const ENV = { CRM_MCP_TOKEN: 'example-token-SECRET' };

describe('docs/examples', () => {
  it('agent.yaml loads without problems or warnings', async () => {
    const { definition, warnings } = await loadOk(AGENT_YAML, ENV);
    expect(warnings).toEqual([]);
    expect(definition.tools.map((t) => t.name)).toEqual(['lookup_order', 'verify_customer']);
    expect(definition.builtinTools.map((t) => t.name)).toEqual(['end_call', 'transfer_to_human']);
    expect(definition.mcpServers).toHaveLength(1);
    expect(definition.dtmf.collect?.maxDigits).toBe(8);
    expect(definition.greeting).toBeDefined();
    expect(definition.toolApproval).toMatchObject({ default: 'auto-deny', tools: { lookup_order: 'auto-approve', issue_refund: 'hand-back' } });
    // The loggable summary carries no secret.
    expect(JSON.stringify(describeAgentDefinition(definition))).not.toContain('SECRET');
  });

  it('agent.yaml needs CRM_MCP_TOKEN, as its comments say', async () => {
    expect(await loadProblems(AGENT_YAML, {})).toEqual(['agent.yaml: mcpServers[0].headers.Authorization: environment variable CRM_MCP_TOKEN not set']);
  });

  it('renders a session for a Connect call with the UUI the instructions use', async () => {
    const { definition } = await loadOk(AGENT_YAML, ENV);
    const r = renderSessionConfig(definition, { headers: {}, callerNumber: '+447700900123', uui: { raw: '', encoding: 'hex', json: { customer: { tier: 'gold' }, intent: 'orders' } } }, 'pcmu');
    expect(r.problems).toEqual([]);
    expect(r.config.toolApproval).toEqual(definition.toolApproval);
    expect(r.config.instructions).toContain('The caller\'s number is +447700900123. The contact flow says this customer\'s tier is\n"gold" and that they chose "orders" in the menu.');
  });

  it('tools.ts passes the start-up checks and its handlers work through the registry', async () => {
    expect(checkTools(exampleTools).ok).toBe(true);
    const { definition } = await loadOk(AGENT_YAML, ENV);
    const reg = ToolRegistry.fromDefinition(definition, { clock: new ManualClock() });
    const attrs = new Map<string, string>();
    const ctx = { callId: 'c', connect: { headers: {} }, handBackAttributes: attrs };
    expect(JSON.parse((await reg.run('lookup_order', '{"orderNumber":"10025"}', ctx)).output)).toEqual({ found: true, status: 'shipped', eta: 'Thursday' });
    expect((await reg.run('lookup_order', '{"orderNumber":"12"}', ctx)).error?.code).toBe('TOOL_ERR_BAD_ARGS');
    expect((await reg.run('verify_customer', '{"postcode":"sw1a 1aa"}', ctx)).output).toBe('The postcode matches the account.');
    expect(Object.fromEntries(attrs)).toEqual({ customer_verified: 'true' });
  });
});
