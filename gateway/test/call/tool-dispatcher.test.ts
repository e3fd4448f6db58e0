import { describe, expect, it } from 'vitest';
import { ToolRegistry, type AgentTool, type BuiltinToolName, type LoadedTool, type ToolHandler } from '../../src/agent/index.js';
import { checkTools } from '../../src/agent/tools-module.js';
import { ToolDispatcher, type CallControl } from '../../src/call/tool-dispatcher.js';
import { ManualClock } from '../../src/clock.js';
import type { HandBackOutcome } from '../../src/connect/index.js';
import { deferred, FakeBackend, settle, silentLog, type BackendCall } from './fakes.js';

const TOOL_TIMEOUT_MS = 1_000;

/** What happened, in order, across the backend and the call control. */
type Step =
  | ['output', string, string, boolean | undefined]
  | ['backend', BackendCall['kind']]
  | ['finishSpeaking', string]
  | ['fault', string, string]
  | ['hangUp', HandBackOutcome, string, string | undefined]
  | ['sendDtmf', string]
  | ['recording', 'pause' | 'resume'];

function loaded(tools: AgentTool[]): LoadedTool[] {
  const r = checkTools(tools);
  if (!r.ok) throw new Error(r.error.join('\n'));
  return r.value;
}

const orderTool = (handler: ToolHandler): AgentTool => ({
  name: 'lookup_order',
  description: 'Find an order by its number.',
  parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
  handler,
});

interface SetupOptions {
  tools?: AgentTool[];
  builtins?: BuiltinToolName[];
  /** Held open until the test resolves it (default: resolves at once). */
  finishSpeaking?: Promise<void>;
  /** What hangUp answers (default: resolves). */
  hangUp?: Promise<void>;
  sendDtmf?: Promise<boolean>;
  recording?: ReturnType<CallControl['recording']>;
}

function setup(opts: SetupOptions = {}) {
  const clock = new ManualClock();
  const steps: Step[] = [];
  const backend = new FakeBackend((c) => steps.push(c.kind === 'sendFunctionOutput' ? ['output', c.callId, c.output, c.respond] : ['backend', c.kind]));
  const control: CallControl = {
    finishSpeaking: (responseId) => {
      steps.push(['finishSpeaking', responseId]);
      return opts.finishSpeaking ?? Promise.resolve();
    },
    hangUp: (outcome, reason, summary) => {
      steps.push(['hangUp', outcome, reason, summary]);
      return opts.hangUp ?? Promise.resolve();
    },
    sendDtmf: (digits) => {
      steps.push(['sendDtmf', digits]);
      return opts.sendDtmf ?? Promise.resolve(true);
    },
    recording: (action) => {
      steps.push(['recording', action]);
      return opts.recording ?? (action === 'pause' ? 'paused' : 'resumed');
    },
    fault: (where, err) => {
      steps.push(['fault', where, String(err)]);
    },
  };
  const registry = new ToolRegistry(opts.builtins ?? ['end_call', 'transfer_to_human', 'send_dtmf'], loaded(opts.tools ?? []), { clock, timeoutMs: TOOL_TIMEOUT_MS });
  const abort = new AbortController();
  const handBackAttributes = new Map<string, string>();
  const dispatcher = new ToolDispatcher(
    registry,
    backend,
    control,
    { callId: 'sip-call-1', connect: { headers: {}, contactId: 'contact-1' }, handBackAttributes, signal: abort.signal },
    silentLog,
  );
  const call = (name: string, args: string, callId = 'fc-1', responseId = 'resp-1') =>
    backend.emit('functionCall', { callId, name, arguments: args, responseId, itemId: `item-${callId}` });
  return { clock, steps, backend, dispatcher, abort, handBackAttributes, call };
}

