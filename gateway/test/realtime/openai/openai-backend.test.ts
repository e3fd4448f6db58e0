/**
 * The OpenAI backend against the lab's fake Realtime server over real loopback WebSockets.
 * All sockets on 127.0.0.1; every wait is bounded.
 */
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { DEFAULT_REALTIME_STREAM_LIMITS } from '../../../src/realtime/backend.js';
import { RealtimeError } from '../../../src/realtime/errors.js';
import type { FakeScript } from '../../../../lab/src/fake-realtime/script.js';
import { appendInFrames, baseConfig, callerTurnMulaw, fakeRealtimeFixture, makeBackend, tone } from '../helpers.js';

const WAIT = { timeout: 5000, interval: 5 };
const fixture = fakeRealtimeFixture();

async function setup(script: FakeScript, opts: Parameters<typeof makeBackend>[2] = {}) {
  const server = await fixture.fake(script);
  const h = makeBackend(server.url, systemClock, opts);
  fixture.track(h.backend);
  return { ...h, fake: server };
}

const oneAnswer: FakeScript = { turns: [{ audio: { pcm8k: tone(1000) }, transcript: 'one two three', userTranscript: 'hello' }], speed: 8, responseDelayMs: 0 };

describe('OpenAI Realtime backend: session setup', () => {
  it('connect() resolves once session.updated confirmed our GA session.update', async () => {
    const { backend, fake, states } = await setup(oneAnswer);
    await backend.connect(baseConfig);
    expect(states()).toEqual(['connecting', 'ready']);
    const s = fake.sessions[0]!;
    expect(s.eventsOf('in', 'session.update')).toHaveLength(1);
    expect(s.effectiveSession).toMatchObject({
      type: 'realtime',
      instructions: 'Be brief.',
      audio: { input: { format: { type: 'audio/pcmu' }, transcription: { model: 'gpt-4o-mini-transcribe' } }, output: { format: { type: 'audio/pcmu' }, voice: 'marin' } },
    });
    const attempt = fake.connectionAttempts[0]!;
    expect(attempt).toMatchObject({ outcome: 'accepted', authorized: true, model: 'gpt-realtime', path: '/v1/realtime' });
    // GA client: no beta header.
    expect(attempt.headers['openai-beta']).toBeUndefined();
  });

  it('updateSession() and addUserText() reach the live session', async () => {
    const { backend, fake } = await setup(oneAnswer);
    await backend.connect(baseConfig);
    backend.updateSession({ instructions: 'Speak slowly.' });
    backend.addUserText('DTMF 1 2 3');
    const s = fake.sessions[0]!;
    await fake.waitFor(() => s.receivedItems.length === 1 && s.eventsOf('out', 'session.updated').length === 2, 5000);
    expect(s.effectiveSession.instructions).toBe('Speak slowly.');
    expect(s.receivedItems[0]!.item).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'DTMF 1 2 3' }] });
  });
});

describe('OpenAI Realtime backend: tools', () => {
  it('function call round trip: functionCall -> sendFunctionOutput -> the answer continues', async () => {
    const script: FakeScript = {
      turns: [{ functionCall: { name: 'lookup_order', arguments: { order: 42 } }, audio: { pcm8k: tone(300) }, transcript: 'It ships Thursday.' }],
      speed: 8,
      responseDelayMs: 0,
    };
    const { backend, fake, of } = await setup(script);
    await backend.connect(baseConfig);
    backend.on('functionCall', (c) => backend.sendFunctionOutput(c.callId, JSON.stringify({ eta: 'Thursday' })));
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(2), WAIT);
    const call = of('functionCall')[0]!;
    expect(call).toMatchObject({ name: 'lookup_order', arguments: '{"order":42}' });
    const s = fake.sessions[0]!;
    expect(s.receivedItems[0]!.item).toMatchObject({ type: 'function_call_output', call_id: call.callId, output: '{"eta":"Thursday"}' });
    expect(s.eventsOf('in', 'response.create')).toHaveLength(2);
    expect(of('transcript').filter((t) => t.final).map((t) => t.text)).toEqual(['It ships Thursday.']);
  });
});

