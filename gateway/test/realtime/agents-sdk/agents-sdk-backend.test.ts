/**
 * The agents-sdk backend against the lab's fake Realtime server over real loopback WebSockets: the
 * SDK's RealtimeSession drives the conversation, the gateway sees RealtimeBackend events.
 * All sockets on 127.0.0.1; every wait is bounded.
 */
import { RealtimeAgent, tool, type RealtimeItem } from '@openai/agents-realtime';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../../../src/clock.js';
import { AGENTS_SDK_SESSION_ERROR } from '../../../src/realtime/agents-sdk/index.js';
import { RealtimeError } from '../../../src/realtime/errors.js';
import type { FakeScript } from '../../../../lab/src/fake-realtime/index.js';
import { fakeRealtimeFixture } from '../helpers.js';
import { appendInFrames, baseConfig, END_CALL, frontDesk, makeBackend, mulaw, SECRET, tone } from './helpers.js';

const WAIT = { timeout: 5000, interval: 5 };
const fixture = fakeRealtimeFixture();

async function setup(script: FakeScript, agent: RealtimeAgent = frontDesk(), opts: Parameters<typeof makeBackend>[2] = {}) {
  const fake = await fixture.fake(script);
  const h = makeBackend(fake.url, () => agent, opts);
  fixture.track(h.backend);
  return { ...h, fake, agent };
}

const serverVad = { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 200, createResponse: true, interruptResponse: true } as const;
const oneAnswer: FakeScript = { turns: [{ audio: { pcm8k: tone(1000) }, transcript: 'one two three', userTranscript: 'hello' }], speed: 8, responseDelayMs: 0 };

function messageTranscript(item: RealtimeItem | undefined): string | undefined {
  if (item?.type !== 'message') return undefined;
  const part = item.content[0];
  return part !== undefined && 'transcript' in part ? (part.transcript ?? undefined) : undefined;
}

