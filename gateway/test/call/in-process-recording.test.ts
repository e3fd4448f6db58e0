/**
 * Call recording through the assembled Gateway, in-process (see in-process-gateway.ts): the WAV's
 * right channel is exactly what the phone received as RTP, frame 0 being the first packet; the left
 * channel holds the caller's packets where they arrived; pause_recording/resume_recording make a
 * span of digital silence in both channels without moving what follows; the taps print in the
 * chains; the record names the file and lists the pause.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MULAW_DECODE_TABLE } from '../../src/audio/index.js';
import { BUILTIN_TOOLS } from '../../src/agent/index.js';
import { agentSpeech, callerSpeech, startGateway, type InProcessGateway } from './in-process-gateway.js';

let dir: string;
let gw: InProcessGateway | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rec-call-'));
});
afterEach(async () => {
  if (gw) await gw.gateway.stop();
  gw = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function speak(backend: InProcessGateway['realtime']['last'], responseId: string, itemId: string, audio: Buffer): void {
  for (let off = 0; off < audio.length; off += 1600) backend.emit('audio', { responseId, itemId, contentIndex: 0, audio: audio.subarray(off, off + 1600) });
  backend.emit('audioDone', { responseId, itemId });
  backend.emit('responseDone', { responseId, status: 'completed' });
}

const decode = (payload: Uint8Array): number[] => [...payload].map((b) => MULAW_DECODE_TABLE[b] as number);

describe('call recording in-process', () => {
  it('records caller left and agent right as on the wire, with a paused span of silence in both', async () => {
    const h = await startGateway({
      env: { RECORDINGS_DIR: dir },
      agent: (def) => ({
        ...def,
        recording: { enabled: true, pauseDuringDtmfCollection: true },
        builtinTools: [...def.builtinTools, ...(['pause_recording', 'resume_recording'] as const).map((name) => ({ name, description: BUILTIN_TOOLS[name].description }))],
      }),
    });
    gw = h;
    const phone = await h.answeredPhone();
    const backend = h.realtime.last;
    expect(backend.config?.tools.map((t) => ('name' in t ? t.name : ''))).toEqual(expect.arrayContaining(['pause_recording', 'resume_recording']));
    const started = h.logs.find((l) => l.msg === 'call recording started') as { file: string; chains: { inbound: string; outbound: string } };
    expect(started.chains.inbound).toContain('PtMux{0: Tap(caller) -> Jitter(PCMU)');
    expect(started.chains.outbound).toBe('Pacer{DtmfOutbox, PlayoutQueue} -> RtpHeader -> Tap(agent) -> Send(memory)');

    // The caller speaks 1 s; the agent answers 1 s; the model pauses, the agent speaks 600 ms while the
    // caller speaks too; the model resumes; the agent speaks 400 ms more.
    const speech = callerSpeech(50);
    const sentAt: number[] = [];
    for (const frame of speech) {
      sentAt.push(h.clock.now());
      phone.sendRtp(frame);
      await h.run(20);
    }
    speak(backend, 'resp-1', 'item-1', agentSpeech(1000));
    await h.run(1100);
    backend.emit('functionCall', { callId: 'c1', name: 'pause_recording', arguments: '{}', responseId: 'resp-1', itemId: 'fc-1' });
    await h.settle();
    speak(backend, 'resp-2', 'item-2', agentSpeech(600));
    for (const frame of callerSpeech(30)) {
      phone.sendRtp(frame);
      await h.run(20);
    }
    await h.run(200);
    backend.emit('functionCall', { callId: 'c2', name: 'resume_recording', arguments: '{}', responseId: 'resp-2', itemId: 'fc-2' });
    await h.settle();
    speak(backend, 'resp-3', 'item-3', agentSpeech(400));
    await h.run(600);
    expect(backend.of('sendFunctionOutput').map((c) => c.output)).toEqual(['{"ok":true,"recording":"paused"}', '{"ok":true,"recording":"resumed"}']);
    phone.bye();
    await h.run(40);
    await h.gateway.stop();
    gw = undefined;

    expect(readdirSync(dir)).toEqual([started.file]);
    const wav = readFileSync(join(dir, started.file));
    expect(wav.readUInt16LE(22)).toBe(2);
    expect(wav.readUInt32LE(24)).toBe(8000);
    const dataBytes = wav.readUInt32LE(40);
    expect(wav.length).toBe(44 + dataBytes);
    const frames = dataBytes / 640;
    const left = (i: number): number => wav.readInt16LE(44 + i * 4);
    const right = (i: number): number => wav.readInt16LE(44 + i * 4 + 2);

    // Right: every packet the phone received, in order, from the first one (duration = the call's RTP).
    const received = h.phone === undefined ? [] : phone.received();
    expect(frames).toBe(received.length);
    const finished = h.events.find((e) => e.event.type === 'recording-finished')?.event as { pauses: Array<{ fromMs: number; toMs: number; reason: string }> };
    expect(finished.pauses).toHaveLength(1);
    const [pause] = finished.pauses as [{ fromMs: number; toMs: number; reason: string }];
    expect(pause.reason).toBe('tool');
    expect(pause.toMs - pause.fromMs).toBeGreaterThanOrEqual(600);
    const t0 = (received[0] as { at: number }).at;
    let audible = 0;
    received.forEach((r, k) => {
      const inPause = k * 20 >= pause.fromMs && k * 20 < pause.toMs;
      const expected = inPause ? new Array<number>(160).fill(0) : decode(r.packet.payload);
      const got = Array.from({ length: 160 }, (_, i) => right(k * 160 + i));
      expect(got).toEqual(expected);
      expect((r.at - t0) / 20).toBe(k);
      if (inPause && r.packet.payload.some((b) => b !== 0xff)) audible++;
    });
    expect(audible).toBeGreaterThan(25); // the agent was speaking on the wire during the pause
    for (let i = (pause.fromMs / 20) * 160; i < (pause.toMs / 20) * 160; i++) expect(left(i)).toBe(0);

    // Left: each caller frame where it arrived on the timeline (within one frame of its send time).
    for (const [k, frame] of speech.entries()) {
      const at = Math.round(((sentAt[k] as number) - t0) * 8);
      const want = decode(frame);
      let found = -1;
      for (let lag = 0; lag <= 160 && found < 0; lag++) if (want.every((v, i) => left(at + lag + i) === v)) found = lag;
      expect(found, `caller frame ${k}`).toBeGreaterThanOrEqual(0);
    }
  });
});
