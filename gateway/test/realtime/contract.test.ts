/**
 * The RealtimeBackend contract, held by both providers against the lab's fake Realtime server over
 * real loopback WebSockets: what the call layer relies on, whichever provider runs the call. What a
 * provider adds (reconnect and renewal; the SDK's tools, handoffs and history) is tested beside it.
 * All sockets on 127.0.0.1; every wait is bounded.
 */
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { RealtimeBackend, RealtimeSessionConfig } from '../../src/realtime/backend.js';
import type { FakeScript } from '../../../lab/src/fake-realtime/index.js';
import * as sdk from './agents-sdk/helpers.js';
import { appendInFrames, baseConfig, callerTurnMulaw, fakeRealtimeFixture, makeBackend, mulaw, recordEvents, SECRET, tone } from './helpers.js';

const WAIT = { timeout: 5000, interval: 5 };
const fixture = fakeRealtimeFixture();

interface Provider {
  name: string;
  secret: string;
  config: RealtimeSessionConfig;
  make(url: string): { backend: RealtimeBackend; lines: string[] } & ReturnType<typeof recordEvents>;
}

const providers: Provider[] = [
  { name: 'openai', secret: SECRET, config: baseConfig, make: (url) => makeBackend(url, systemClock) },
  { name: 'agents-sdk', secret: sdk.SECRET, config: sdk.baseConfig, make: (url) => sdk.makeBackend(url, () => sdk.frontDesk()) },
];

const oneAnswer: FakeScript = { turns: [{ audio: { pcm8k: tone(1000) }, transcript: 'one two three', userTranscript: 'hello' }], speed: 8, responseDelayMs: 0 };