describe('agents-sdk backend: session setup', () => {
  it.each([
    ['pcmu', { type: 'audio/pcmu' }],
    ['pcma', { type: 'audio/pcma' }],
    ['pcm16', { type: 'audio/pcm', rate: 24000 }],
  ] as const)('connect() sends the SDK session with %s both ways and resolves on session.updated', async (audioFormat, wire) => {
    const { backend, fake, states } = await setup(oneAnswer);
    await backend.connect({ ...baseConfig, audioFormat });
    expect(states()).toEqual(['connecting', 'ready']);
    const s = fake.sessions[0]!;
    // The SDK also sends its own tracing update (often first); ours is the one with the audio block.
    const first = s.eventsOf('in', 'session.update').find((e) => 'audio' in (e.event.session as object))!.event;
    expect(first).toMatchObject({
      session: {
        type: 'realtime',
        model: 'gpt-realtime',
        output_modalities: ['audio'],
        // The agent's own instructions, then the call layer's.
        instructions: 'You answer the phone for Acme.\n\nCall context: caller number +15550100.',
        audio: {
          input: {
            format: wire,
            turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200, create_response: true, interrupt_response: true },
            transcription: { model: 'gpt-4o-mini-transcribe' },
            noise_reduction: null,
          },
          output: { format: wire, voice: 'marin' },
        },
      },
    });
    expect(s.effectiveSession.audio?.input?.format).toEqual(wire);
    expect(fake.connectionAttempts).toHaveLength(1);
    expect(fake.connectionAttempts[0]).toMatchObject({ outcome: 'accepted', authorized: true, model: 'gpt-realtime', path: '/v1/realtime' });
  });

  it('the agent voice wins over the configured one; the factory model overrides the config model', async () => {
    const { backend, fake } = await setup(oneAnswer, frontDesk({ voice: 'cedar' }), { model: 'gpt-realtime-mini' });
    await backend.connect(baseConfig);
    const s = fake.sessions[0]!;
    expect(fake.connectionAttempts[0]!.model).toBe('gpt-realtime-mini');
    expect(s.effectiveSession).toMatchObject({ model: 'gpt-realtime-mini', audio: { output: { voice: 'cedar' } } });
  });

  it('the API key travels only in the Authorization header and never reaches the logs', async () => {
    const { backend, fake, lines } = await setup(oneAnswer);
    await backend.connect(baseConfig);
    await backend.close();
    expect(fake.connectionAttempts[0]!.headers.authorization).toBe('[redacted]');
    expect(lines.join('')).not.toContain(SECRET);
  });

  it('a loadAgent failure rejects connect() with RT_ERR_CONFIG before any connection', async () => {
    const fake = await fixture.fake(oneAnswer);
    const { backend, states, of } = makeBackend(fake.url, () => {
      throw new Error('no agent for +15550100');
    });
    const err = await backend.connect(baseConfig).catch((e: unknown) => e);
    expect(RealtimeError.is(err) && err.code).toBe('RT_ERR_CONFIG');
    expect((err as Error).message).toContain('no agent for +15550100');
    expect(states()).toEqual(['connecting', 'closed']);
    expect(of('error')).toEqual([expect.objectContaining({ code: 'RT_ERR_CONFIG', fatal: true })]);
    expect(fake.connectionAttempts).toHaveLength(0);
  });

  it('a refused connection rejects connect() with RT_ERR_CONNECT_FAILED: one attempt, no retry', async () => {
    const { backend, fake, states } = await setup({ ...oneAnswer, failures: { refuseConnections: 'always' } });
    const err = await backend.connect(baseConfig).catch((e: unknown) => e);
    expect(RealtimeError.is(err) && err.code).toBe('RT_ERR_CONNECT_FAILED');
    expect(RealtimeError.is(err) && err.classify()).toBe('provider-unavailable');
    expect(states()).toEqual(['connecting', 'closed']);
    expect(fake.connectionAttempts.map((a) => a.outcome)).toEqual(['refused']);
  });

  it('the deadline runs on the injected clock: RT_ERR_CONNECT_TIMEOUT', async () => {
    // The fake holds the upgrade (300 ms of its real time); the backend's deadline is on a manual clock.
    const fake = await fixture.fake({ ...oneAnswer, failures: { handshakeDelayMs: 300 } });
    const clock = new ManualClock();
    const { backend, states } = makeBackend(fake.url, () => frontDesk(), {}, clock);
    const pending = backend.connect(baseConfig, { timeoutMs: 3000 }).catch((e: unknown) => e);
    await fake.waitFor(() => fake.connectionAttempts.length === 1, 5000, 'the upgrade request');
    clock.advance(2999);
    expect(states()).toEqual(['connecting']);
    clock.advance(1);
    const err = await pending;
    expect(RealtimeError.is(err) && err.code).toBe('RT_ERR_CONNECT_TIMEOUT');
    expect(states()).toEqual(['connecting', 'closed']);
  });
});

describe('agents-sdk backend: the SDK session sees the audio too', () => {
  it('every delta reaches both the call layer (audio events) and the SDK session (its own audio events), decoded once', async () => {
    const { backend, of } = await setup(oneAnswer);
    await backend.connect(baseConfig);
    const sdkAudio: number[] = [];
    backend.sdkSession!.on('audio', (e) => sdkAudio.push(e.data.byteLength));
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    expect(sdkAudio).toEqual(of('audio').map((a) => a.audio.length));
    expect(sdkAudio).toHaveLength(10);
  });
});