describe("the deployment's tools", () => {
  it('the handler result goes back to the model as the function output, asking for the next response', async () => {
    const seen: unknown[] = [];
    const t = setup({
      tools: [
        orderTool((args, ctx) => {
          seen.push(args, ctx.callId, ctx.connect.contactId);
          return { status: 'shipped' };
        }),
      ],
    });
    t.call('lookup_order', '{"orderId":"A-17"}');
    await settle();
    expect(seen).toEqual([{ orderId: 'A-17' }, 'sip-call-1', 'contact-1']);
    expect(t.steps).toEqual([['output', 'fc-1', '{"status":"shipped"}', true]]);
    expect([t.dispatcher.calls, t.dispatcher.failures]).toEqual([1, 0]);
  });

  it('attributes a handler sets are kept for the hand-back', async () => {
    const t = setup({
      tools: [
        orderTool((_args, ctx) => {
          ctx.setHandBackAttribute('customer_verified', 'true');
          return 'ok';
        }),
      ],
    });
    t.call('lookup_order', '{"orderId":"A-17"}');
    await settle();
    expect([...t.handBackAttributes]).toEqual([['customer_verified', 'true']]);
    expect(t.steps).toEqual([['output', 'fc-1', 'ok', true]]);
  });

  it('a throwing tool becomes an error output (respond true) and counts a failure', async () => {
    const t = setup({
      tools: [
        orderTool(() => {
          throw new Error('database unreachable');
        }),
      ],
    });
    t.call('lookup_order', '{"orderId":"A-17"}');
    await settle();
    expect(t.steps).toEqual([['output', 'fc-1', JSON.stringify({ error: 'lookup_order failed: database unreachable' }), true]]);
    expect([t.dispatcher.calls, t.dispatcher.failures]).toEqual([1, 1]);
  });

  it('unknown names, bad JSON and schema violations are error outputs the model can react to', async () => {
    const t = setup({ tools: [orderTool(() => 'never')] });
    t.call('lookup_invoice', '{}', 'fc-1');
    t.call('lookup_order', '{not json', 'fc-2');
    t.call('lookup_order', '{"orderId":17}', 'fc-3');
    await settle();
    expect(t.steps).toHaveLength(3);
    for (const step of t.steps) {
      expect(step[0]).toBe('output');
      expect(step[3]).toBe(true);
      expect(JSON.parse(step[2] as string)).toHaveProperty('error');
    }
    expect(t.steps.map((s) => s[1])).toEqual(['fc-1', 'fc-2', 'fc-3']);
    expect([t.dispatcher.calls, t.dispatcher.failures]).toEqual([3, 3]);
  });

  it('a tool that does not answer within the timeout is an error output', async () => {
    const never = deferred<string>();
    const t = setup({ tools: [orderTool(() => never.promise)] });
    t.call('lookup_order', '{"orderId":"A-17"}');
    await settle();
    expect(t.steps).toEqual([]);
    t.clock.advance(TOOL_TIMEOUT_MS);
    await settle();
    expect(t.steps).toEqual([['output', 'fc-1', JSON.stringify({ error: `lookup_order did not answer within ${TOOL_TIMEOUT_MS} ms` }), true]]);
    expect(t.dispatcher.failures).toBe(1);
  });

  it('each output answers its own call id, in the order the tools finish', async () => {
    const slow = deferred<string>();
    const t = setup({ tools: [orderTool((args) => (args.orderId === 'slow' ? slow.promise : 'fast result'))] });
    t.call('lookup_order', '{"orderId":"slow"}', 'fc-slow');
    t.call('lookup_order', '{"orderId":"fast"}', 'fc-fast');
    await settle();
    slow.resolve('slow result');
    await settle();
    expect(t.steps).toEqual([
      ['output', 'fc-fast', 'fast result', true],
      ['output', 'fc-slow', 'slow result', true],
    ]);
  });
});

describe('end_call', () => {
  it('output without a new response, then finishSpeaking(responseId), then hangUp("completed", reason), in that order', async () => {
    const spoken = deferred<void>();
    const t = setup({ finishSpeaking: spoken.promise });
    t.call('end_call', '{"reason":"caller said goodbye"}', 'fc-9', 'resp-7');
    await settle();
    expect(t.steps).toEqual([
      ['output', 'fc-9', JSON.stringify({ ok: true, result: 'The call will end once you finish speaking.' }), false],
      ['finishSpeaking', 'resp-7'],
    ]);
    // The goodbye is still playing: no hang-up until it has been sent.
    spoken.resolve();
    await settle();
    expect(t.steps.slice(2)).toEqual([['hangUp', 'completed', 'caller said goodbye', undefined]]);
    expect(t.dispatcher.failures).toBe(0);
  });

  it('a tool call whose handling fails unexpectedly is reported to the call (which ends itself), never an unhandled rejection', async () => {
    const failed = Promise.reject(new Error('hand-back exploded'));
    failed.catch(() => undefined); // the dispatcher observes it later
    const t = setup({ hangUp: failed });
    t.call('end_call', '{"reason":"done"}', 'fc-9', 'resp-7');
    await settle();
    expect(t.steps.at(-1)).toEqual(['fault', 'tool call', 'Error: hand-back exploded']);
  });

  it('without a reason the hang-up says the agent ended the call', async () => {
    const t = setup();
    t.call('end_call', '');
    await settle();
    expect(t.steps.at(-1)).toEqual(['hangUp', 'completed', 'the agent ended the call', undefined]);
  });
});

