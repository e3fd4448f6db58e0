/**
 * Greetings and gateway-side barge-in through the assembled Gateway, in-process (see
 * in-process-gateway.ts): the pre-recorded greeting at the ACK, the protected greeting, and
 * bargeIn.minSpeechMs, each against the scripted backend on one ManualClock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { g711Codec } from '../../src/audio/index.js';
import { loadAgentDefinition, type AgentDefinition } from '../../src/agent/index.js';
import { ConfigError, parseEnv } from '../../src/config/env.js';
import { Gateway } from '../../src/gateway.js';
import { createRootLogger } from '../../src/log.js';
import { agentSpeech, callerSpeech, isSilence, startGateway, type InProcessGateway, type Phone } from './in-process-gateway.js';

let gw: InProcessGateway | undefined;
afterEach(async () => {
  if (gw) await gw.gateway.stop();
  gw = undefined;
});

/** 1 s of a 440 Hz tone at 8 kHz: the greeting recording. */
const RECORDING = Int16Array.from({ length: 8_000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));

async function answered(agent: (def: AgentDefinition) => AgentDefinition): Promise<{ h: InProcessGateway; phone: Phone; backend: InProcessGateway['realtime']['last'] }> {
  const h = await startGateway({ agent });
  gw = h;
  const phone = await h.answeredPhone();
  return { h, phone, backend: h.realtime.last };
}

function speak(backend: InProcessGateway['realtime']['last'], responseId: string, itemId: string, audio: Buffer): void {
  backend.emit('responseStarted', { responseId });
  backend.emit('audio', { responseId, itemId, contentIndex: 0, audio });
  backend.emit('audioDone', { responseId, itemId });
  backend.emit('responseDone', { responseId, status: 'completed' });
}

/** The caller talks for `ms` (loud frames, one per 20 ms tick). */
async function talk(h: InProcessGateway, phone: Phone, ms: number): Promise<void> {
  for (const frame of callerSpeech(ms / 20)) {
    phone.sendRtp(frame);
    await h.run(20);
  }
}

/** The caller's phone sends silence for `ms`, as a phone does between words (RTP keeps flowing). */
async function quiet(h: InProcessGateway, phone: Phone, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 20) {
    phone.sendRtp(new Uint8Array(160).fill(0xff));
    await h.run(20);
  }
}