describe('agents-sdk backend: barge-in with the RTP truth', () => {
  const longAnswer: FakeScript = {
    turns: [{ audio: { pcm8k: tone(3000) }, transcript: 'one two three four five six seven eight nine ten eleven twelve' }],
    speed: 4,
    responseDelayMs: 0,
  };

  it('after speechStarted, truncate(itemId, 0, 730) reaches the fake as 730 ms and the SDK history is cut', async () => {
    const { backend, fake, of } = await setup(longAnswer);
    await backend.connect(baseConfig);
    const session = backend.sdkSession!;
    let interrupted = 0;
    session.on('audio_interrupted', () => interrupted++);
    // What the media bridge does on speechStarted: flush, then truncate at the ms sent as RTP.
    backend.on('speechStarted', () => backend.truncate(of('audio')[0]!.itemId, 0, 730));
    backend.createResponse();
    // 1 s of the 3 s answer received (at 4x real time): the caller talks over it.
    await vi.waitFor(() => expect(of('audio').length).toBeGreaterThanOrEqual(10), WAIT);
    appendInFrames(backend, mulaw(tone(300)));
    const itemId = of('audio')[0]!.itemId;
    const s = fake.sessions[0]!;
    await vi.waitFor(() => expect(of('truncated')).toHaveLength(1), WAIT);
    expect(s.truncates).toEqual([expect.objectContaining({ itemId, contentIndex: 0, audioEndMs: 730, accepted: true })]);
    expect(of('truncated')[0]).toEqual({ itemId, audioEndMs: 730 });
    // The SDK's own path ran (audio_interrupted) but sent no wall-clock truncate of its own.
    expect(interrupted).toBe(1);
    // The server cut the transcript; the SDK re-read the item, so its history holds what was heard.
    await vi.waitFor(() => expect(s.eventsOf('out', 'conversation.item.retrieved')).toHaveLength(1), WAIT);
    const heard = (s.eventsOf('out', 'conversation.item.retrieved')[0]!.event.item as { content: Array<{ transcript: string }> }).content[0]!.transcript;
    expect(heard.length).toBeGreaterThan(0);
    expect(heard.length).toBeLessThan('one two three four five six seven eight nine ten eleven twelve'.length);
    await vi.waitFor(() => expect(messageTranscript(session.history.find((i) => i.itemId === itemId))).toBe(heard), WAIT);
    expect(s.truncates).toHaveLength(1);
    // interrupt_response is on: the server cancelled; the SDK's interrupt must not cancel again.
    expect(s.eventsOf('in', 'response.cancel')).toEqual([]);
  });

  it.each([true, false])('interrupt_response off: exactly one response.cancel (the call layer cancels too: %s)', async (callLayerCancels) => {
    const { backend, fake, of } = await setup(longAnswer);
    await backend.connect({ ...baseConfig, turnDetection: { ...serverVad, interruptResponse: false } });
    // The media bridge with interrupt_response off: cancel the response, then truncate. Without its
    // cancel, the SDK's interrupt path (which sees interrupt_response off) cancels.
    backend.on('speechStarted', () => {
      if (callLayerCancels) backend.cancelResponse(of('audio')[0]!.responseId);
      backend.truncate(of('audio')[0]!.itemId, 0, 500);
    });
    backend.createResponse();
    await vi.waitFor(() => expect(of('audio').length).toBeGreaterThanOrEqual(10), WAIT);
    appendInFrames(backend, mulaw(tone(300)));
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    const s = fake.sessions[0]!;
    expect(of('responseDone')[0]).toMatchObject({ status: 'cancelled' });
    expect(s.eventsOf('in', 'response.cancel').map((e) => e.event.response_id)).toEqual([of('audio')[0]!.responseId]);
    await vi.waitFor(() => expect(s.truncates).toEqual([expect.objectContaining({ audioEndMs: 500, accepted: true })]), WAIT);
  });
});