describe.each(providers)('RealtimeBackend contract: $name provider', (provider) => {
  async function setup(script: FakeScript) {
    const fake = await fixture.fake(script);
    const h = provider.make(fake.url);
    fixture.track(h.backend);
    return { ...h, fake };
  }

  it('appendAudio: the provider receives the bytes exactly; before connect they are dropped and counted', async () => {
    const { backend, fake } = await setup(oneAnswer);
    backend.appendAudio(new Uint8Array(160));
    await backend.connect({ ...provider.config, turnDetection: null });
    const bytes = new Uint8Array(480).map((_, i) => (i * 31 + 7) & 0xff);
    appendInFrames(backend, bytes);
    const s = fake.sessions[0]!;
    await fake.waitFor(() => s.receivedAudioByteCount === 480, 5000, '480 bytes');
    expect(s.receivedAudioBytes()).toEqual(bytes);
    expect(s.eventsOf('in', 'input_audio_buffer.append')).toHaveLength(3);
    expect(backend.stats()).toMatchObject({ appendedBytes: 480, droppedAudioBytes: 160 });
  });

  it('an answer: responseStarted, the audio in order and byte-exact, audioDone, the transcript, responseDone', async () => {
    const { backend, events, of } = await setup(oneAnswer);
    await backend.connect(provider.config);
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    const audio = of('audio');
    expect(new Uint8Array(Buffer.concat(audio.map((a) => a.audio)))).toEqual(mulaw(tone(1000)));
    expect(audio).toHaveLength(10);
    expect(audio.every((a) => a.itemId === audio[0]!.itemId && a.contentIndex === 0 && a.responseId === of('responseStarted')[0]!.responseId)).toBe(true);
    const order = events.map((e) => e.name).filter((n) => ['responseStarted', 'audio', 'audioDone', 'responseDone'].includes(n));
    expect(order[0]).toBe('responseStarted');
    expect(order.slice(-2)).toEqual(['audioDone', 'responseDone']);
    expect(of('audioDone')).toEqual([{ responseId: audio[0]!.responseId, itemId: audio[0]!.itemId }]);
    expect(of('transcript').filter((t) => t.final)).toEqual([{ role: 'assistant', itemId: audio[0]!.itemId, text: 'one two three', final: true }]);
    expect(of('responseDone')[0]).toMatchObject({ status: 'completed', usage: { total_tokens: 250 } });
    expect(of('rateLimits')).toHaveLength(1);
    expect(backend.stats()).toMatchObject({ deltasReceived: 10, deltaBytes: 8000, lastRateLimits: [{ name: 'requests', limit: 1000, remaining: 999, resetSeconds: 60 }, expect.anything()] });
  });

  it('a caller turn detected by the server: speechStarted/Stopped, the user transcript, the answer', async () => {
    const { backend, of } = await setup(oneAnswer);
    await backend.connect(provider.config);
    appendInFrames(backend, callerTurnMulaw());
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    expect(of('speechStarted')[0]).toMatchObject({ audioStartMs: 300 });
    expect(of('speechStopped')[0]).toMatchObject({ audioEndMs: 900 });
    expect(of('transcript').find((t) => t.role === 'user')).toMatchObject({ text: 'hello', final: true, itemId: of('speechStarted')[0]!.itemId });
  });

  it('cancelResponse(): one response.cancel however often asked; the deltas in flight are dropped and counted', async () => {
    const { backend, fake, of } = await setup({ ...oneAnswer, speed: 1, lateDeltasAfterCancel: 3 });
    await backend.connect(provider.config);
    backend.on('audio', () => {
      backend.cancelResponse();
      backend.cancelResponse();
    });
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    expect(of('responseDone')[0]).toMatchObject({ status: 'cancelled' });
    expect(of('audio')).toHaveLength(1);
    expect(of('audioDone')).toHaveLength(0);
    expect(backend.stats().lateDeltasDropped).toBe(3);
    const s = fake.sessions[0]!;
    expect(s.deltas.filter((d) => d.late)).toHaveLength(3);
    expect(s.eventsOf('in', 'response.cancel').map((e) => e.event.response_id)).toEqual([of('responseStarted')[0]!.responseId]);
  });

  it('truncate(): the ms heard reach the provider, clamped to the audio received; unknown items are not sent', async () => {
    const { backend, fake, of } = await setup(oneAnswer);
    await backend.connect(provider.config);
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseDone')).toHaveLength(1), WAIT);
    const itemId = of('audio')[0]!.itemId;
    backend.truncate('item_not_of_this_session', 0, 10);
    backend.truncate(itemId, 0, 400.7);
    await vi.waitFor(() => expect(of('truncated')).toHaveLength(1), WAIT);
    expect(of('truncated')[0]).toEqual({ itemId, audioEndMs: 400 });
    // The player overestimates: 5000 ms played of a 1000 ms item is sent as 1000 (else the API errors).
    backend.truncate(itemId, 0, 5000);
    await vi.waitFor(() => expect(of('truncated')).toHaveLength(2), WAIT);
    const s = fake.sessions[0]!;
    expect(s.truncates.map((t) => [t.itemId, t.contentIndex, t.audioEndMs, t.accepted])).toEqual([
      [itemId, 0, 400, true],
      [itemId, 0, 1000, true],
    ]);
    expect(of('error')).toHaveLength(0);
  });

  it('a server error event reaches the call layer non-fatal; the session stays; the key is never logged', async () => {
    const { backend, of, states, lines } = await setup({ ...oneAnswer, failures: { errors: [{ afterTurn: 1, code: 'rate_limit_exceeded', message: 'Slow down' }] } });
    await backend.connect(provider.config);
    backend.createResponse();
    await vi.waitFor(() => expect(of('error')).toHaveLength(1), WAIT);
    expect(of('error')[0]).toMatchObject({ code: 'rate_limit_exceeded', message: 'Slow down', fatal: false });
    expect(states()).toEqual(['connecting', 'ready']);
    expect(backend.stats().serverErrors).toBe(1);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; callId?: string; code?: string }).find((l) => l.msg === 'realtime server error');
    expect(logged).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(logged?.callId).toMatch(/@example\.invalid$/);
    expect(lines.join('')).not.toContain(provider.secret);
  });

  it('close() while connecting: RT_ERR_CLOSED, no error event, and the half-open socket goes too', async () => {
    const { backend, fake, of, states } = await setup({ ...oneAnswer, failures: { sessionCreatedDelayMs: 60_000 } });
    const pending = backend.connect(provider.config).catch((e: unknown) => e);
    await vi.waitFor(() => expect(fake.sessions).toHaveLength(1), WAIT);
    await backend.close();
    expect(await pending).toMatchObject({ code: 'RT_ERR_CLOSED' });
    expect(of('error')).toHaveLength(0);
    expect(states()).toEqual(['connecting', 'closed']);
    await vi.waitFor(() => expect(fake.sessions[0]!.closed).toMatchObject({ by: 'client' }), WAIT);
  });

  it('close() is idempotent, closes the socket as the client, and nothing is emitted after closed', async () => {
    const { backend, fake, events, states } = await setup(oneAnswer);
    await backend.connect(provider.config);
    const first = backend.close();
    expect(backend.close()).toBe(first);
    await first;
    const s = fake.sessions[0]!;
    await fake.waitFor(() => s.closed !== undefined, 5000, 'socket closed');
    expect(s.closed?.by).toBe('client');
    expect(states()).toEqual(['connecting', 'ready', 'closed']);
    const count = events.length;
    backend.appendAudio(new Uint8Array(160));
    backend.createResponse();
    backend.updateSession({ voice: 'cedar' });
    expect(events).toHaveLength(count);
    expect(backend.stats().droppedAudioBytes).toBe(160);
  });
});