describe('greetings', () => {
  it('greeting.audio: the recording is on the wire from the first packets after the ACK, the model gets its text and no greeting response is asked for', async () => {
    const { h, phone, backend } = await answered((def) => ({ ...def, greetingAudio: { path: 'greeting.wav', samples: RECORDING, text: 'Hello, you are through.' } }));
    const before = phone.received().length;
    await h.run(1_100);
    const heard = phone.received().slice(before);
    const expected = Buffer.alloc(RECORDING.length);
    g711Codec('PCMU').encode(RECORDING, expected);
    // The first packet after the ACK already carries it, and all of it follows in order.
    expect(Buffer.from(heard[0]!.packet.payload)).toEqual(expected.subarray(0, 160));
    expect(Buffer.concat(heard.slice(0, 50).map((r) => r.packet.payload))).toEqual(expected);
    expect(backend.of('addAssistantText')).toEqual([{ kind: 'addAssistantText', text: 'Hello, you are through.' }]);
    expect(backend.of('createResponse')).toEqual([]);
    // Nothing changes for the provider's turn-taking: no gateway-side barge-in was asked for.
    expect(backend.config?.turnDetection).toMatchObject({ interruptResponse: true, createResponse: true });
    phone.bye();
    await h.run(40);
  });

  it('a protected greeting plays to the end over the caller, who is answered after it; a short sound later is ignored, real speech cuts the agent off', async () => {
    const { h, phone, backend } = await answered((def) => ({ ...def, greetingAudio: { path: 'g.wav', samples: RECORDING, text: 'This call is recorded.' }, greetingInterruptible: false, bargeIn: { minSpeechMs: 300 } }));
    // The provider must neither interrupt nor answer by itself.
    expect(backend.config?.turnDetection).toMatchObject({ interruptResponse: false, createResponse: false });
    const before = phone.received().length;
    await h.run(100);
    backend.emit('speechStarted', { audioStartMs: 100, itemId: 'caller-1' });
    await talk(h, phone, 600);
    await quiet(h, phone, 100);
    backend.emit('speechStopped', { audioEndMs: 1200, itemId: 'caller-1' });
    expect(backend.of('truncate')).toEqual([]);
    expect(backend.of('cancelResponse')).toEqual([]);
    expect(backend.of('createResponse')).toEqual([{ kind: 'createResponse', instructions: undefined }]);
    await quiet(h, phone, 500);
    const greeting = phone.received().slice(before, before + 50);
    expect(greeting.every((r) => !isSilence(r.packet.payload))).toBe(true); // all 1 s of it, uncut

    // The answer: a 200 ms sound over it neither interrupts nor is answered.
    speak(backend, 'resp-1', 'item-1', agentSpeech(3000));
    await quiet(h, phone, 200);
    backend.emit('speechStarted', { audioStartMs: 2000, itemId: 'caller-2' });
    await talk(h, phone, 200);
    await quiet(h, phone, 500); // the provider's hang-over: past 300 ms since speech_started, but silent
    backend.emit('speechStopped', { audioEndMs: 2700, itemId: 'caller-2' });
    expect(backend.of('truncate')).toEqual([]);
    expect(backend.of('createResponse')).toHaveLength(1);

    // Real speech: cut once it has lasted 300 ms, truncated at what was sent.
    backend.emit('speechStarted', { audioStartMs: 3000, itemId: 'caller-3' });
    await talk(h, phone, 280);
    expect(backend.of('truncate')).toEqual([]);
    await talk(h, phone, 40);
    expect(backend.of('cancelResponse')).toEqual([{ kind: 'cancelResponse', responseId: 'resp-1' }]);
    const truncates = backend.of('truncate');
    expect(truncates).toHaveLength(1);
    expect(truncates[0]).toMatchObject({ itemId: 'item-1' });
    const at = phone.received().length;
    await quiet(h, phone, 100);
    expect(phone.received().slice(at + 1).every((r) => isSilence(r.packet.payload))).toBe(true);
    backend.emit('speechStopped', { audioEndMs: 4000, itemId: 'caller-3' });
    expect(backend.of('createResponse')).toHaveLength(2);
    phone.bye();
    await h.run(40);
    const ended = h.logs.find((l) => l.msg === 'call ended') as { bridge?: { bargeIns?: number } } | undefined;
    expect(ended?.bridge?.bargeIns).toBe(1);
  });

  it('with REALTIME_PROVIDER=agents-sdk a protected greeting or bargeIn.minSpeechMs is refused at start-up, with one line saying why', async () => {
    const loaded = await loadAgentDefinition(undefined, { env: {} });
    if (!loaded.ok) throw new Error(loaded.error.join('; '));
    const env = parseEnv({ SIP_ALLOW_FROM: '127.0.0.0/8', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', RECORDS_PATH: ':memory:', LOG_LEVEL: 'silent' });
    const realtime = { provider: 'agents-sdk', create: () => { throw new Error('not reached'); } };
    for (const agent of [{ ...loaded.value.definition, bargeIn: { minSpeechMs: 300 } }, { ...loaded.value.definition, greetingInterruptible: false }]) {
      const started = Gateway.start(env, createRootLogger('silent'), { agent, realtime, serveHttp: false });
      await expect(started).rejects.toBeInstanceOf(ConfigError);
      await expect(started).rejects.toMatchObject({ problems: [expect.stringMatching(/^AGENT_FILE: greeting\.interruptible: false and bargeIn\.minSpeechMs are not supported with REALTIME_PROVIDER=agents-sdk/)] });
    }
  });
});