describe('agents-sdk backend: tools', () => {
  it("the agent's own SDK tool runs inside the SDK: no functionCall; the fake gets the output and a response.create", async () => {
    const calls: unknown[] = [];
    const lookupOrder = tool({
      name: 'lookup_order',
      description: 'Look up an order.',
      parameters: z.object({ order: z.number().int() }),
      execute: (args) => {
        calls.push(args);
        return `Order ${args.order} shipped on Tuesday.`;
      },
    });
    const script: FakeScript = {
      turns: [{ functionCall: { name: 'lookup_order', arguments: { order: 42 }, callId: 'call_lookup1' }, audio: { pcm8k: tone(200) }, transcript: 'It shipped.' }],
      speed: 8,
      responseDelayMs: 0,
    };
    const { backend, fake, of } = await setup(script, frontDesk({ tools: [lookupOrder] }));
    await backend.connect(baseConfig);
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(2), WAIT);
    expect(calls).toEqual([{ order: 42 }]);
    expect(of('functionCall')).toEqual([]);
    const s = fake.sessions[0]!;
    expect(s.receivedItems.map((r) => r.item)).toEqual([expect.objectContaining({ type: 'function_call_output', call_id: 'call_lookup1', output: 'Order 42 shipped on Tuesday.' })]);
    expect(s.eventsOf('in', 'response.create')).toHaveLength(2);
    expect(of('audio').length).toBeGreaterThan(0);
  });

  it('a gateway tool surfaces as functionCall and completes only when sendFunctionOutput() is called', async () => {
    const script: FakeScript = {
      turns: [{ functionCall: { name: 'end_call', arguments: { reason: 'caller is done' }, callId: 'call_end1' }, audio: { pcm8k: tone(200) }, transcript: 'Goodbye.' }],
      speed: 8,
      responseDelayMs: 0,
    };
    const { backend, fake, of } = await setup(script);
    await backend.connect({ ...baseConfig, tools: [END_CALL] });
    const s = fake.sessions[0]!;
    expect(s.effectiveSession.tools).toEqual([{ type: 'function', name: 'end_call', description: 'End the phone call.', parameters: END_CALL.parameters }]);
    backend.createResponse();
    await vi.waitFor(() => expect(of('functionCall')).toHaveLength(1), WAIT);
    expect(of('functionCall')[0]).toEqual({
      callId: 'call_end1',
      name: 'end_call',
      arguments: '{"reason":"caller is done"}',
      responseId: of('responseStarted')[0]!.responseId,
      itemId: expect.stringMatching(/^item_/),
    });
    // The SDK waits for the call layer: nothing was sent for the call yet.
    expect(s.receivedItems).toEqual([]);
    backend.sendFunctionOutput('call_end1', '{"ok":true}');
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(2), WAIT);
    expect(s.receivedItems.map((r) => r.item)).toEqual([expect.objectContaining({ type: 'function_call_output', call_id: 'call_end1', output: '{"ok":true}' })]);
    expect(s.eventsOf('in', 'response.create')).toHaveLength(2);
    // The SDK's history has the call with the call layer's output.
    const call = backend.sdkSession!.history.find((i) => i.type === 'function_call');
    expect(call).toMatchObject({ name: 'end_call', output: '{"ok":true}', status: 'completed' });
    // A second answer for the same call is ignored.
    backend.sendFunctionOutput('call_end1', '{"ok":false}');
    backend.addUserText('marker');
    await vi.waitFor(() => expect(s.receivedItems).toHaveLength(2), WAIT);
    expect(s.receivedItems[1]!.item).toMatchObject({ type: 'message', role: 'user' });
  });

  it('sendFunctionOutput(..., {respond: false}) sends the output without asking for a response', async () => {
    const script: FakeScript = { turns: [{ functionCall: { name: 'end_call', arguments: {}, callId: 'call_end2' } }], speed: 8, responseDelayMs: 0 };
    const { backend, fake, of } = await setup(script);
    await backend.connect({ ...baseConfig, tools: [END_CALL] });
    backend.createResponse();
    await vi.waitFor(() => expect(of('functionCall')).toHaveLength(1), WAIT);
    backend.sendFunctionOutput('call_end2', 'ending', { respond: false });
    const s = fake.sessions[0]!;
    await vi.waitFor(() => expect(s.receivedItems).toHaveLength(1), WAIT);
    // Events reach the fake in order: a response.create would have come before this marker.
    backend.addUserText('marker');
    await vi.waitFor(() => expect(s.receivedItems).toHaveLength(2), WAIT);
    expect(s.eventsOf('in', 'response.create')).toHaveLength(1);
  });

  it('a handoff runs in the SDK; the next agent keeps the gateway tools, the call context and the phone audio format', async () => {
    const billing = new RealtimeAgent({ name: 'Billing', instructions: 'You handle payments.' });
    const script: FakeScript = {
      turns: [{ functionCall: { name: 'transfer_to_Billing', arguments: {}, callId: 'call_handoff1' }, audio: { pcm8k: tone(200) }, transcript: 'Billing here.' }],
      speed: 8,
      responseDelayMs: 0,
    };
    const { backend, fake, of } = await setup(script, frontDesk({ handoffs: [billing] }));
    const handoffs: string[] = [];
    await backend.connect({ ...baseConfig, tools: [END_CALL] });
    backend.sdkSession!.on('agent_handoff', (_ctx, from, to) => handoffs.push(`${from.name} -> ${to.name}`));
    // A live change before the handoff must survive the SDK's own session.update at the handoff.
    backend.updateSession({ speed: 1.25 });
    const s = fake.sessions[0]!;
    const toolNames = (e: Record<string, unknown>) => ((e.session as { tools?: Array<{ name: string }> }).tools ?? []).map((t) => t.name).sort();
    expect((s.effectiveSession.tools ?? []).map((t) => ('name' in t ? t.name : '')).sort()).toEqual(['end_call', 'transfer_to_Billing']);
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(2), WAIT);
    expect(handoffs).toEqual(['Front desk -> Billing']);
    expect(of('functionCall')).toEqual([]);
    expect(s.effectiveSession).toMatchObject({
      instructions: 'You handle payments.\n\nCall context: caller number +15550100.',
      audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' }, voice: 'marin' } },
    });
    const atHandoff = s.eventsOf('in', 'session.update').at(-1)!.event;
    expect(toolNames(atHandoff)).toEqual(['end_call']);
    expect(atHandoff).toMatchObject({ session: { audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' }, speed: 1.25 } } } });
    expect(billing.tools).toEqual([]); // the deployment's agent is untouched
  });

  it('a call of a tool nobody has is an SDK session error: non-fatal error event, the call goes on', async () => {
    const script: FakeScript = { turns: [{ functionCall: { name: 'no_such_tool', arguments: {} } }], speed: 8, responseDelayMs: 0 };
    const { backend, of, states } = await setup(script);
    await backend.connect(baseConfig);
    backend.createResponse();
    await vi.waitFor(() => expect(of('error')).toHaveLength(1), WAIT);
    expect(of('error')[0]).toMatchObject({ code: AGENTS_SDK_SESSION_ERROR, fatal: false, message: expect.stringContaining('no_such_tool') });
    expect(states()).toEqual(['connecting', 'ready']);
  });
});

