/**
 * Out-of-band questions (askOutOfBand) against the lab's fake Realtime server over loopback
 * WebSockets: conversation "none", text output, answered from response.done, nothing reaching the call
 * layer as speech, and waiting its turn behind a response in progress.
 */
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import type { FakeScript } from '../../../../lab/src/fake-realtime/script.js';
import { baseConfig, fakeRealtimeFixture, makeBackend, tone } from '../helpers.js';

const WAIT = { timeout: 5000, interval: 5 };
const fixture = fakeRealtimeFixture();

async function setup(script: FakeScript) {
  const server = await fixture.fake(script);
  const h = makeBackend(server.url, systemClock);
  fixture.track(h.backend);
  return { ...h, fake: server };
}

describe('OpenAI Realtime backend: out-of-band questions', () => {
  it('asks with conversation "none" and text output, and resolves with the text of response.done', async () => {
    const answer = { intent: 'order status', outcome: 'transferred' };
    const { backend, fake, of } = await setup({ turns: [], outOfBandAnswer: answer, responseDelayMs: 0 });
    await backend.connect(baseConfig);
    const text = await backend.askOutOfBand('Answer in JSON.', { maxOutputTokens: 200 });
    expect(JSON.parse(text ?? 'null')).toEqual(answer);
    const s = fake.sessions[0]!;
    const [create] = s.eventsOf('in', 'response.create');
    expect(create?.event).toMatchObject({ response: { conversation: 'none', output_modalities: ['text'], instructions: 'Answer in JSON.', max_output_tokens: 200 } });
    // Nothing of it reached the call layer: no response, no transcript, no audio.
    expect(of('responseStarted')).toHaveLength(0);
    expect(of('responseDone')).toHaveLength(0);
    expect(of('transcript')).toHaveLength(0);
    expect(s.outOfBandResponses).toHaveLength(1);
    expect(s.responses).toHaveLength(0);
  });

  it('waits for the response in progress (never refused), then is answered', async () => {
    const script: FakeScript = { turns: [{ audio: { pcm8k: tone(600) }, transcript: 'one two three' }], speed: 1, responseDelayMs: 0, outOfBandAnswer: 'fine' };
    const { backend, fake, of } = await setup(script);
    await backend.connect(baseConfig);
    backend.createResponse();
    await vi.waitFor(() => expect(of('responseStarted')).toHaveLength(1), WAIT);
    const text = await backend.askOutOfBand('Summarise.');
    expect(text).toBe('fine');
    const s = fake.sessions[0]!;
    expect(s.errorsSent).toHaveLength(0);
    expect(of('responseDone')).toHaveLength(1);
    // The answer came after the spoken response was done.
    expect(s.outOfBandResponses[0]!.t).toBeGreaterThanOrEqual(s.responses[0]!.doneAt ?? Infinity);
  });

  it('not ready (closed): undefined at once', async () => {
    const { backend } = await setup({ turns: [] });
    await backend.connect(baseConfig);
    await backend.close();
    await expect(backend.askOutOfBand('x')).resolves.toBeUndefined();
  });
});
