/**
 * Approval-gated tools on a phone call: the SDK pauses a `needsApproval` tool and waits for an
 * approval; the agent definition's policy answers at once (approve, deny with a message, hand back).
 * Against the lab's fake Realtime over loopback (port 0); every wait is bounded.
 */
import { tool } from '@openai/agents-realtime';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { approvalActionFor, DEFAULT_TOOL_APPROVAL } from '../../../src/realtime/agents-sdk/tool-approvals.js';
import type { ToolApprovalPolicy } from '../../../src/realtime/backend.js';
import type { FakeScript } from '../../../../lab/src/fake-realtime/index.js';
import { fakeRealtimeFixture } from '../helpers.js';
import { baseConfig, frontDesk, makeBackend, tone } from './helpers.js';

const WAIT = { timeout: 5000, interval: 5 };
const fixture = fakeRealtimeFixture();

function refundTool(runs: unknown[]) {
  return tool({
    name: 'issue_refund',
    description: 'Refund an order.',
    parameters: z.object({ order: z.number().int() }),
    needsApproval: true,
    execute: (args) => {
      runs.push(args);
      return `Refund for order ${args.order} issued.`;
    },
  });
}

const script: FakeScript = {
  turns: [{ functionCall: { name: 'issue_refund', arguments: { order: 42 }, callId: 'call_refund1' }, audio: { pcm8k: tone(200) }, transcript: 'Done.' }],
  speed: 8,
  responseDelayMs: 0,
};

async function run(policy: ToolApprovalPolicy | undefined) {
  const runs: unknown[] = [];
  const fake = await fixture.fake(script);
  const h = makeBackend(fake.url, () => frontDesk({ tools: [refundTool(runs)] }));
  fixture.track(h.backend);
  await h.backend.connect(policy === undefined ? baseConfig : { ...baseConfig, toolApproval: policy });
  h.backend.createResponse();
  // The tool's response, then the answer the SDK asked for once the approval was settled.
  await vi.waitFor(() => expect(h.of('responseDone')).toHaveLength(2), WAIT);
  return { ...h, runs, session: fake.sessions[0]! };
}

describe('tool approval policy', () => {
  it('picks the per-tool action, else the default', () => {
    const policy: ToolApprovalPolicy = { default: 'auto-deny', tools: { lookup_order: 'auto-approve', refund: 'hand-back' }, denyMessage: 'no' };
    expect(approvalActionFor(policy, 'lookup_order')).toBe('auto-approve');
    expect(approvalActionFor(policy, 'refund')).toBe('hand-back');
    expect(approvalActionFor(policy, 'other')).toBe('auto-deny');
    expect(approvalActionFor(policy, undefined)).toBe('auto-deny');
    // Object prototype names are not tools.
    expect(approvalActionFor(policy, 'constructor')).toBe('auto-deny');
    expect(DEFAULT_TOOL_APPROVAL.default).toBe('auto-deny');
  });

  it('auto-approve: the gated tool runs and its output reaches the model', async () => {
    const { runs, session, of } = await run({ default: 'auto-approve', tools: {}, denyMessage: 'no' });
    expect(runs).toEqual([{ order: 42 }]);
    expect(session.receivedItems.map((r) => r.item)).toEqual([
      expect.objectContaining({ type: 'function_call_output', call_id: 'call_refund1', output: 'Refund for order 42 issued.' }),
    ]);
    expect(of('handBackRequested')).toEqual([]);
  });

  it('auto-deny: the tool does not run, the model is told the deny message and answers', async () => {
    const { runs, session, of } = await run({ default: 'auto-approve', tools: { issue_refund: 'auto-deny' }, denyMessage: 'Refunds need a supervisor.' });
    expect(runs).toEqual([]);
    expect(session.receivedItems.map((r) => r.item)).toEqual([
      expect.objectContaining({ type: 'function_call_output', call_id: 'call_refund1', output: 'Refunds need a supervisor.' }),
    ]);
    expect(session.eventsOf('in', 'response.create')).toHaveLength(2);
    expect(of('handBackRequested')).toEqual([]);
  });

  it('no policy in the session config: denied (never a silent wait)', async () => {
    const { runs, session } = await run(undefined);
    expect(runs).toEqual([]);
    expect(session.receivedItems.map((r) => r.item)).toEqual([
      expect.objectContaining({ type: 'function_call_output', call_id: 'call_refund1', output: DEFAULT_TOOL_APPROVAL.denyMessage }),
    ]);
  });

  it('hand-back: the tool does not run, the SDK is answered, and the call layer is asked to hand back', async () => {
    const { runs, session, of, lines } = await run({ default: 'hand-back', tools: {}, denyMessage: 'A colleague will take over.' });
    expect(runs).toEqual([]);
    expect(session.receivedItems.map((r) => r.item)).toEqual([
      expect.objectContaining({ type: 'function_call_output', call_id: 'call_refund1', output: 'A colleague will take over.' }),
    ]);
    expect(of('handBackRequested')).toEqual([{ reason: 'tool issue_refund needs an approval nobody can give on the call' }]);
    expect(lines.some((l) => l.includes('tool approval requested') && l.includes('"action":"hand-back"'))).toBe(true);
  });
});