describe('agents-sdk backend: live changes and text', () => {
  it('updateSession(): audio settings as a partial session.update, instructions appended to the current agent', async () => {
    const { backend, fake } = await setup(oneAnswer);
    await backend.connect(baseConfig);
    const s = fake.sessions[0]!;
    const before = s.eventsOf('in', 'session.update').length;
    backend.updateSession({ turnDetection: { type: 'semantic_vad', eagerness: 'low', createResponse: true, interruptResponse: true } });
    backend.updateSession({ instructions: 'Call context: caller asked for Spanish.' });
    await vi.waitFor(() => expect(s.eventsOf('in', 'session.update')).toHaveLength(before + 2), WAIT);
    const [turn, instr] = s.eventsOf('in', 'session.update').slice(before).map((e) => e.event.session as Record<string, unknown>);
    expect(turn).toEqual({ type: 'realtime', audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'low', create_response: true, interrupt_response: true } } } });
    expect(instr).toEqual({ type: 'realtime', instructions: 'You answer the phone for Acme.\n\nCall context: caller asked for Spanish.' });
    await vi.waitFor(() => expect(s.effectiveSession.instructions).toBe('You answer the phone for Acme.\n\nCall context: caller asked for Spanish.'), WAIT);
    expect(s.effectiveSession.audio?.input?.format).toEqual({ type: 'audio/pcmu' });
  });

  it('updateSession({tools}) re-prepares the agent: a tool added mid-call reaches the call layer', async () => {
    const script: FakeScript = { turns: [{ functionCall: { name: 'end_call', arguments: {}, callId: 'call_late1' } }], speed: 8, responseDelayMs: 0 };
    const { backend, fake, of } = await setup(script);
    await backend.connect(baseConfig);
    const s = fake.sessions[0]!;
    backend.updateSession({ tools: [END_CALL] });
    await vi.waitFor(() => expect((s.effectiveSession.tools ?? []).map((t) => ('name' in t ? t.name : ''))).toEqual(['end_call']), WAIT);
    backend.createResponse();
    await vi.waitFor(() => expect(of('functionCall')).toHaveLength(1), WAIT);
    expect(of('functionCall')[0]).toMatchObject({ callId: 'call_late1', name: 'end_call' });
  });

  it('addUserText(): a user text item; respond asks for an answer', async () => {
    const { backend, fake, of } = await setup(oneAnswer);
    await backend.connect(baseConfig);
    backend.addUserText('DTMF 1 2 3', { respond: true });
    const s = fake.sessions[0]!;
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    expect(s.receivedItems[0]!.item).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'DTMF 1 2 3' }] });
  });

  it('createResponse() before the session is ready is sent once it is', async () => {
    const { backend, of } = await setup(oneAnswer);
    const connecting = backend.connect(baseConfig);
    backend.createResponse({ instructions: 'Greet the caller.' });
    await connecting;
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
  });
});

