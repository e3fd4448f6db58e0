import { describe, expect, it } from 'vitest';
import { resolveHandoffSummary } from '../../src/agent/handoff-summary-settings.js';
import { collectHandoffSummary, latencyFields, parseAnswer, summaryInstructions } from '../../src/call/handoff-summary.js';
import { ManualClock } from '../../src/clock.js';
import { FakeBackend } from './fakes.js';

const settings = resolveHandoffSummary({
  timeoutMs: 2_000,
  facts: [{ name: 'orderNumber', description: "the caller's five-digit order number" }],
  attributes: { intent: 'ai_intent', outcome: 'ai_summary_outcome' },
});

const input = {
  endReason: 'handed-back',
  outcome: 'transfer_to_human',
  reason: 'caller asked for a person',
  transcript: [
    { role: 'assistant' as const, text: 'Hello, how can I help?' },
    { role: 'user' as const, text: 'I would like to check my order, please.' },
  ],
  latenciesMs: [400, 200, 300, 1_000],
};

describe('hand-off summary', () => {
  it('maps the model\'s answer, the end reason and the latencies to the attribute names', async () => {
    const backend = new FakeBackend();
    backend.outOfBandAnswer = JSON.stringify({ intent: 'Check order 10025', outcome: 'Asked for a person', orderNumber: '10025' });
    const summary = await collectHandoffSummary(settings, backend, new ManualClock(), input);
    expect(summary.source).toBe('model');
    expect(summary.attributes).toEqual({
      ai_intent: 'Check order 10025',
      ai_summary_outcome: 'Asked for a person',
      ai_order_number: '10025',
      ai_end_reason: 'handed-back',
      ai_latency_median_ms: '350',
      ai_latency_p95_ms: '1000',
    });
    const [asked] = backend.of('askOutOfBand');
    expect(asked?.instructions).toContain('"orderNumber": the caller\'s five-digit order number');
  });

  it('no answer in time: after exactly timeoutMs on the call clock the gateway writes what it knows', async () => {
    const clock = new ManualClock();
    const backend = new FakeBackend();
    backend.outOfBandAnswer = 'never';
    let done: Awaited<ReturnType<typeof collectHandoffSummary>> | undefined;
    void collectHandoffSummary(settings, backend, clock, input).then((s) => (done = s));
    clock.advance(1_999);
    await Promise.resolve();
    expect(done).toBeUndefined();
    clock.advance(1);
    for (let i = 0; i < 5 && done === undefined; i++) await Promise.resolve();
    expect(done?.source).toBe('gateway');
    expect(done?.fallbackReason).toBe('no answer within 2000 ms');
    expect(done?.waitedMs).toBe(2_000);
    expect(done?.attributes).toEqual({
      ai_intent: 'I would like to check my order, please.',
      ai_summary_outcome: 'transfer_to_human: caller asked for a person',
      ai_end_reason: 'handed-back',
      ai_latency_median_ms: '350',
      ai_latency_p95_ms: '1000',
    });
    expect(clock.pendingTimers).toBe(0);
  });

  it('no AI (it failed) or an answer that is not the JSON asked for: the fallback, at once', async () => {
    const clock = new ManualClock();
    const none = await collectHandoffSummary(settings, undefined, clock, input);
    expect(none.fallbackReason).toBe('no AI session');
    const backend = new FakeBackend();
    backend.outOfBandAnswer = 'The caller wanted their order status.';
    const prose = await collectHandoffSummary(settings, backend, clock, input);
    expect(prose.source).toBe('gateway');
    expect(prose.fallbackReason).toBe('the answer was not the JSON asked for');
    expect(prose.attributes.ai_intent).toBe('I would like to check my order, please.');
    expect(clock.pendingTimers).toBe(0);
  });

  it('values are cut to 1 KB; a fenced answer and unquoted numbers are accepted', async () => {
    expect(parseAnswer('```json\n{"intent":"x","orderNumber":10025}\n```', settings)).toEqual({ intent: 'x', orderNumber: '10025' });
    expect(parseAnswer('[1,2]', settings)).toBeUndefined();
    const backend = new FakeBackend();
    backend.outOfBandAnswer = JSON.stringify({ intent: 'é'.repeat(2_000), outcome: '' });
    const summary = await collectHandoffSummary(settings, backend, new ManualClock(), { ...input, latenciesMs: [] });
    expect(Buffer.byteLength(summary.attributes.ai_intent ?? '', 'utf8')).toBeLessThanOrEqual(1_024);
    expect(summary.attributes.ai_summary_outcome).toBe('transfer_to_human: caller asked for a person');
    expect(summary.attributes.ai_latency_median_ms).toBeUndefined();
  });

  it('latency median and p95 (nearest rank)', () => {
    expect(latencyFields([])).toEqual({});
    expect(latencyFields([5])).toEqual({ latencyMedianMs: '5', latencyP95Ms: '5' });
    expect(latencyFields(Array.from({ length: 100 }, (_, i) => i + 1))).toEqual({ latencyMedianMs: '51', latencyP95Ms: '95' });
  });

  it('the question names every field and asks for JSON only', () => {
    const text = summaryInstructions(settings);
    expect(text).toMatch(/one JSON object only/);
    expect(text).toMatch(/"intent"/);
    expect(text).toMatch(/"outcome"/);
  });
});
