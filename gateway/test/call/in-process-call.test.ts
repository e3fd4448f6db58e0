/**
 * Whole calls through the assembled Gateway, in-process: SIP over MemoryTransport, RTP over the
 * memory datagram network, every timer on one ManualClock, a scripted Realtime backend and a recording
 * Connect writer (see in-process-gateway.ts). No socket and no process is ever opened: node:dgram,
 * node:net, node:tls and node:child_process are wrapped and every test checks they were not used. The
 * lab scenarios prove the same behaviours over the wire; these prove them in milliseconds.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { g711Codec } from '../../src/audio/index.js';
import { agentSpeech, callerSpeech, endedLine, expectReleased, isSilence, offerSdp, startGateway, type ConnectMode, type InProcessGateway, type Phone } from './in-process-gateway.js';

const opened = vi.hoisted(() => [] as string[]);

/** Wraps a node module's factories so any use is recorded (and still works, so a failure is visible). */
function spyOn<M extends object>(real: M, name: string, functions: string[]): M {
  const wrapped: Record<string, unknown> = {};
  for (const fn of functions) {
    const original = (real as Record<string, unknown>)[fn];
    if (typeof original !== 'function') continue;
    wrapped[fn] = (...args: unknown[]) => {
      opened.push(`${name}.${fn}`);
      return (original as (...a: unknown[]) => unknown)(...args);
    };
  }
  return { ...real, ...wrapped, default: { ...(real as { default?: object }).default, ...wrapped } };
}

vi.mock('node:dgram', async (importOriginal) => spyOn(await importOriginal<object>(), 'dgram', ['createSocket']));
vi.mock('node:net', async (importOriginal) => spyOn(await importOriginal<object>(), 'net', ['createServer', 'createConnection', 'connect']));
vi.mock('node:tls', async (importOriginal) => spyOn(await importOriginal<object>(), 'tls', ['createServer', 'connect']));
vi.mock('node:child_process', async (importOriginal) => spyOn(await importOriginal<object>(), 'child_process', ['spawn', 'fork', 'exec', 'execFile']));

let gw: InProcessGateway | undefined;

afterEach(async () => {
  if (gw) await gw.gateway.stop();
  gw = undefined;
  expect(opened).toEqual([]);
});

/** A gateway whose Realtime connects as `connect` says, and a phone whose INVITE it has seen. */
async function invitedCall(connect: ConnectMode): Promise<{ h: InProcessGateway; phone: Phone }> {
  const h = await startGateway();
  gw = h;
  h.realtime.connect = connect;
  const phone = await h.phone();
  phone.invite();
  await h.settle();
  return { h, phone };
}

/** INVITE → 100/180/200 → ACK: an answered call, with the backend that serves it. */
async function answeredCall(): Promise<{ h: InProcessGateway; phone: Phone; backend: InProcessGateway['realtime']['last'] }> {
  const { h, phone } = await invitedCall('ok');
  expect(phone.read().map((m) => (m.type === 'response' ? m.status : m.method))).toEqual([100, 180, 200]);
  phone.ack();
  await h.settle();
  return { h, phone, backend: h.realtime.last };
}

/** Streams an answer the way Realtime does: deltas of uneven sizes, then done events. */
function speak(backend: InProcessGateway['realtime']['last'], responseId: string, itemId: string, audio: Buffer, done = true): void {
  for (let off = 0, i = 0; off < audio.length; i++) {
    const n = [700, 2400, 333, 4000, 1600][i % 5] as number;
    backend.emit('audio', { responseId, itemId, contentIndex: 0, audio: audio.subarray(off, off + n) });
    off += n;
  }
  if (!done) return;
  backend.emit('audioDone', { responseId, itemId });
  backend.emit('responseDone', { responseId, status: 'completed' });
}

