import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createRootLogger } from '../../src/log.js';
import { ToolRegistry, type ToolRunContext } from '../../src/agent/tool-registry.js';
import { checkTools } from '../../src/agent/tools-module.js';
import type { AgentTool, LoadedTool, ToolHandler } from '../../src/agent/tool-types.js';

const TIMEOUT = 1_000;
const ctx = (over: Partial<ToolRunContext> = {}): ToolRunContext => ({ callId: 'call-1', connect: { headers: {}, contactId: 'c-1' }, handBackAttributes: new Map(), ...over });

function tool(name: string, handler: ToolHandler, parameters: Record<string, unknown> = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }): AgentTool {
  return { name, description: `${name} tool`, parameters, handler };
}

function loaded(...tools: AgentTool[]): LoadedTool[] {
  const r = checkTools(tools);
  if (!r.ok) throw new Error(r.error.join('\n'));
  return r.value;
}

function registry(tools: AgentTool[] = [], builtins: Array<'end_call' | 'transfer_to_human' | 'send_dtmf'> = ['end_call', 'transfer_to_human'], clock = new ManualClock()) {
  return { clock, reg: new ToolRegistry(builtins, loaded(...tools), { clock, timeoutMs: TIMEOUT }) };
}

describe('built-in tools become typed intents', () => {
  it('end_call, with or without a reason; "" arguments mean none', async () => {
    const { reg } = registry();
    expect(await reg.run('end_call', '{"reason":"caller is done"}', ctx())).toMatchObject({ builtin: 'end_call', args: { reason: 'caller is done' } });
    const r = await reg.run('end_call', '', ctx());
    expect(r).toMatchObject({ builtin: 'end_call', args: {} });
    expect(JSON.parse(r.output)).toEqual({ ok: true, result: 'The call will end once you finish speaking.' });
  });

  it('transfer_to_human needs a reason and a summary (the human agent reads it)', async () => {
    const { reg } = registry();
    const ok = await reg.run('transfer_to_human', '{"reason":"refund","summary":"Order 1 arrived broken.","extra":1}', ctx());
    expect(ok).toMatchObject({ builtin: 'transfer_to_human', args: { reason: 'refund', summary: 'Order 1 arrived broken.' } });
    expect(ok.error).toBeUndefined();
    const bad = await reg.run('transfer_to_human', '{"reason":"refund"}', ctx());
    expect(bad.builtin).toBeUndefined();
    expect(bad.error?.code).toBe('TOOL_ERR_BAD_ARGS');
    expect(JSON.parse(bad.output).error).toMatch(/^invalid arguments for transfer_to_human: summary: /);
  });

  it('send_dtmf only when enabled, and only with DTMF keys', async () => {
    expect((await registry().reg.run('send_dtmf', '{"digits":"1"}', ctx())).error?.code).toBe('TOOL_ERR_UNKNOWN');
    const { reg } = registry([], ['send_dtmf']);
    expect(await reg.run('send_dtmf', '{"digits":"12*#AD"}', ctx())).toMatchObject({ builtin: 'send_dtmf', args: { digits: '12*#AD' } });
    expect(JSON.parse((await reg.run('send_dtmf', '{"digits":"12E"}', ctx())).output)).toEqual({ error: 'invalid arguments for send_dtmf: digits: digits must be 1..32 of 0-9, *, #, A-D' });
    expect((await reg.run('send_dtmf', `{"digits":"${'1'.repeat(33)}"}`, ctx())).error?.code).toBe('TOOL_ERR_BAD_ARGS');
  });
});

