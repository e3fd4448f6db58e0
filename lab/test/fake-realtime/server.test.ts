import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ManualClock } from 'connect-realtime-gateway';
import { startFakeRealtime, type FakeRealtimeServer } from '../../src/fake-realtime/index.js';
import type { FakeScript } from '../../src/fake-realtime/script.js';
import { tone } from './helpers.js';

const script: FakeScript = { turns: [{ audio: { pcm8k: tone(200) }, transcript: 'ok' }] };
let server: FakeRealtimeServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Opens a socket; resolves with the HTTP status of a refused upgrade, or the open socket. */
function dial(url: string, headers: Record<string, string> = { Authorization: 'Bearer sk-anything' }): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => (err.message.startsWith('Unexpected server response') ? undefined : reject(err)));
  });
}

function wsUrl(s: FakeRealtimeServer, path = '/v1/realtime?model=gpt-realtime'): string {
  return `ws://127.0.0.1:${s.port}${path}`;
}

describe('fake Realtime server: HTTP upgrade', () => {
  it('requires Authorization: Bearer (any key), the /v1/realtime path and a model', async () => {
    server = await startFakeRealtime({ host: '127.0.0.1', port: 0, script });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/v1`);
    expect((await dial(wsUrl(server), {})).status).toBe(401);
    expect((await dial(wsUrl(server, '/v2/realtime?model=m'))).status).toBe(404);
    expect((await dial(wsUrl(server, '/v1/realtime'))).status).toBe(400);
    const ok = await dial(wsUrl(server));
    expect(ok.status).toBe(101);
    ok.ws?.close();
    expect(server.connectionAttempts.map((a) => a.outcome)).toEqual(['unauthorized', 'not_found', 'bad_request', 'accepted']);
    expect(server.connectionAttempts[3]?.headers.authorization).toBe('[redacted]');
  });

  it('refuses the first N upgrades with HTTP 503', async () => {
    server = await startFakeRealtime({ host: '127.0.0.1', port: 0, script: { ...script, failures: { refuseConnections: 2 } } });
    expect((await dial(wsUrl(server))).status).toBe(503);
    expect((await dial(wsUrl(server))).status).toBe(503);
    const third = await dial(wsUrl(server));
    expect(third.status).toBe(101);
    third.ws?.close();
  });

  it('holds the upgrade for handshakeDelayMs (ManualClock)', async () => {
    const clock = new ManualClock();
    server = await startFakeRealtime({ host: '127.0.0.1', port: 0, script: { ...script, failures: { handshakeDelayMs: 1000 } }, clock });
    const s = server;
    const pending = dial(wsUrl(s));
    await s.waitFor(() => s.connectionAttempts.length === 1, 5000, 'upgrade request');
    clock.advance(999);
    expect(s.sessions).toHaveLength(0);
    clock.advance(1);
    const { ws, status } = await pending;
    expect(status).toBe(101);
    expect(s.sessions).toHaveLength(1);
    ws?.close();
  });

  it('refuses every upgrade when told to', async () => {
    server = await startFakeRealtime({ host: '127.0.0.1', port: 0, script: { ...script, failures: { refuseConnections: 'always' } } });
    for (let i = 0; i < 3; i++) expect((await dial(wsUrl(server))).status).toBe(503);
    expect(server.sessions).toHaveLength(0);
  });
});

describe('fake Realtime server: recording', () => {
  it('writes the inbound G.711 bytes (.g711 and µ-law WAV) and a JSONL event log per session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-rec-'));
    server = await startFakeRealtime({ host: '127.0.0.1', port: 0, script, recordDir: dir });
    const { ws } = await dial(wsUrl(server));
    if (ws === undefined) throw new Error('no socket');
    const bytes = new Uint8Array(400).map((_, i) => (i * 7) & 0xff);
    ws.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcmu' }, turn_detection: null } } } }));
    ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.from(bytes.subarray(0, 160)).toString('base64') }));
    ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.from(bytes.subarray(160)).toString('base64') }));
    const s = server;
    await s.waitFor(() => (s.sessions[0]?.receivedAudioByteCount ?? 0) === 400, 5000, 'audio');
    ws.close();
    await s.waitFor(() => s.recordedFiles.length === 2, 5000, 'recording');

    expect(new Uint8Array(readFileSync(join(dir, 'session-0.in.g711')))).toEqual(bytes);
    const wav = readFileSync(join(dir, 'session-0.in.wav'));
    expect(wav.readUInt16LE(20)).toBe(7); // WAVE_FORMAT_MULAW
    expect(wav.readUInt32LE(24)).toBe(8000); // sample rate
    expect(wav.readUInt16LE(34)).toBe(8); // bits per sample
    expect(new Uint8Array(wav.subarray(wav.length - 400))).toEqual(bytes);

    const lines = readFileSync(join(dir, 'session-0.events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: number; dir: string; event: { type: string } });
    expect(lines.map((l) => `${l.dir}:${l.event.type}`)).toEqual([
      'out:session.created',
      'in:session.update',
      'out:session.updated',
      'in:input_audio_buffer.append',
      'in:input_audio_buffer.append',
    ]);
    // Monotonic, high-resolution timestamps.
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.t).toBeGreaterThanOrEqual(lines[i - 1]!.t);
    expect(s.sessions[0]?.closed?.by).toBe('client');
  });
});
