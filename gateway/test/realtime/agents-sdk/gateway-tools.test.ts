import { RunContext } from '@openai/agents';
import { isBackgroundResult, RealtimeAgent, tool } from '@openai/agents-realtime';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRootLogger } from '../../../src/log.js';
import { CALL_ENDED_OUTPUT, GatewayToolBridge } from '../../../src/realtime/agents-sdk/index.js';
import type { RealtimeBackendEvents } from '../../../src/realtime/backend.js';
import { END_CALL } from './helpers.js';

type FunctionCall = RealtimeBackendEvents['functionCall'][0];

function bridge() {
  const calls: FunctionCall[] = [];
  const b = new GatewayToolBridge({
    emit: (event, ...args) => {
      if (event === 'functionCall') calls.push(args[0] as FunctionCall);
    },
    logger: createRootLogger('silent'),
  });
  b.setTools([END_CALL, { type: 'mcp', server_label: 'crm', server_url: 'https://crm.example.invalid/mcp', allowed_tools: ['lookup'] }]);
  return { b, calls };
}

/** Runs a bridged tool the way the SDK session does: invoke with the raw arguments and the tool call. */
function invoke(b: GatewayToolBridge, callId: string, args: string): Promise<unknown> {
  const t = b.toolsFor(new RealtimeAgent({ name: 'A' })).find((x) => x.type === 'function' && x.name === 'end_call');
  if (t?.type !== 'function') throw new Error('end_call missing');
  return t.invoke(new RunContext({ history: [] }), args, { toolCall: { type: 'function_call', callId, name: 'end_call', arguments: args, id: 'item_sdk1' } });
}

describe('gateway tool bridge: SDK tool <-> call layer', () => {
  it("execute emits functionCall with the server's ids and returns the call layer's output", async () => {
    const { b, calls } = bridge();
    b.noteCall('call_1', { responseId: 'resp_1', itemId: 'item_1' });
    const result = invoke(b, 'call_1', '{"reason":"bye"}');
    await Promise.resolve();
    expect(calls).toEqual([{ callId: 'call_1', name: 'end_call', arguments: '{"reason":"bye"}', responseId: 'resp_1', itemId: 'item_1' }]);
    expect(b.pendingCount).toBe(1);
    expect(b.answer('call_1', '{"ok":true}', true)).toBe('answered');
    expect(await result).toBe('{"ok":true}');
    expect(b.answer('call_1', '{"ok":true}', true)).toBe('duplicate');
    expect(b.answer('call_unknown', 'x', true)).toBe('unknown');
  });

  it('respond: false returns a backgroundResult (the SDK then asks for no response)', async () => {
    const { b } = bridge();
    const result = invoke(b, 'call_2', '{}');
    await Promise.resolve();
    b.answer('call_2', 'noted', false);
    const r = await result;
    expect(isBackgroundResult(r) && r.content).toBe('noted');
  });

  it('without server ids the SDK item id is used; close() ends every waiting call', async () => {
    const { b, calls } = bridge();
    const result = invoke(b, 'call_3', '{}');
    await Promise.resolve();
    expect(calls[0]).toMatchObject({ responseId: '', itemId: 'item_sdk1' });
    b.close();
    expect(await result).toBe(CALL_ENDED_OUTPUT);
    expect(b.pendingCount).toBe(0);
    expect(await invoke(b, 'call_4', '{}')).toBe(CALL_ENDED_OUTPUT);
  });

  it("an agent's own tool or handoff of the same name wins over the gateway's", () => {
    const { b } = bridge();
    const own = tool({ name: 'end_call', description: 'Agent-specific hang-up.', parameters: z.object({}), execute: () => 'bye' });
    const names = (a: RealtimeAgent) => b.toolsFor(a).map((t) => t.name);
    expect(names(new RealtimeAgent({ name: 'A' }))).toEqual(['end_call', 'hosted_mcp']);
    expect(names(new RealtimeAgent({ name: 'A', tools: [own] }))).toEqual(['hosted_mcp']);
    expect(names(new RealtimeAgent({ name: 'A', handoffs: [new RealtimeAgent({ name: 'call' })] }))).toEqual(['end_call', 'hosted_mcp']);
  });

  it('MCP tools of the session config become hosted MCP tools', () => {
    const { b } = bridge();
    const mcp = b.toolsFor(new RealtimeAgent({ name: 'A' })).find((t) => t.type === 'hosted_tool');
    expect(mcp).toMatchObject({
      name: 'hosted_mcp',
      providerData: { type: 'mcp', server_label: 'crm', server_url: 'https://crm.example.invalid/mcp', require_approval: 'never', allowed_tools: { tool_names: ['lookup'] } },
    });
  });
});