describe('transfer_to_human', () => {
  it('output without a new response, finishSpeaking, then hangUp with the reason and the summary', async () => {
    const t = setup();
    t.call('transfer_to_human', JSON.stringify({ reason: 'refund request', summary: 'Order A-17 arrived broken; caller wants a refund.' }), 'fc-2', 'resp-3');
    await settle();
    expect(t.steps).toEqual([
      ['output', 'fc-2', JSON.stringify({ ok: true, result: 'The caller is being transferred to a human agent once you finish speaking.' }), false],
      ['finishSpeaking', 'resp-3'],
      ['hangUp', 'transfer_to_human', 'refund request', 'Order A-17 arrived broken; caller wants a refund.'],
    ]);
  });

  it('without a summary it is an error output and nobody is transferred', async () => {
    const t = setup();
    t.call('transfer_to_human', '{"reason":"refund"}');
    await settle();
    expect(t.steps).toHaveLength(1);
    expect(t.steps[0]?.[0]).toBe('output');
    expect(t.steps[0]?.[3]).toBe(true);
    expect(t.dispatcher.failures).toBe(1);
  });
});

describe('send_dtmf', () => {
  it('sends the digits first, then tells the model they were sent (respond true)', async () => {
    const tones = deferred<boolean>();
    const t = setup({ sendDtmf: tones.promise });
    t.call('send_dtmf', '{"digits":"12#"}');
    await settle();
    expect(t.steps).toEqual([['sendDtmf', '12#']]);
    tones.resolve(true);
    await settle();
    expect(t.steps).toEqual([
      ['sendDtmf', '12#'],
      ['output', 'fc-1', '{"sent":true,"digits":"12#"}', true],
    ]);
  });

  it('reports sent: false when the tones could not be sent', async () => {
    const t = setup({ sendDtmf: Promise.resolve(false) });
    t.call('send_dtmf', '{"digits":"9"}');
    await settle();
    expect(t.steps.at(-1)).toEqual(['output', 'fc-1', '{"sent":false,"digits":"9"}', true]);
  });

  it('is an unknown tool when the agent does not enable it: no tones', async () => {
    const t = setup({ builtins: ['end_call', 'transfer_to_human'] });
    t.call('send_dtmf', '{"digits":"1"}');
    await settle();
    expect(t.steps.map((s) => s[0])).toEqual(['output']);
    expect(JSON.parse(t.steps[0]?.[2] as string).error).toMatch(/^unknown tool "send_dtmf"/);
  });
});

describe('pause_recording / resume_recording', () => {
  const builtins: BuiltinToolName[] = ['end_call', 'pause_recording', 'resume_recording'];

  it('pause and resume the call recording, then tell the model (respond true)', async () => {
    const t = setup({ builtins });
    t.call('pause_recording', '{}');
    await settle();
    expect(t.steps).toEqual([
      ['recording', 'pause'],
      ['output', 'fc-1', '{"ok":true,"recording":"paused"}', true],
    ]);
  });

  it('say so when the call is not being recorded (the store refused it)', async () => {
    const t = setup({ builtins, recording: 'not-recording' });
    t.call('resume_recording', '{}');
    await settle();
    expect(t.steps).toEqual([
      ['recording', 'resume'],
      ['output', 'fc-1', '{"ok":false,"error":"this call is not being recorded"}', true],
    ]);
  });

  it('are unknown tools unless recording enables them', async () => {
    const t = setup({ builtins: ['end_call'] });
    t.call('pause_recording', '{}');
    await settle();
    expect(t.steps.map((s) => s[0])).toEqual(['output']);
    expect(JSON.parse(t.steps[0]?.[2] as string).error).toMatch(/^unknown tool "pause_recording"/);
  });
});

describe('after the call ended (AbortSignal)', () => {
  it('a tool still running when the call ends sends nothing', async () => {
    const never = deferred<string>();
    const t = setup({ tools: [orderTool(() => never.promise)] });
    t.call('lookup_order', '{"orderId":"A-17"}');
    await settle();
    t.abort.abort();
    await settle();
    never.resolve('too late');
    t.clock.advance(TOOL_TIMEOUT_MS);
    await settle();
    expect(t.steps).toEqual([]);
    expect(t.dispatcher.calls).toBe(1);
  });

  it('a built-in whose result arrives after the end neither answers nor hangs up', async () => {
    const t = setup();
    t.call('end_call', '{"reason":"bye"}');
    t.abort.abort();
    await settle();
    expect(t.steps).toEqual([]);
  });

  it('a call made after the end runs nothing and sends nothing', async () => {
    let ran = false;
    const t = setup({
      tools: [
        orderTool(() => {
          ran = true;
          return 'x';
        }),
      ],
    });
    t.abort.abort();
    t.call('lookup_order', '{"orderId":"A-17"}');
    t.call('send_dtmf', '{"digits":"1"}', 'fc-2');
    await settle();
    expect(ran).toBe(false);
    expect(t.steps).toEqual([]);
  });
});