describe('what the model gets wrong comes back as {"error": …}', () => {
  it('an unknown tool names the available ones', async () => {
    const { reg } = registry([tool('lookup', () => 'x')]);
    const r = await reg.run('lookup_order', '{}', ctx());
    expect(r.error?.code).toBe('TOOL_ERR_UNKNOWN');
    expect(JSON.parse(r.output)).toEqual({ error: 'unknown tool "lookup_order"; available: end_call, transfer_to_human, lookup' });
  });

  it.each([
    ['{"id":', 'TOOL_ERR_BAD_JSON', /^arguments are not valid JSON: /],
    ['[1,2]', 'TOOL_ERR_BAD_JSON', /^arguments must be a JSON object$/],
    ['"id"', 'TOOL_ERR_BAD_JSON', /^arguments must be a JSON object$/],
    ['{}', 'TOOL_ERR_BAD_ARGS', /^invalid arguments for lookup: id: /],
    ['{"id":5}', 'TOOL_ERR_BAD_ARGS', /^invalid arguments for lookup: id: /],
  ])('%s → %s', async (args, code, message) => {
    let called = false;
    const { reg } = registry([
      tool('lookup', () => {
        called = true;
        return 'x';
      }),
    ]);
    const r = await reg.run('lookup', args, ctx());
    expect(r.error?.code).toBe(code);
    expect(JSON.parse(r.output).error).toMatch(message);
    expect(called).toBe(false);
  });

  it('property: run() never rejects, whatever name and arguments the model sends', async () => {
    const { reg } = registry([tool('lookup', (a) => ({ echo: a.id }))], ['end_call', 'transfer_to_human', 'send_dtmf']);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom('lookup', 'end_call', 'transfer_to_human', 'send_dtmf'), fc.string()), fc.oneof(fc.json(), fc.string()), async (name, args) => {
        const r = await reg.run(name, args, ctx());
        expect(typeof r.output).toBe('string');
        expect(() => JSON.parse(r.output)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });
});

describe('user tool handlers', () => {
  it('passes validated arguments and the call context; objects are sent as JSON, strings as they are', async () => {
    const seen: unknown[] = [];
    const { reg } = registry([
      tool('obj', (args, c) => {
        seen.push(args, c.callId, c.connect.contactId, c.signal.aborted);
        return { status: 'shipped' };
      }),
      tool('str', async () => 'plain text'),
      tool('nothing', async () => undefined as unknown as string),
    ]);
    expect(await reg.run('obj', '{"id":"42"}', ctx())).toEqual({ output: '{"status":"shipped"}', durationMs: 0 });
    expect(seen).toEqual([{ id: '42' }, 'call-1', 'c-1', false]);
    expect((await reg.run('str', '{"id":"1"}', ctx())).output).toBe('plain text');
    expect((await reg.run('nothing', '{"id":"1"}', ctx())).output).toBe('{"ok":true}');
  });

  it('a handler that throws (or rejects) becomes TOOL_ERR_FAILED with its message', async () => {
    const { reg } = registry([
      tool('sync', () => {
        throw new Error('CRM down\nstack line');
      }),
      tool('async', async () => Promise.reject(new Error('timeout talking to CRM'))),
    ]);
    expect(await reg.run('sync', '{"id":"1"}', ctx())).toMatchObject({ output: '{"error":"sync failed: CRM down"}', error: { code: 'TOOL_ERR_FAILED' } });
    expect((await reg.run('async', '{"id":"1"}', ctx())).error).toEqual({ code: 'TOOL_ERR_FAILED', message: 'async failed: timeout talking to CRM' });
  });

  it('a result that cannot be serialised is TOOL_ERR_BAD_OUTPUT; a huge one is cut', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const { reg } = registry([tool('loop', () => circular), tool('big', () => 'x'.repeat(20_000)), tool('fn', () => (() => 1) as unknown as object)]);
    expect((await reg.run('loop', '{"id":"1"}', ctx())).error?.code).toBe('TOOL_ERR_BAD_OUTPUT');
    expect((await reg.run('fn', '{"id":"1"}', ctx())).error?.code).toBe('TOOL_ERR_BAD_OUTPUT');
    const big = await reg.run('big', '{"id":"1"}', ctx());
    expect(big.output.length).toBeLessThan(16_100);
    expect(big.output.endsWith('…[cut at 16000 characters]')).toBe(true);
  });

  it('a handler that hangs times out on the injected clock; its signal is aborted and no timer is left', async () => {
    let signal: AbortSignal | undefined;
    let finish: (v: string) => void = () => undefined;
    const { reg, clock } = registry([
      tool('slow', (_a, c) => {
        signal = c.signal;
        return new Promise<string>((resolve) => (finish = resolve));
      }),
    ]);
    const pending = reg.run('slow', '{"id":"1"}', ctx());
    expect(clock.pendingTimers).toBe(1);
    clock.advance(TIMEOUT - 1);
    await Promise.resolve();
    clock.advance(1);
    const r = await pending;
    expect(r).toMatchObject({ output: `{"error":"slow did not answer within ${TIMEOUT} ms"}`, error: { code: 'TOOL_ERR_TIMEOUT' }, durationMs: TIMEOUT });
    expect(signal?.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    finish('too late'); // ignored
  });

  it('a handler that rejects after its timeout does not cause an unhandled rejection', async () => {
    let fail: (e: Error) => void = () => undefined;
    const { reg, clock } = registry([tool('late', () => new Promise<string>((_r, reject) => (fail = reject)))]);
    const pending = reg.run('late', '{"id":"1"}', ctx());
    clock.advance(TIMEOUT);
    expect((await pending).error?.code).toBe('TOOL_ERR_TIMEOUT');
    fail(new Error('late failure'));
    await new Promise((r) => setTimeout(r, 10));
  });

  it('the end of the call aborts a running handler (TOOL_ERR_ABORTED) and an ended call runs nothing', async () => {
    let signal: AbortSignal | undefined;
    let calls = 0;
    const { reg, clock } = registry([
      tool('wait', (_a, c) => {
        calls++;
        signal = c.signal;
        return new Promise<string>(() => undefined);
      }),
    ]);
    const call = new AbortController();
    const pending = reg.run('wait', '{"id":"1"}', ctx({ signal: call.signal }));
    await Promise.resolve();
    call.abort();
    expect((await pending).error?.code).toBe('TOOL_ERR_ABORTED');
    expect(signal?.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    expect((await reg.run('wait', '{"id":"1"}', ctx({ signal: call.signal }))).error?.code).toBe('TOOL_ERR_ABORTED');
    expect(calls).toBe(1);
  });

  it('setHandBackAttribute records attributes for the hand-back, and refuses reserved or illegal names', async () => {
    const { reg } = registry([
      tool('verify', (_a, c) => {
        c.setHandBackAttribute('customer_verified', 'true');
        return 'ok';
      }),
      tool('reserved', (_a, c) => {
        c.setHandBackAttribute('ai_outcome', 'completed');
        return 'ok';
      }),
      tool('illegal', (_a, c) => {
        c.setHandBackAttribute('customer.verified', 'true');
        return 'ok';
      }),
    ]);
    const attrs = new Map<string, string>();
    await reg.run('verify', '{"id":"1"}', ctx({ handBackAttributes: attrs }));
    expect(Object.fromEntries(attrs)).toEqual({ customer_verified: 'true' });
    expect((await reg.run('reserved', '{"id":"1"}', ctx({ handBackAttributes: attrs }))).error?.message).toBe('reserved failed: hand-back attribute ai_outcome is written by the gateway');
    expect((await reg.run('illegal', '{"id":"1"}', ctx({ handBackAttributes: attrs }))).error?.code).toBe('TOOL_ERR_FAILED');
    expect(attrs.size).toBe(1);
  });

  it('counts calls and errors by code', async () => {
    const { reg } = registry([tool('ok', () => 'x')]);
    await reg.run('ok', '{"id":"1"}', ctx());
    await reg.run('end_call', '{}', ctx());
    await reg.run('nope', '{}', ctx());
    await reg.run('ok', '{', ctx());
    const stats = reg.stats();
    expect([stats.calls, stats.builtinCalls, stats.errors.TOOL_ERR_UNKNOWN, stats.errors.TOOL_ERR_BAD_JSON, stats.errors.TOOL_ERR_TIMEOUT]).toEqual([4, 1, 1, 1, 0]);
  });

  it('logs tool names and codes, never arguments or outputs', async () => {
    const lines: string[] = [];
    const logger = createRootLogger(
      'debug',
      new Writable({
        write(chunk: Buffer, _e, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const clock = new ManualClock();
    const reg = new ToolRegistry([], loaded(tool('lookup', () => ({ balance: 'BALANCE-1234' }))), { clock, timeoutMs: TIMEOUT, logger });
    await reg.run('lookup', '{"id":"PIN-9876"}', ctx());
    await reg.run('lookup', '{"id":7}', ctx());
    const text = lines.join('');
    expect(text).toContain('"tool":"lookup"');
    expect(text).toContain('TOOL_ERR_BAD_ARGS');
    expect(text).not.toContain('PIN-9876');
    expect(text).not.toContain('BALANCE-1234');
  });
});
