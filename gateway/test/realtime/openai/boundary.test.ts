/**
 * What the backend does with bad input from the provider: a hand-written server on 127.0.0.1 that
 * sends exactly the frames under test.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { systemClock } from '../../../src/clock.js';
import { baseConfig, makeBackend } from '../helpers.js';

const WAIT = { timeout: 5000, interval: 5 };
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** One message the server received, as it came off the wire. */
interface Frame {
  text: string;
  isBinary: boolean;
}

/** A server that confirms or rejects session.update, and keeps every frame the client sent. */
async function rawServer(onSessionUpdate: (ws: WebSocket, eventId: string) => void): Promise<{ url: string; connections: () => number; frames: Frame[] }> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http });
  let connections = 0;
  const frames: Frame[] = [];
  wss.on('connection', (ws) => {
    connections++;
    ws.send(JSON.stringify({ type: 'session.created', event_id: 'ev_0', session: { type: 'realtime' } }));
    ws.on('message', (data, isBinary) => {
      frames.push({ text: String(data), isBinary });
      const msg = JSON.parse(String(data)) as { type: string; event_id?: string };
      if (msg.type === 'session.update') onSessionUpdate(ws, msg.event_id ?? '');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const addr = http.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  cleanups.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${port}/v1`, connections: () => connections, frames };
}

describe('OpenAI Realtime backend: server event boundary', () => {
  it('counts and logs malformed, unknown and unparsable events; never throws; stays ready', async () => {
    const srv = await rawServer((ws) => {
      ws.send(JSON.stringify({ type: 'session.updated', event_id: 'ev_1', session: { type: 'realtime' } }));
      ws.send(JSON.stringify({ type: 'response.output_audio.delta', event_id: 'ev_2', response_id: 'r' })); // fields missing
      ws.send(JSON.stringify({ type: 'brand.new.event', event_id: 'ev_3' })); // unknown to us and the SDK
      ws.send('this is not json');
      ws.send(JSON.stringify({ type: 'response.content_part.added', event_id: 'ev_4' })); // known, deliberately ignored
      ws.send(JSON.stringify({ type: 'input_audio_buffer.speech_started', event_id: 'ev_5', audio_start_ms: 20, item_id: 'i1' }));
    });
    const { backend, of, states, lines } = makeBackend(srv.url, systemClock);
    cleanups.push(() => backend.close());
    await backend.connect(baseConfig);
    await vi.waitFor(() => expect(of('speechStarted')).toHaveLength(1), WAIT);
    expect(backend.stats().droppedEvents).toBe(3);
    expect(of('audio')).toHaveLength(0);
    expect(of('error')).toHaveLength(0);
    expect(states()).toEqual(['connecting', 'ready']);
    const warned = lines.map((l) => JSON.parse(l) as { msg: string; type?: string; issues?: string }).filter((l) => l.msg === 'realtime server event invalid');
    expect(warned.map((w) => w.type)).toEqual(['response.output_audio.delta', '']);
    expect(warned[0]?.issues).toMatch(/item_id/);
  });

  it('every provider message reaches the backend exactly once; caller audio leaves as text frames of the append event', async () => {
    const srv = await rawServer((ws) => {
      ws.send(JSON.stringify({ type: 'session.updated', event_id: 'ev_1', session: { type: 'realtime' } }));
      for (let i = 0; i < 3; i++) ws.send(JSON.stringify({ type: 'input_audio_buffer.speech_started', event_id: `ev_s${i}`, audio_start_ms: 20 * i, item_id: `i${i}` }));
      ws.send(JSON.stringify({ type: 'brand.new.event', event_id: 'ev_x' }));
    });
    const { backend, of } = makeBackend(srv.url, systemClock);
    cleanups.push(() => backend.close());
    await backend.connect(baseConfig);
    await vi.waitFor(() => expect(backend.stats().droppedEvents).toBe(1), WAIT);
    expect(of('speechStarted')).toHaveLength(3);

    const audio = [new Uint8Array([0xff, 0x7f, 0x00, 0x10]), new Uint8Array(160).fill(0xd5)];
    for (const bytes of audio) backend.appendAudio(bytes);
    await vi.waitFor(() => expect(srv.frames.filter((f) => f.text.includes('input_audio_buffer.append'))).toHaveLength(2), WAIT);
    const appends = srv.frames.filter((f) => f.text.includes('input_audio_buffer.append'));
    expect(appends.map((f) => f.isBinary)).toEqual([false, false]);
    expect(appends.map((f) => JSON.parse(f.text) as unknown)).toEqual(audio.map((bytes) => ({ type: 'input_audio_buffer.append', audio: Buffer.from(bytes).toString('base64') })));
    expect(backend.stats().appendedBytes).toBe(164);
  });

  it('a session.update rejected by the provider fails connect() at once (no retries): RT_ERR_SESSION_REJECTED', async () => {
    const srv = await rawServer((ws, eventId) => {
      ws.send(
        JSON.stringify({
          type: 'error',
          event_id: 'ev_9',
          error: { type: 'invalid_request_error', code: 'invalid_value', message: "Invalid value: 'nova'.", param: 'session.audio.output.voice', event_id: eventId },
        }),
      );
    });
    const { backend, of, states } = makeBackend(srv.url, systemClock, { maxAttempts: 4 });
    cleanups.push(() => backend.close());
    await expect(backend.connect({ ...baseConfig, voice: 'nova' })).rejects.toMatchObject({ code: 'RT_ERR_SESSION_REJECTED', fatal: true, providerCode: 'invalid_value' });
    expect(srv.connections()).toBe(1);
    expect(of('error')).toEqual([expect.objectContaining({ code: 'RT_ERR_SESSION_REJECTED', fatal: true })]);
    expect(states()).toEqual(['connecting', 'closed']);
  });
});