describe('OpenAI Realtime backend: one response at a time', () => {
  it('a tool output ready before the function-call response is done: its response.create waits, nothing is refused', async () => {
    const script: FakeScript = {
      turns: [{ functionCall: { name: 'lookup_order', arguments: { order: 42 } }, audio: { pcm8k: tone(300) }, transcript: 'It ships Thursday.' }],
      speed: 8,
      responseDelayMs: 0,
      functionCallDoneDelayMs: 300,
    };
    const { backend, fake, of } = await setup(script);
    await backend.connect(baseConfig);
    backend.on('functionCall', (c) => backend.sendFunctionOutput(c.callId, '{"eta":"Thursday"}'));
    backend.createResponse();
    backend.addUserText('DTMF 1', { respond: true }); // a second request while the first is unanswered: waits too
    await vi.waitFor(() => expect(of('responseDone').filter((r) => r.status === 'completed')).toHaveLength(2), WAIT);
    const s = fake.sessions[0]!;
    expect(s.errorsSent).toEqual([]);
    // The DTMF turn's request and the tool output's waited together: one response answers both.
    expect(s.eventsOf('in', 'response.create')).toHaveLength(2);
    expect(s.receivedItems.map((r) => r.item.type)).toEqual(['message', 'function_call_output']);
    const creates = s.eventsOf('in', 'response.create').map((e) => e.t);
    const dones = s.eventsOf('out', 'response.done').map((e) => e.t);
    // every response.create after the previous response.done
    for (let i = 1; i < creates.length; i++) expect(creates[i]!).toBeGreaterThanOrEqual(dones[i - 1]!);
    expect(of('transcript').filter((t) => t.final).map((t) => t.text)).toContain('It ships Thursday.');
  });
});