describe('a whole call in-process', () => {
  it('happy path: the caller reaches Realtime byte for byte, the answer reaches the caller paced at 20 ms, BYE releases everything', async () => {
    const { h, phone, backend } = await answeredCall();
    expect(backend.config?.audioFormat).toBe('pcmu');
    // The media path as built for this call, printed stage by stage (docs/architecture.md quotes it).
    expect(h.logs.find((l) => l.msg === 'call answered')?.chains).toEqual({
      inbound:
        'RtpParse -> PtGate{0,101} -> SourceCheck -> Liveness -> Sequence -> ' +
        'PtMux{0: Jitter(PCMU) -> EchoGate(12 dB, 250 ms) -> Passthrough(PCMU) -> AppendBatch(auto 20..60 ms) -> RealtimeAppend(audio/pcmu), 101: Dtmf}',
      rtcp: 'RtcpParse -> SourceCheck -> RtcpReports',
      outbound: 'Pacer{DtmfOutbox, PlayoutQueue} -> RtpHeader -> Send(memory)',
      agentAudio: 'Playback -> PlayoutQueue',
    });

    const speech = callerSpeech(50);
    for (const frame of speech) {
      phone.sendRtp(frame);
      await h.run(20);
    }
    await h.run(100);
    const appended = backend.of('appendAudio').map((c) => c.bytes);
    expect(appended.slice(0, speech.length)).toEqual(speech);

    const answer = agentSpeech(1000);
    const sentBefore = phone.received().length;
    speak(backend, 'resp-1', 'item-1', answer);
    await h.run(1200);
    const out = phone.received().slice(sentBefore);
    const audio = out.filter((r) => !isSilence(r.packet.payload));
    expect(Buffer.concat(audio.map((r) => r.packet.payload))).toEqual(answer);
    expect(audio[0]?.packet.marker).toBe(true);
    // One packet every 20 ms on the pacer's grid, sequence and timestamp continuous, silence around it.
    for (let i = 1; i < out.length; i++) {
      const [a, b] = [out[i - 1], out[i]] as [(typeof out)[number], (typeof out)[number]];
      expect(b.at - a.at).toBe(20);
      expect((b.packet.sequenceNumber - a.packet.sequenceNumber) & 0xffff).toBe(1);
      expect((b.packet.timestamp - a.packet.timestamp) >>> 0).toBe(160);
    }

    phone.bye();
    await h.run(40);
    expect(phone.response(200, 'BYE')).toBeDefined();
    expect(backend.closed).toBe(true);
    expect(endedLine(h)).toMatchObject({ reason: 'remote-bye', bridge: { framesToRealtime: expect.any(Number), concealedToRealtime: 0 } });
    expectReleased(h);
  });

  it('BYE in the middle of an answer: 200 OK, not one RTP packet after it, Realtime closed, nothing left allocated', async () => {
    const { h, phone, backend } = await answeredCall();
    speak(backend, 'resp-1', 'item-1', agentSpeech(3000));
    await h.run(500);
    expect(phone.received().some((r) => !isSilence(r.packet.payload))).toBe(true);
    phone.bye();
    await h.settle();
    expect(phone.response(200, 'BYE')).toBeDefined();
    const packetsAtBye = phone.received().length;
    await h.run(1000);
    expect(phone.received().length).toBe(packetsAtBye);
    expect(backend.closed).toBe(true);
    expect(endedLine(h).reason).toBe('remote-bye');
    expectReleased(h);
  });

  it('barge-in: the agent stops within a packet and the item is truncated at exactly the ms the caller heard', async () => {
    const { h, phone, backend } = await answeredCall();
    const before = phone.received().length;
    speak(backend, 'resp-1', 'item-1', agentSpeech(2000));
    await h.run(700);
    const heardMs = phone.received().slice(before).filter((r) => !isSilence(r.packet.payload)).length * 20;
    expect(heardMs).toBeGreaterThan(600);

    backend.emit('speechStarted', { audioStartMs: 0, itemId: 'caller-item-1' });
    // Server VAD with interrupt_response: the server cancels; the gateway tells it what was heard.
    expect(backend.of('truncate')).toEqual([{ kind: 'truncate', itemId: 'item-1', contentIndex: 0, audioEndMs: heardMs }]);
    expect(backend.of('cancelResponse')).toEqual([]);
    const atBargeIn = phone.received().length;
    backend.emit('audio', { responseId: 'resp-1', itemId: 'item-1', contentIndex: 0, audio: agentSpeech(500) }); // in flight when cut
    await h.run(300);
    expect(phone.received().slice(atBargeIn).every((r) => isSilence(r.packet.payload))).toBe(true);

    const next = phone.received().length;
    speak(backend, 'resp-2', 'item-2', agentSpeech(100));
    await h.run(200);
    expect(phone.received().slice(next).filter((r) => !isSilence(r.packet.payload))).toHaveLength(5);
    phone.bye();
    await h.run(40);
    expect(endedLine(h).bridge).toMatchObject({ bargeIns: 1 });
  });

  it('guardrail trip: queued agent audio is flushed at once, the response cancelled and the item truncated at what was sent as RTP', async () => {
    const { h, phone, backend } = await answeredCall();
    const before = phone.received().length;
    speak(backend, 'resp-1', 'item-1', agentSpeech(3000), false);
    await h.run(500);
    const heardMs = phone.received().slice(before).filter((r) => !isSilence(r.packet.payload)).length * 20;
    expect(heardMs).toBeGreaterThan(400);

    backend.emit('interrupted', { reason: 'guardrail', itemId: 'item-1' });
    expect(backend.of('cancelResponse')).toEqual([{ kind: 'cancelResponse', responseId: 'resp-1' }]);
    expect(backend.of('truncate')).toEqual([{ kind: 'truncate', itemId: 'item-1', contentIndex: 0, audioEndMs: heardMs }]);
    const atTrip = phone.received().length;
    await h.run(400);
    // 2.5 s of the answer were still queued: none of it plays.
    expect(phone.received().slice(atTrip).every((r) => isSilence(r.packet.payload))).toBe(true);
    expect(h.logs.some((l) => l.msg === 'agent answer stopped by the provider' && l.reason === 'guardrail')).toBe(true);
    phone.bye();
    await h.run(40);
    expectReleased(h);
  });

  it('approval hand-back: the answer in play finishes, then the contact is handed back (transfer_to_human) and BYE', async () => {
    const { h, phone, backend } = await answeredCall();
    const before = phone.received().length;
    const answer = agentSpeech(600);
    speak(backend, 'resp-1', 'item-1', answer);
    backend.emit('handBackRequested', { reason: 'tool issue_refund needs an approval nobody can give on the call' });
    let byeAt: number | undefined;
    for (let t = 0; t < 3000 && byeAt === undefined; t += 20) {
      await h.run(20);
      if (phone.read().some((m) => m.type === 'request' && m.method === 'BYE')) byeAt = phone.received().length;
    }
    expect(byeAt).toBeDefined();
    const heard = phone.received().slice(before, byeAt).filter((r) => !isSilence(r.packet.payload));
    expect(Buffer.concat(heard.map((r) => r.packet.payload))).toEqual(answer);
    expect(h.connect.writes.map((w) => w.update.attributes.ai_outcome)).toEqual(['transfer_to_human']);
    expect(h.connect.writes[0]?.update.attributes.ai_reason).toContain('issue_refund');
    await h.run(40);
    expect(endedLine(h).reason).toBe('handed-back');
    expectReleased(h);
  });

  it('re-INVITE hold and resume: no RTP while the caller holds, a marked talkspurt after resume', async () => {
    const { h, phone } = await answeredCall();
    await h.run(100);
    phone.reInvite(offerSdp('sendonly', 2));
    await h.settle();
    const held = phone.ack();
    expect(held.body.toString()).toMatch(/a=recvonly/);
    const atHold = phone.received().length;
    await h.run(500);
    expect(phone.received().length).toBe(atHold);

    phone.reInvite(offerSdp('sendrecv', 3));
    await h.settle();
    expect(phone.ack().body.toString()).toMatch(/a=sendrecv/);
    await h.run(100);
    const resumed = phone.received().slice(atHold);
    expect(resumed).toHaveLength(5);
    expect(resumed[0]?.packet.marker).toBe(true);
    expect(h.logs.filter((l) => l.msg === 'session modified').map((l) => l.direction)).toEqual(['recvonly', 'sendrecv']);
    phone.bye();
    await h.run(40);
    expectReleased(h);
  });

  it('AI lost mid-call: the caller hears the whole apology, the hand-back attributes are written, then BYE', async () => {
    const { h, phone, backend } = await answeredCall();
    phone.sendRtp(new Uint8Array(160).fill(0xff)); // the caller's media path is alive (the apology outlasts RTP_FIRST_PACKET_TIMEOUT_MS)
    await h.run(200);
    const before = phone.received().length;
    backend.emit('state', { state: 'closed', reason: 'socket lost' });
    const apology = encodedApology(h);
    let bye: number | undefined;
    for (let t = 0; t < 10_000 && bye === undefined; t += 20) {
      await h.run(20);
      if (phone.read().some((m) => m.type === 'request' && m.method === 'BYE')) bye = phone.received().length;
    }
    expect(bye).toBeDefined();
    // Everything the phone got before the BYE starts with the apology, every byte of it.
    const heard = Buffer.concat(phone.received().slice(before, bye).map((r) => r.packet.payload));
    expect(heard.subarray(0, apology.length)).toEqual(apology);
    expect(heard.subarray(apology.length).every((b) => b === 0xff)).toBe(true);

    expect(h.connect.writes).toHaveLength(1);
    const write = h.connect.writes[0] as (typeof h.connect.writes)[number];
    expect(write.update).toMatchObject({ instanceId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', initialContactId: '7a9b1c2d-3e4f-4a5b-8c6d-9e0f1a2b3c4d', region: 'us-east-1' });
    expect(write.update.attributes.ai_outcome).toBe('ai_unavailable');
    const byeIndex = h.sip.sent.findIndex((p) => p.data.toString().startsWith('BYE '));
    expect(write.sipMessagesSentBefore).toBeLessThanOrEqual(byeIndex); // written before the BYE left
    expect(h.sip.sent[byeIndex]?.data.toString()).toContain('Reason: SIP;cause=503;text="AI backend lost"');
    await h.run(40);
    expect(endedLine(h).reason).toBe('realtime-failed');
    expectReleased(h);
  });

  it('a listener of the call throws: that call alone ends (apology, hand-back, BYE), counted and logged, nothing reaches the process', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => void uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    try {
      const { h, phone, backend } = await answeredCall();
      phone.sendRtp(new Uint8Array(160).fill(0xff)); // the caller's media path is alive (the apology outlasts RTP_FIRST_PACKET_TIMEOUT_MS)
      await h.run(200);
      // A delta the media bridge cannot handle (no bytes): its listener throws inside the backend's emit.
      backend.safeEmit('audio', { responseId: 'resp-x', itemId: 'item-x', contentIndex: 0, audio: null as unknown as Buffer });
      expect(backend.listenerErrors).toBe(1);
      let bye = false;
      for (let t = 0; t < 10_000 && !bye; t += 20) {
        await h.run(20);
        bye = phone.read().some((m) => m.type === 'request' && m.method === 'BYE');
      }
      expect(bye).toBe(true);
      expect(h.connect.writes.map((w) => w.update.attributes.ai_outcome)).toEqual(['ai_unavailable']);
      expect(h.connect.writes[0]?.update.attributes.ai_reason).toMatch(/^internal error: /);
      await h.run(40);
      expect(h.logs.filter((l) => l.msg === 'call event handling failed: ending this call').map((l) => l.in)).toEqual(['realtime audio']);
      expect(endedLine(h).reason).toBe('realtime-failed');
      expectReleased(h);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
    }
  });

  it('end_call lets the answer finish: the BYE leaves after the last frame of the goodbye, with the outcome written', async () => {
    const { h, phone, backend } = await answeredCall();
    const before = phone.received().length;
    const goodbye = agentSpeech(1500);
    speak(backend, 'resp-1', 'item-1', goodbye, false);
    backend.emit('functionCall', { callId: 'call-1', name: 'end_call', arguments: '{"reason":"done"}', responseId: 'resp-1', itemId: 'fc-1' });
    await h.run(400);
    expect(phone.read().some((m) => m.type === 'request' && m.method === 'BYE')).toBe(false); // the response is not done yet
    backend.emit('audioDone', { responseId: 'resp-1', itemId: 'item-1' });
    backend.emit('responseDone', { responseId: 'resp-1', status: 'completed' });
    let byeAt: number | undefined;
    for (let t = 0; t < 3000 && byeAt === undefined; t += 20) {
      await h.run(20);
      if (phone.read().some((m) => m.type === 'request' && m.method === 'BYE')) byeAt = phone.received().length;
    }
    const heard = phone.received().slice(before, byeAt).filter((r) => !isSilence(r.packet.payload));
    expect(Buffer.concat(heard.map((r) => r.packet.payload))).toEqual(goodbye);
    expect(h.connect.writes.map((w) => w.update.attributes.ai_outcome)).toEqual(['completed']);
    expect(h.sip.sent.find((p) => p.data.toString().startsWith('BYE '))?.data.toString()).toContain('text="Call completed"');
    await h.run(40);
    expect(endedLine(h).reason).toBe('agent-hangup');
    expectReleased(h);
  });

  it('CANCEL while the AI session is still opening: 487, the backend closed, nothing left allocated', async () => {
    const { h, phone } = await invitedCall('hang');
    expect(phone.read().map((m) => (m.type === 'response' ? m.status : m.method))).toEqual([100, 180]);
    phone.cancel();
    await h.settle();
    expect(phone.read().map((m) => (m.type === 'response' ? `${m.status} ${m.headers.get('CSeq')}` : m.method))).toEqual(['200 1 CANCEL', '487 1 INVITE']);
    expect(h.realtime.last.closed).toBe(true);
    expect(endedLine(h).reason).toBe('cancelled');
    expectReleased(h);
  });

  it('AI unreachable at set-up: 503 with Retry-After and the standard reason phrase, before anything is answered', async () => {
    const { h, phone } = await invitedCall('fail');
    const final = phone.read().filter((m) => m.type === 'response' && m.status >= 200);
    expect(final.map((m) => (m.type === 'response' ? `${m.status} ${m.reason}` : ''))).toEqual(['503 Service Unavailable (AI backend unreachable)']);
    expect(final[0]?.headers.get('Retry-After')).toBe('30');
    expect(endedLine(h).reason).toBe('realtime-unavailable');
    expectReleased(h);
  });
});

describe('operations on a call in-process: what the records see, and the drain', () => {
  it('the observers see the call as it goes: offered, Realtime ready, answered, quality every 5 s, barge-in, ended with its quality', async () => {
    const { h, phone, backend } = await answeredCall();
    speak(backend, 'resp-1', 'item-1', agentSpeech(10_000));
    for (const frame of callerSpeech(300)) {
      phone.sendRtp(frame);
      await h.run(20);
    }
    backend.emit('speechStarted', { audioStartMs: 5_000, itemId: 'caller-item-1' });
    phone.bye();
    await h.run(40);
    const types = h.events.map((e) => e.event.type);
    expect(types.slice(0, 3)).toEqual(['offered', 'realtime-ready', 'answered']);
    expect(types.filter((t) => t === 'quality').length).toBeGreaterThanOrEqual(1);
    // Reaction in caller-audio time: the caller audio appended so far (the jitter buffer still holds
    // its delay of the 6 s sent), minus where the speech began (5 s into it).
    const appendedMs = backend.of('appendAudio').length * 20;
    expect(appendedMs).toBeGreaterThan(5_800);
    expect(h.events.at(-2)?.event).toMatchObject({ type: 'barge-in', itemId: 'item-1', reactionMs: appendedMs - 5_000 });
    expect(types.at(-1)).toBe('ended');
    // One record id and the SIP Call-ID on every event of the call.
    expect(new Set(h.events.map((e) => `${e.ref.recordId}/${e.ref.callId}`)).size).toBe(1);
    const ended = h.events.at(-1)?.event;
    expect(ended).toMatchObject({ type: 'ended', reason: 'remote-bye', quality: { lost: 0, lossRatio: 0, concealedFrames: 0 } });
    // 300 sent; RFC 3550 A.1 counts from the packet that ends the source's probation.
    expect(ended?.type === 'ended' ? ended.quality?.expected : undefined).toBeGreaterThanOrEqual(299);
    const answered = h.events[2]?.event;
    expect(answered).toMatchObject({ type: 'answered', codec: 'PCMU', mode: 'passthrough', srtp: false });
    expectReleased(h);
  });

  it('drain: an answered call past the deadline is handed back (ai_outcome gateway_shutdown written before the BYE)', async () => {
    const { h, phone } = await answeredCall();
    await h.run(200);
    const drain = h.gateway.drain(1_000);
    expect(h.gateway.draining).toBe(true);
    await h.run(900);
    expect(h.connect.writes).toHaveLength(0); // still within DRAIN_TIMEOUT_S: the call may finish on its own
    await h.run(200);
    expect(h.connect.writes.map((w) => w.update.attributes.ai_outcome)).toEqual(['gateway_shutdown']);
    const byeIndex = h.sip.sent.findIndex((p) => p.data.toString().startsWith('BYE '));
    expect(byeIndex).toBeGreaterThanOrEqual(0);
    expect(h.connect.writes[0]?.sipMessagesSentBefore).toBeLessThanOrEqual(byeIndex);
    phone.read();
    await h.run(40);
    await expect(drain.done).resolves.toMatchObject({ callsAtStart: 1, finished: 0, handedBack: 1, abandoned: 0 });
    expect(endedLine(h).reason).toBe('shutdown');
    expect(h.events.find((e) => e.event.type === 'hand-back')?.event).toMatchObject({ outcome: 'gateway_shutdown', ok: true, attempts: 1, error: undefined });
    expectReleased(h);
  });

  it('drain: a call that ends within the deadline is not handed back, and the drain ends with it', async () => {
    const { h, phone } = await answeredCall();
    const drain = h.gateway.drain(60_000);
    await h.run(500);
    phone.bye();
    await h.run(40);
    await expect(drain.done).resolves.toMatchObject({ callsAtStart: 1, finished: 1, handedBack: 0, abandoned: 0 });
    expect(h.connect.writes).toHaveLength(0);
    expect(endedLine(h).reason).toBe('remote-bye');
    expectReleased(h);
  });
});

/** The agent's apology prompt as the gateway sends it (PCMU), padded to whole frames. */
function encodedApology(h: InProcessGateway): Buffer {
  const samples = h.agent.handBack.apologyAudio.samples;
  const out = Buffer.alloc(samples.length);
  g711Codec('PCMU').encode(samples, out);
  return out;
}
