/**
 * docs/examples/agents-sdk-agent.ts is imported here so `tsc -p tsconfig.test.json` type-checks it and
 * vitest runs it: the example keeps compiling, loads as AGENTS_SDK_MODULE, and its tool works.
 */
import { fileURLToPath } from 'node:url';
import { RunContext } from '@openai/agents';
import { RealtimeAgent } from '@openai/agents-realtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRootLogger } from '../../../src/log.js';
import { loadAgentModule } from '../../../src/realtime/agents-sdk/index.js';
import { startFakeRealtime, type FakeRealtimeServer } from '../../../../lab/src/fake-realtime/index.js';
import example, { billingAgent, frontDeskAgent, lookupOrder } from '../../../../docs/examples/agents-sdk-agent.js';
import { baseConfig, END_CALL, makeBackend, tone } from './helpers.js';

const examplePath = fileURLToPath(new URL('../../../../docs/examples/agents-sdk-agent.ts', import.meta.url));
let fake: FakeRealtimeServer | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('docs/examples/agents-sdk-agent.ts', () => {
  it('exports a RealtimeAgent with instructions, a zod tool and a handoff', () => {
    expect(example).toBeInstanceOf(RealtimeAgent);
    expect(example).toBe(frontDeskAgent);
    expect(frontDeskAgent.tools.map((t) => t.name)).toEqual(['lookup_order']);
    expect(frontDeskAgent.handoffs).toEqual([billingAgent]);
    expect(typeof frontDeskAgent.instructions === 'string' && frontDeskAgent.instructions.length).toBeGreaterThan(50);
  });

  it('its tool validates with zod and answers from the order table', async () => {
    const run = new RunContext({ history: [] });
    expect(await lookupOrder.invoke(run, '{"orderNumber":"10031"}')).toBe('Order 10031 is waiting for payment; expected two days after payment. 12.50 euros are still to pay.');
    expect(await lookupOrder.invoke(run, '{"orderNumber":"99999"}')).toBe('There is no order 99999.');
    // Not five digits: zod rejects it before execute; the SDK answers the model with an error.
    expect(String(await lookupOrder.invoke(run, '{"orderNumber":"12"}'))).toMatch(/error/i);
  });

  it('loads as AGENTS_SDK_MODULE', async () => {
    const load = await loadAgentModule(examplePath);
    expect(await load({ callId: 'c', logger: createRootLogger('silent'), session: baseConfig })).toBe(frontDeskAgent);
  });

  it('runs on a call: the model calls lookup_order, the SDK executes it, the output reaches the provider', async () => {
    fake = await startFakeRealtime({
      host: '127.0.0.1',
      port: 0,
      script: { turns: [{ functionCall: { name: 'lookup_order', arguments: { orderNumber: '10025' }, callId: 'call_o1' }, audio: { pcm8k: tone(200) } }], speed: 8, responseDelayMs: 0 },
    });
    const { backend, of } = makeBackend(fake.url, await loadAgentModule(examplePath));
    try {
      await backend.connect({ ...baseConfig, tools: [END_CALL] });
      backend.createResponse();
      await vi.waitFor(() => expect(of('responseDone')).toHaveLength(2), { timeout: 5000, interval: 5 });
      expect(fake.sessions[0]!.receivedItems[0]!.item).toMatchObject({ type: 'function_call_output', call_id: 'call_o1', output: 'Order 10025 is shipped; expected Thursday.' });
      expect(of('functionCall')).toEqual([]);
    } finally {
      await backend.close();
    }
  });
});
