/**
 * The OpenAI backend against the lab's fake Realtime server over real loopback WebSockets.
 * All sockets on 127.0.0.1; every wait is bounded.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { RealtimeError } from '../../../src/realtime/errors.js';
import { startFakeRealtime, type FakeRealtimeServer } from '../../../../lab/src/fake-realtime/index.js';
import type { FakeScript } from '../../../../lab/src/fake-realtime/script.js';
import { appendInFrames, baseConfig, callerTurnMulaw, makeBackend, mulaw, SECRET, tone } from '../helpers.js';

const WAIT = { timeout: 5000, interval: 5 };
let server: FakeRealtimeServer | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await server?.close();
  server = undefined;
});

async function setup(script: FakeScript, opts: Parameters<typeof makeBackend>[2] = {}) {
  server = await startFakeRealtime({ host: '127.0.0.1', port: 0, script });
  const h = makeBackend(server.url, systemClock, opts);
  cleanups.push(() => h.backend.close());
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

describe('OpenAI Realtime backend: audio both ways', () => {
  it('appendAudio: the fake records the appended bytes exactly', async () => {
    const { backend, fake } = await setup(oneAnswer);
    await backend.connect({ ...baseConfig, turnDetection: null });
    const bytes = new Uint8Array(480).map((_, i) => (i * 31 + 7) & 0xff);
    appendInFrames(backend, bytes);
    const s = fake.sessions[0]!;
    await fake.waitFor(() => s.receivedAudioByteCount === 480, 5000, '480 bytes');
    expect(s.receivedAudioBytes()).toEqual(bytes);
    expect(s.eventsOf('in', 'input_audio_buffer.append')).toHaveLength(3);
    expect(backend.stats()).toMatchObject({ appendedBytes: 480, droppedAudioBytes: 0 });
  });

  it('output deltas become audio events in order, then audioDone, transcript and responseDone', async () => {
    const { backend, events, of } = await setup(oneAnswer);
    await backend.connect(baseConfig);
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    const audio = Buffer.concat(of('audio').map((a) => a.audio));
    expect(new Uint8Array(audio)).toEqual(mulaw(tone(1000)));
    expect(of('audio')).toHaveLength(10);
    const order = events.map((e) => e.name).filter((n) => ['responseStarted', 'audio', 'audioDone', 'responseDone'].includes(n));
    expect(order[0]).toBe('responseStarted');
    expect(order.slice(-2)).toEqual(['audioDone', 'responseDone']);
    expect(of('transcript').filter((t) => t.final)).toEqual([{ role: 'assistant', itemId: of('audio')[0]!.itemId, text: 'one two three', final: true }]);
    expect(of('responseDone')[0]).toMatchObject({ status: 'completed', usage: { total_tokens: 250 } });
    expect(backend.stats().lastRateLimits?.[0]).toEqual({ name: 'requests', limit: 1000, remaining: 999, resetSeconds: 60 });
    expect(of('rateLimits')).toHaveLength(1);
  });

  it('a caller turn detected by the server: speechStarted/Stopped, user transcript, answer', async () => {
    const { backend, of } = await setup(oneAnswer);
    await backend.connect(baseConfig);
    appendInFrames(backend, callerTurnMulaw());
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    expect(of('speechStarted')[0]).toMatchObject({ audioStartMs: 300 });
    expect(of('speechStopped')[0]).toMatchObject({ audioEndMs: 900 });
    expect(of('transcript').find((t) => t.role === 'user')).toMatchObject({ text: 'hello', final: true, itemId: of('speechStarted')[0]!.itemId });
  });
});

describe('OpenAI Realtime backend: barge-in', () => {
  it('cancelResponse() drops the deltas that were already in flight', async () => {
    const { backend, fake, of } = await setup({ ...oneAnswer, speed: 1, lateDeltasAfterCancel: 3 });
    await backend.connect(baseConfig);
    backend.on('audio', () => backend.cancelResponse());
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    expect(of('responseDone')[0]).toMatchObject({ status: 'cancelled' });
    expect(of('audio')).toHaveLength(1);
    expect(of('audioDone')).toHaveLength(0);
    expect(backend.stats().lateDeltasDropped).toBe(3);
    const s = fake.sessions[0]!;
    expect(s.deltas.filter((d) => d.late)).toHaveLength(3);
    expect(s.eventsOf('in', 'response.cancel')[0]!.event).toMatchObject({ response_id: of('responseStarted')[0]!.responseId });
  });

  it('truncate() reaches the fake with the played ms, clamped to the audio received', async () => {
    const { backend, fake, of } = await setup(oneAnswer);
    await backend.connect(baseConfig);
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    const itemId = of('audio')[0]!.itemId;
    backend.truncate(itemId, 0, 400.7);
    await vi.waitFor(() => expect(of('truncated')).toHaveLength(1), WAIT);
    expect(of('truncated')[0]).toEqual({ itemId, audioEndMs: 400 });
    // The player overestimates: 5000 ms played of a 1000 ms item is sent as 1000 (else the API errors).
    backend.truncate(itemId, 0, 5000);
    await vi.waitFor(() => expect(of('truncated')).toHaveLength(2), WAIT);
    backend.truncate('item_unknown', 0, 10); // not of this session: not sent
    const s = fake.sessions[0]!;
    expect(s.truncates.map((t) => [t.itemId, t.contentIndex, t.audioEndMs, t.accepted])).toEqual([
      [itemId, 0, 400, true],
      [itemId, 0, 1000, true],
    ]);
    expect(of('error')).toHaveLength(0);
  });
});

describe('OpenAI Realtime backend: tools and errors', () => {
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

  it('a server error event is surfaced with fatal=false and logged with the Call-ID', async () => {
    const { backend, of, states, lines } = await setup({ ...oneAnswer, failures: { errors: [{ afterTurn: 1, code: 'rate_limit_exceeded', message: 'Slow down' }] } });
    await backend.connect(baseConfig);
    backend.createResponse();
    await vi.waitFor(() => expect(of('error')).toHaveLength(1), WAIT);
    expect(of('error')[0]).toEqual({ code: 'rate_limit_exceeded', message: 'Slow down', fatal: false });
    expect(states()).toEqual(['connecting', 'ready']);
    expect(backend.stats().serverErrors).toBe(1);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; callId?: string; code?: string }).find((l) => l.msg === 'realtime server error');
    expect(logged).toMatchObject({ callId: 'call-1@example.invalid', code: 'rate_limit_exceeded' });
    expect(lines.join('')).not.toContain(SECRET);
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

  it('a connection attempt that never gets session.updated times out and is retried', async () => {
    const { backend, fake } = await setup({ ...oneAnswer, failures: { sessionCreatedDelayMs: 60_000 } }, { maxAttempts: 2, connectAttemptTimeoutMs: 100 });
    const err = await backend.connect(baseConfig).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RT_ERR_CONNECT_FAILED' });
    expect((err as Error).message).toMatch(/no session.updated within 100 ms/);
    expect(fake.connectionAttempts).toHaveLength(2);
  });

  it('close() during connect() rejects it with RT_ERR_CLOSED and emits no error event', async () => {
    const { backend, of, states } = await setup({ ...oneAnswer, failures: { sessionCreatedDelayMs: 60_000 } });
    const p = backend.connect(baseConfig);
    await backend.close();
    await expect(p).rejects.toMatchObject({ code: 'RT_ERR_CLOSED' });
    expect(of('error')).toHaveLength(0);
    expect(states()).toEqual(['connecting', 'closed']);
  });

  it('connect() honours an AbortSignal', async () => {
    const { backend, states } = await setup(oneAnswer);
    const ac = new AbortController();
    const p = backend.connect(baseConfig, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'RT_ERR_ABORTED' });
    expect(states()).toEqual(['connecting', 'closed']);
  });

  it('connect() rejects an invalid session config before opening a socket', async () => {
    const { backend, fake } = await setup(oneAnswer);
    await expect(backend.connect({ ...baseConfig, audioFormat: 'opus' as never })).rejects.toMatchObject({ code: 'RT_ERR_CONFIG', fatal: true });
    await expect(backend.connect({ ...baseConfig, speed: 3 })).rejects.toMatchObject({ code: 'RT_ERR_CONFIG' });
    expect(fake.connectionAttempts).toHaveLength(0);
  });

  it('close() is idempotent and connect() afterwards is refused', async () => {
    const { backend, fake } = await setup(oneAnswer);
    await backend.connect(baseConfig);
    const a = backend.close();
    expect(backend.close()).toBe(a);
    await a;
    await fake.waitFor(() => fake.sessions[0]?.closed !== undefined, 5000);
    expect(fake.sessions[0]!.closed).toMatchObject({ by: 'client', code: 1000 });
    await expect(backend.connect(baseConfig)).rejects.toMatchObject({ code: 'RT_ERR_STATE' });
  });
});