describe('agents-sdk backend: failure', () => {
  it('a lost socket is final: the live response fails, error (fatal), state closed, no reconnect', async () => {
    const { backend, fake, of, states } = await setup({ ...oneAnswer, failures: { drops: [{ duringTurn: 1 }] } });
    await backend.connect(baseConfig);
    backend.createResponse();
    await vi.waitFor(() => expect(states()).toEqual(['connecting', 'ready', 'closed']), WAIT);
    expect(of('responseDone')).toEqual([expect.objectContaining({ status: 'failed', statusDetails: { type: 'failed', error: { code: 'connection_lost' } } })]);
    expect(of('error')).toEqual([expect.objectContaining({ code: 'RT_ERR_RECONNECT_EXHAUSTED', fatal: true, message: expect.stringContaining('does not reconnect') })]);
    expect(fake.connectionAttempts).toHaveLength(1);
  });
});

describe('agents-sdk backend: output guardrail trip', () => {
  it('emits interrupted (the call layer flushes and truncates) and the response is cancelled exactly once', async () => {
    const script: FakeScript = {
      turns: [{ audio: { pcm8k: tone(4000) }, transcript: 'I will now read out the full card number of the account holder, slowly.' }],
      speed: 2,
      responseDelayMs: 0,
    };
    const { backend, fake, of } = await setup(script, frontDesk(), {
      sessionOptions: {
        outputGuardrails: [{ name: 'no_card_numbers', execute: async ({ agentOutput }) => ({ tripwireTriggered: agentOutput.includes('card'), outputInfo: {} }) }],
        outputGuardrailSettings: { debounceTextLength: 10 },
      },
    });
    await backend.connect(baseConfig);
    backend.createResponse();
    await vi.waitFor(() => expect(of('interrupted')).toHaveLength(1), WAIT);
    const interrupted = of('interrupted')[0]!;
    expect(interrupted.reason).toBe('guardrail');
    expect(interrupted.itemId).toMatch(/.+/);
    // Cancelled; the SDK then tells the model why (its feedback message), which may start the next answer.
    await vi.waitFor(() => expect(of('responseDone')[0]).toEqual(expect.objectContaining({ status: 'cancelled' })), WAIT);
    // The call layer's barge-in would cancel too; the backend sends one response.cancel whoever asks first.
    backend.cancelResponse();
    expect(fake.sessions[0]!.eventsOf('in', 'response.cancel')).toHaveLength(1);
  });
});