describe('OpenAI Realtime backend: failures', () => {
  it('socket drop mid-answer: reconnects, replays the conversation as text, counts dropped audio', async () => {
    const script: FakeScript = {
      turns: [
        { audio: { pcm8k: tone(300) }, transcript: 'First answer.', userTranscript: 'Hello there' },
        { audio: { pcm8k: tone(2000) }, transcript: 'The second answer is a long one' },
      ],
      speed: 8,
      responseDelayMs: 0,
      failures: { drops: [{ duringTurn: 2 }] },
    };
    const { backend, fake, of, states } = await setup(script);
    await backend.connect(baseConfig);
    appendInFrames(backend, callerTurnMulaw());
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    backend.on('state', (s) => {
      if (s.state === 'reconnecting') backend.appendAudio(new Uint8Array(160)); // nowhere to go
    });
    backend.createResponse();
    await vi.waitFor(() => expect(states()).toEqual(['connecting', 'ready', 'reconnecting', 'ready']), WAIT);
    expect(of('responseDone')[1]).toMatchObject({ status: 'failed', statusDetails: { error: { code: 'connection_lost' } } });
    const replay = fake.sessions[1]!;
    await fake.waitFor(() => replay.receivedItems.length >= 3, 5000, 'replayed items');
    const items = replay.receivedItems.map((r) => r.item);
    expect(items[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello there' }] });
    expect(items[1]).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'First answer.' }] });
    const partial = (items[2]!.content as Array<{ text: string }>)[0]!.text;
    expect('The second answer is a long one'.startsWith(partial)).toBe(true);
    expect(replay.eventsOf('in', 'session.update')).toHaveLength(1);
    expect(replay.effectiveSession.audio?.input?.format).toEqual({ type: 'audio/pcmu' });
    expect(backend.stats()).toMatchObject({ reconnects: 1, droppedAudioBytes: 160 });
    // Audio flows to the new session.
    backend.appendAudio(new Uint8Array(160).fill(0xff));
    await fake.waitFor(() => replay.receivedAudioByteCount === 160, 5000, 'audio after reconnect');
  });

  it('refused connections: bounded retries, then a fatal error and state closed', async () => {
    const { backend, fake, of, states } = await setup({ ...oneAnswer, failures: { refuseConnections: 'always' } }, { maxAttempts: 3 });
    const err = await backend.connect(baseConfig).catch((e: unknown) => e);
    expect(RealtimeError.is(err)).toBe(true);
    expect(err).toMatchObject({ code: 'RT_ERR_CONNECT_FAILED', fatal: true });
    expect((err as Error).message).toMatch(/503/);
    expect(fake.connectionAttempts.map((a) => a.outcome)).toEqual(['refused', 'refused', 'refused']);
    expect(of('error')).toEqual([{ code: 'RT_ERR_CONNECT_FAILED', message: (err as Error).message, fatal: true }]);
    expect(states()).toEqual(['connecting', 'closed']);
  });

  it('refused connections: succeeds when the service recovers within the attempts', async () => {
    const { backend, fake, states } = await setup({ ...oneAnswer, failures: { refuseConnections: 2 } }, { maxAttempts: 3 });
    await backend.connect(baseConfig);
    expect(fake.connectionAttempts.map((a) => a.outcome)).toEqual(['refused', 'refused', 'accepted']);
    expect(states()).toEqual(['connecting', 'ready']);
  });

  it('reconnect exhausted (service gone): fatal error, closed, and nothing after closed', async () => {
    const { backend, fake, events, of, states } = await setup(oneAnswer, { maxAttempts: 2 });
    await backend.connect(baseConfig);
    await fake.close();
    await vi.waitFor(() => expect(states()).toEqual(['connecting', 'ready', 'reconnecting', 'closed']), WAIT);
    expect(of('error')).toEqual([expect.objectContaining({ code: 'RT_ERR_RECONNECT_EXHAUSTED', fatal: true })]);
    expect(events[events.length - 1]).toEqual({ name: 'state', payload: { state: 'closed' } });
    backend.appendAudio(new Uint8Array(160));
    expect(backend.stats().droppedAudioBytes).toBe(160);
  });

  it('reconnects are capped per call: the next lost socket is final (RT_ERR_RECONNECT_EXHAUSTED), though the service still answers', async () => {
    const drops = [0, 1, 2].map((session) => ({ afterMs: 50, session }));
    const fake = await fixture.fake({ ...oneAnswer, failures: { drops } });
    const h = makeBackend(fake.url, systemClock, {}, { ...DEFAULT_REALTIME_STREAM_LIMITS, maxReconnects: 1 });
    fixture.track(h.backend);
    await h.backend.connect(baseConfig);
    await vi.waitFor(() => expect(h.states()).toEqual(['connecting', 'ready', 'reconnecting', 'ready', 'closed']), WAIT);
    expect(h.backend.stats().reconnects).toBe(1);
    expect(fake.sessions).toHaveLength(2);
    expect(h.of('error')).toEqual([expect.objectContaining({ code: 'RT_ERR_RECONNECT_EXHAUSTED', fatal: true })]);
  });

  it('a connection attempt that never gets session.updated times out and is retried', async () => {
    const { backend, fake } = await setup({ ...oneAnswer, failures: { sessionCreatedDelayMs: 60_000 } }, { maxAttempts: 2, connectAttemptTimeoutMs: 100 });
    const err = await backend.connect(baseConfig).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RT_ERR_CONNECT_FAILED' });
    expect((err as Error).message).toMatch(/no session.updated within 100 ms/);
    expect(fake.connectionAttempts).toHaveLength(2);
  });

  it('close() ends the socket with a normal closure (1000)', async () => {
    const { backend, fake } = await setup(oneAnswer);
    await backend.connect(baseConfig);
    await backend.close();
    await fake.waitFor(() => fake.sessions[0]?.closed !== undefined, 5000);
    expect(fake.sessions[0]!.closed).toMatchObject({ by: 'client', code: 1000 });
  });
});
