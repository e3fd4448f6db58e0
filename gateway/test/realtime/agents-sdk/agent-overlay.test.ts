import { handoff, RunContext } from '@openai/agents';
import { RealtimeAgent, tool } from '@openai/agents-realtime';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRootLogger } from '../../../src/log.js';
import { AgentOverlays, GatewayToolBridge, withAppendedInstructions } from '../../../src/realtime/agents-sdk/index.js';
import { END_CALL } from './helpers.js';

function overlays(extra = 'Call context: +15550100.') {
  const tools = new GatewayToolBridge({ emit: () => undefined, logger: createRootLogger('silent') });
  tools.setTools([END_CALL]);
  const state = { extra };
  const o = new AgentOverlays({ instructions: () => state.extra, toolsFor: (a) => tools.toolsFor(a) });
  return { o, tools, state };
}

const ctx = new RunContext({ history: [] });
const lookup = tool({ name: 'lookup_order', description: 'Look up an order.', parameters: z.object({ order: z.number() }), execute: () => 'ok' });

describe('agent overlays: per-call views of a shared agent', () => {
  it('adds the gateway tools and instructions without touching the original agent', async () => {
    const { o } = overlays();
    const agent = new RealtimeAgent({ name: 'Front desk', instructions: 'You answer the phone.', voice: 'cedar', tools: [lookup] });
    const view = o.overlay(agent);
    expect(view).toBeInstanceOf(RealtimeAgent);
    expect(view).not.toBe(agent);
    expect([view.name, view.voice]).toEqual(['Front desk', 'cedar']);
    expect(view.tools.map((t) => t.name)).toEqual(['lookup_order', 'end_call']);
    expect(await view.getSystemPrompt(ctx)).toBe('You answer the phone.\n\nCall context: +15550100.');
    expect(agent.tools).toEqual([lookup]);
    expect(agent.instructions).toBe('You answer the phone.');
    expect(o.overlay(agent)).toBe(view);
    expect(o.overlay(view)).toBe(view);
  });

  it("two calls over one agent get independent tools (each call's bridge)", () => {
    const agent = new RealtimeAgent({ name: 'Front desk' });
    const a = overlays().o.overlay(agent);
    const b = overlays().o.overlay(agent);
    expect(a.tools[0]).not.toBe(b.tools[0]);
    expect(agent.tools).toEqual([]);
  });

  it('maps handoff targets, cycles included, and Handoff objects with their tool names', async () => {
    const { o } = overlays();
    const billing = new RealtimeAgent({ name: 'Billing', instructions: 'Payments.' });
    const front = new RealtimeAgent({ name: 'Front desk', handoffs: [handoff(billing, { toolNameOverride: 'to_billing' })] });
    billing.handoffs = [front]; // Billing can hand back: a cycle
    const view = o.overlay(front);
    const h = view.handoffs[0]!;
    if (!('onInvokeHandoff' in h)) throw new Error('expected a Handoff');
    expect(h.toolName).toBe('to_billing');
    const billingView = h.agent as RealtimeAgent;
    expect(billingView).toBe(o.overlay(billing));
    expect(billingView.tools.map((t) => t.name)).toEqual(['end_call']);
    expect(await billingView.getSystemPrompt(ctx)).toBe('Payments.\n\nCall context: +15550100.');
    expect(billingView.handoffs[0]).toBe(view);
    expect(await h.onInvokeHandoff(ctx, '{}')).toBe(billingView);
    expect(front.handoffs[0]).not.toBe(h);
  });

  it("hooks registered on the deployment's agent still fire (one event emitter)", () => {
    const { o } = overlays();
    const agent = new RealtimeAgent({ name: 'Front desk' });
    const seen: string[] = [];
    agent.on('agent_start', (_c, a) => seen.push(a.name));
    o.overlay(agent).emit('agent_start', ctx, agent);
    expect(seen).toEqual(['Front desk']);
  });

  it('refreshTools() applies a changed gateway tool set to every overlay', () => {
    const { o, tools } = overlays();
    const view = o.overlay(new RealtimeAgent({ name: 'Front desk' }));
    tools.setTools([]);
    o.refreshTools();
    expect(view.tools).toEqual([]);
  });
});

describe('agent overlays: instructions', () => {
  it.each([
    ['own string, extra', 'Own.', 'Extra.', 'Own.\n\nExtra.'],
    ['no extra', 'Own.', '', 'Own.'],
    ['no own instructions', '', 'Extra.', 'Extra.'],
  ])('%s', async (_name, own, extra, expected) => {
    const agent = new RealtimeAgent({ name: 'A' });
    expect(await withAppendedInstructions(own, () => extra)(ctx, agent)).toBe(expected);
  });

  it('a function of the agent is called with the view, and the extra is read on every call', async () => {
    const { o, state } = overlays();
    const agent = new RealtimeAgent({ name: 'Front desk', instructions: (_c, a) => `You are ${a.name}.` });
    const view = o.overlay(agent);
    expect(await view.getSystemPrompt(ctx)).toBe('You are Front desk.\n\nCall context: +15550100.');
    state.extra = 'Call context: caller speaks Spanish.';
    expect(await view.getSystemPrompt(ctx)).toBe('You are Front desk.\n\nCall context: caller speaks Spanish.');
  });
});