describe('agents-sdk backend: the session maximum duration', () => {
  it('no renewal possible: ends itself (fatal RT_ERR_SESSION_EXPIRING, closed) before the provider expires the session, so the call is handed back', async () => {
    const fake = await fixture.fake({ turns: [], maxSessionMs: 60_000, failures: { refuseAfter: 1 } });
    const clock = new ManualClock(0, Date.now());
    const h = makeBackend(fake.url, () => frontDesk(), {}, clock);
    fixture.track(h.backend);
    await h.backend.connect(baseConfig);
    const failures = (): number => h.lines.filter((l) => l.includes('realtime session renewal failed')).length;
    clock.advance(46_000);
    // The renewal is refused (503), and retried every 2 s until the give-up point (56.05..57 s in).
    await vi.waitFor(() => expect(failures()).toBe(1), WAIT);
    expect(fake.connectionAttempts.map((a) => a.outcome)).toEqual(['accepted', 'refused']);
    clock.advance(2_000);
    await vi.waitFor(() => expect(failures()).toBe(2), WAIT);
    clock.advance(8_000);
    expect(h.states()).toEqual(['connecting', 'ready']);
    clock.advance(3_000);
    await vi.waitFor(() => expect(h.states()).toEqual(['connecting', 'ready', 'closed']), WAIT);
    expect(h.of('error')).toEqual([expect.objectContaining({ code: 'RT_ERR_SESSION_EXPIRING', fatal: true })]);
    await fake.waitFor(() => fake.sessions[0]?.closed !== undefined, 5000, 'session closed');
    expect(fake.sessions[0]!.closed).toMatchObject({ by: 'client' });
    expect(fake.sessions[0]!.errorsSent).toEqual([]);
  });
});

describe('agents-sdk backend: session renewal', () => {
  it('before expires_at a second session is configured, given the conversation as text, and swapped in between turns', async () => {
    const fake = await fixture.fake({ ...oneAnswer, maxSessionMs: 60_000 });
    const clock = new ManualClock(0, Date.now());
    const h = makeBackend(fake.url, () => frontDesk(), {}, clock);
    fixture.track(h.backend);
    await h.backend.connect(baseConfig);
    h.backend.createResponse();
    await vi.waitFor(() => expect(h.of('responseDone')).toHaveLength(1), WAIT);
    // 59..60 s left (plus the real time the connect took): the renewal starts a quarter of it before
    // the end (44.25..45(+) s in).
    clock.advance(44_000);
    expect(fake.connectionAttempts).toHaveLength(1);
    clock.advance(2_000);
    await fake.waitFor(() => fake.sessions[0]?.closed !== undefined, 5000, 'old session closed');
    const fresh = fake.sessions[1]!;
    expect(fresh.receivedItems.map((r) => r.item)).toEqual([expect.objectContaining({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'one two three' }] })]);
    expect(fresh.eventsOf('in', 'session.update').some((e) => 'audio' in (e.event.session as object))).toBe(true);
    expect(fake.sessions[0]!.errorsSent).toEqual([]);
    expect(h.backend.stats()).toMatchObject({ renewals: 1 });
    expect(h.states()).toEqual(['connecting', 'ready']);
    // Caller audio now goes to the new session, and it answers.
    h.backend.appendAudio(new Uint8Array(160).fill(0xff));
    await fake.waitFor(() => fresh.receivedAudioByteCount === 160, 5000, 'audio on the new session');
    h.backend.createResponse();
    await vi.waitFor(() => expect(h.of('responseDone')).toHaveLength(2), WAIT);
    expect(fresh.responses).toHaveLength(1);
  });
});
