import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { energyOfG711, frameEnergyDbov, g711Codec, type G711Name } from '../../src/audio/index.js';
import type { EchoGuardOptions } from '../../src/call/echo-guard.js';
import { fixedAppendPeriod, LoadAdaptivePeriod, type AppendPeriod } from '../../src/call/append-batch.js';
import { MediaBridge, realtimeFormatFor, type AudioMode } from '../../src/call/media-bridge.js';
import { PlaybackLedger } from '../../src/call/playback-ledger.js';
import { FakeBackend, FakeRtp, silentLog } from './fakes.js';
import { agentG711, callerFrame, FRAME_SAMPLES, pcm16At24k } from './signals.js';

interface SetupOptions {
  mode?: AudioMode;
  codec?: G711Name;
  echo?: EchoGuardOptions;
  maxQueuedMs?: number;
  appendPeriod?: AppendPeriod;
}

function setup(opts: SetupOptions = {}) {
  const codec = opts.codec ?? 'PCMU';
  const rtp = new FakeRtp(g711Codec(codec).silenceByte);
  const backend = new FakeBackend();
  const ledger = new PlaybackLedger(rtp.playout, { codec, measureLevels: opts.echo !== undefined });
  const bridge = new MediaBridge(rtp.asSession(), ledger, backend, opts.mode ?? 'passthrough', codec, silentLog, {
    echoGuard: opts.echo,
    maxQueuedMs: opts.maxQueuedMs,
    ...(opts.appendPeriod === undefined ? {} : { appendPeriod: opts.appendPeriod }),
  });
  /** One `response.output_audio.delta`, already decoded to bytes by the backend. */
  const delta = (responseId: string, itemId: string, audio: Buffer, contentIndex = 0) => backend.emit('audio', { responseId, itemId, contentIndex, audio });
  const appended = () => backend.of('appendAudio').map((c) => c.bytes);
  return { rtp, backend, bridge, ledger, delta, appended, playout: rtp.playout };
}

/** Int16 little-endian bytes → samples. */
function samplesOf(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.byteLength >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, true);
  return out;
}

const ECHO: EchoGuardOptions = { marginDb: 12, tailMs: 250 };

describe('realtimeFormatFor', () => {
  it('passthrough speaks the negotiated law; pcm16 is pcm16 whatever the codec', () => {
    expect(realtimeFormatFor('passthrough', 'PCMU')).toBe('pcmu');
    expect(realtimeFormatFor('passthrough', 'PCMA')).toBe('pcma');
    expect(realtimeFormatFor('pcm16', 'PCMU')).toBe('pcm16');
    expect(realtimeFormatFor('pcm16', 'PCMA')).toBe('pcm16');
  });
});

describe('the media chains as built', () => {
  it('passthrough with the echo guard: gate, then the G.711 as is; agent audio into the ledger', () => {
    const { bridge, rtp } = setup({ echo: ECHO });
    expect(bridge.chains()).toEqual({
      callerToAgent: 'EchoGate(12 dB, 250 ms) -> Passthrough(PCMU) -> RealtimeAppend(audio/pcmu)',
      agentToCaller: 'Playback -> PlayoutQueue',
    });
    expect(String(rtp.sink)).toBe(bridge.chains().callerToAgent); // what the RTP session prints after its jitter buffer
  });

  it('pcm16 without the guard: resampling both ways, encoding in the call law; a codec change rebuilds the encoder', () => {
    const { bridge } = setup({ mode: 'pcm16', codec: 'PCMA' });
    expect(bridge.chains()).toEqual({
      callerToAgent: 'Resample(8000->24000) -> RealtimeAppend(audio/pcm)',
      agentToCaller: 'Resample(24000->8000) -> PCMA(encode) -> Playback -> PlayoutQueue',
    });
    bridge.codecChanged('PCMU');
    expect(bridge.chains().agentToCaller).toBe('Resample(24000->8000) -> PCMU(encode) -> Playback -> PlayoutQueue');
  });
});

describe('caller audio to Realtime', () => {
  it('passthrough appends the exact G.711 payload of every frame, concealed ones included', () => {
    for (const codec of ['PCMU', 'PCMA'] as const) {
      const { rtp, bridge, appended } = setup({ codec });
      const a = callerFrame(-20, codec, 'noise');
      const b = callerFrame(-30, codec);
      rtp.receive(a.payload, a.pcm);
      rtp.receive(b.payload, b.pcm, true);
      expect(appended(), codec).toEqual([a.payload, b.payload]);
      expect([bridge.framesToRealtime, bridge.concealedToRealtime]).toEqual([2, 1]);
    }
  });

  it('with a 60 ms append period: one append per that many ms of frames, the same bytes in order; close() sends the rest', () => {
    const { rtp, bridge, appended } = setup({ appendPeriod: fixedAppendPeriod(60) });
    expect(bridge.chains().callerToAgent).toBe('Passthrough(PCMU) -> AppendBatch(60 ms) -> RealtimeAppend(audio/pcmu)');
    const frames = Array.from({ length: 7 }, (_, i) => callerFrame(-20 - i, 'PCMU', 'noise'));
    for (const f of frames.slice(0, 2)) rtp.receive(f.payload, f.pcm);
    expect(appended()).toEqual([]);
    for (const f of frames.slice(2)) rtp.receive(f.payload, f.pcm);
    expect(appended().map((b) => b.length)).toEqual([480, 480]);
    bridge.codecChanged('PCMA'); // a rebuilt chain keeps what waits
    bridge.close();
    bridge.close();
    expect(Buffer.concat(appended())).toEqual(Buffer.concat(frames.map((f) => f.payload)));
    expect(bridge.framesToRealtime).toBe(7);
  });

  it('with the auto period: every frame at once while the gateway is light, batched once it carries more than 100 streams', () => {
    let streams = 5;
    const { rtp, bridge, appended } = setup({ appendPeriod: new LoadAdaptivePeriod(() => streams) });
    expect(bridge.chains().callerToAgent).toBe('Passthrough(PCMU) -> AppendBatch(auto 20..60 ms) -> RealtimeAppend(audio/pcmu)');
    const frames = Array.from({ length: 6 }, (_, i) => callerFrame(-20 - i, 'PCMU', 'noise'));
    for (const f of frames.slice(0, 2)) rtp.receive(f.payload, f.pcm);
    expect(appended().map((b) => b.length)).toEqual([160, 160]);
    streams = 250;
    for (const f of frames.slice(2, 5)) rtp.receive(f.payload, f.pcm);
    expect(appended().map((b) => b.length)).toEqual([160, 160, 480]);
    rtp.receive(frames[5]!.payload, frames[5]!.pcm);
    bridge.close();
    expect(appended().map((b) => b.length)).toEqual([160, 160, 480, 160]);
    expect(Buffer.concat(appended())).toEqual(Buffer.concat(frames.map((f) => f.payload)));
  });

  it('with a 20 ms period no batch stage is built', () => {
    const { bridge } = setup({ appendPeriod: fixedAppendPeriod(20) });
    expect(bridge.chains().callerToAgent).toBe('Passthrough(PCMU) -> RealtimeAppend(audio/pcmu)');
  });

  it('pcm16 appends one 960-byte frame (480 samples at 24 kHz) per 20 ms, at the caller level', () => {
    const { rtp, appended } = setup({ mode: 'pcm16' });
    const frame = callerFrame(-10);
    for (let i = 0; i < 5; i++) rtp.receive(frame.payload, frame.pcm);
    const out = appended();
    expect(out.map((b) => b.length)).toEqual([960, 960, 960, 960, 960]);
    // Past the resampler's start-up, a 400 Hz tone keeps its level (−10 dBov ± 1 dB).
    expect(Math.abs(frameEnergyDbov(samplesOf(out[4]!)) - -10)).toBeLessThan(1);
  });
});

describe('agent audio to the phone', () => {
  it('passthrough enqueues each delta, tagged with its item, and the pacer sends exactly those bytes', () => {
    const { delta, ledger, rtp, bridge } = setup();
    const audio = agentG711([-10, -20, -30]);
    delta('resp-1', 'item-1', audio.subarray(0, 200));
    delta('resp-1', 'item-1', audio.subarray(200));
    expect(ledger.queuedMs('item-1')).toBe(60);
    expect(bridge.agentSpeaking).toBe(true);
    rtp.sendTicks(3);
    expect(Buffer.concat(rtp.sent)).toEqual(audio);
    expect(ledger.sentMs('item-1')).toBe(60);
  });

  it('pcm16: 24 kHz deltas become 8 kHz G.711 in the negotiated law (20 ms in, 20 ms out)', () => {
    for (const codec of ['PCMU', 'PCMA'] as const) {
      const { delta, ledger, rtp } = setup({ mode: 'pcm16', codec });
      const tone = pcm16At24k(-10, 400);
      for (let off = 0; off < tone.length; off += 960) delta('resp-1', 'item-1', tone.subarray(off, off + 960));
      expect(ledger.queuedMs('item-1'), codec).toBe(400);
      rtp.sendTicks(20);
      // Decoded with the call's law, a frame past the filter's start-up is the −10 dBov tone.
      expect(Math.abs(energyOfG711(rtp.sent[10]!, g711Codec(codec)) - -10), codec).toBeLessThan(1);
    }
  });

  it('pcm16 takes deltas of any size, including ones larger than its initial buffers', () => {
    const { delta, ledger } = setup({ mode: 'pcm16' });
    delta('resp-1', 'item-1', pcm16At24k(-10, 500)); // 24 000 bytes in one delta
    delta('resp-1', 'item-1', pcm16At24k(-10, 7)); // not a whole frame
    expect(ledger.queuedMs('item-1')).toBe(507);
  });

  it('keeps no delta once it is queued (a decoded delta is a slice of the shared pool; kept, it would pin a 64 KiB chunk)', () => {
    class DeltaBytes extends Uint8Array {}
    for (const mode of ['passthrough', 'pcm16'] as const) {
      const { backend, ledger } = setup({ mode });
      const audio = mode === 'passthrough' ? agentG711([-10]) : pcm16At24k(-10, 20);
      // A class of its own so that the heap can be asked about exactly these bytes; the bridge reads only
      // the Uint8Array side of the Buffer it is typed to take.
      backend.emit('audio', { responseId: 'r', itemId: 'i', contentIndex: 0, audio: DeltaBytes.from(audio) as unknown as Buffer });
      expect(ledger.queuedMs('i'), mode).toBe(20);
      // Forces a full collection, then counts what is still reachable.
      expect(v8.queryObjects(DeltaBytes, { format: 'count' }), mode).toBe(0);
    }
  });

  it('audioDone ends the item: its last partial frame is padded and sent, and the item finishes', async () => {
    const { delta, backend, ledger, rtp } = setup();
    delta('resp-1', 'item-1', agentG711(-10).subarray(0, 100));
    rtp.sendTicks(1);
    expect(rtp.sent[0]).toEqual(new Uint8Array(FRAME_SAMPLES).fill(0xff)); // waiting for the rest of the frame
    backend.emit('audioDone', { responseId: 'resp-1', itemId: 'item-1' });
    let playedOut = false;
    void ledger.whenPlayedOut(undefined).then(() => (playedOut = true));
    rtp.sendTicks(1);
    expect(rtp.sent[1]!.subarray(0, 100)).toEqual(Uint8Array.from(agentG711(-10).subarray(0, 100)));
    expect(rtp.sent[1]!.subarray(100)).toEqual(new Uint8Array(60).fill(0xff));
    expect(ledger.sentMs('item-1')).toBe(12.5);
    await Promise.resolve();
    expect(playedOut).toBe(true);
  });
});

describe('barge-in: the model is told exactly what the caller heard', () => {
  it('with nothing playing there is nothing to stop', () => {
    const { bridge, backend } = setup();
    expect(bridge.bargeIn({ cancel: true })).toBeUndefined();
    expect(backend.calls).toEqual([]);
    expect(bridge.bargeIns).toBe(0);
  });

  it('after the answer played out completely there is nothing to stop either', () => {
    const { bridge, backend, delta, rtp } = setup();
    delta('resp-1', 'item-1', agentG711(-10, 5));
    rtp.sendTicks(5);
    expect(bridge.bargeIn({ cancel: true })).toBeUndefined();
    expect(backend.calls).toEqual([]);
  });

  it('during playback: the queue is flushed and the item truncated at the ms actually sent', () => {
    const { bridge, backend, delta, rtp, playout } = setup();
    delta('resp-1', 'item-1', agentG711(-10, 50), 0); // 1 s queued
    rtp.sendTicks(10); // 200 ms sent as RTP
    expect(bridge.bargeIn({ cancel: false })).toEqual({ itemId: 'item-1', sentMs: 200, flushedMs: 800 });
    expect(backend.calls).toEqual([{ kind: 'truncate', itemId: 'item-1', contentIndex: 0, audioEndMs: 200 }]);
    expect(playout.queuedMs).toBe(0);
    expect(bridge.agentSpeaking).toBe(false);
    expect(bridge.bargeIns).toBe(1);
    rtp.sendTicks(1);
    expect(rtp.sent[10]).toEqual(new Uint8Array(FRAME_SAMPLES).fill(0xff)); // the next packet is silence
  });

  it('the truncate names the content index of the audio part', () => {
    const { bridge, backend, delta, rtp } = setup();
    delta('resp-1', 'item-1', agentG711(-10, 10), 1);
    rtp.sendTicks(3);
    bridge.bargeIn({ cancel: false });
    expect(backend.of('truncate')).toEqual([{ kind: 'truncate', itemId: 'item-1', contentIndex: 1, audioEndMs: 60 }]);
  });

  it('cancel: true also cancels the response that was speaking', () => {
    const { bridge, backend, delta, rtp } = setup();
    delta('resp-1', 'item-1', agentG711(-10, 50));
    rtp.sendTicks(4);
    bridge.bargeIn({ cancel: true });
    expect(backend.calls).toEqual([
      { kind: 'cancelResponse', responseId: 'resp-1' },
      { kind: 'truncate', itemId: 'item-1', contentIndex: 0, audioEndMs: 80 },
    ]);
  });

  it('no truncate when 0 ms were sent (the caller heard nothing of it)', () => {
    const { bridge, backend, delta } = setup();
    delta('resp-1', 'item-1', agentG711(-10, 50));
    expect(bridge.bargeIn({ cancel: false })).toEqual({ itemId: 'item-1', sentMs: 0, flushedMs: 1000 });
    expect(backend.calls).toEqual([]);
    const second = setup();
    second.delta('resp-1', 'item-1', agentG711(-10, 50));
    second.bridge.bargeIn({ cancel: true });
    expect(second.backend.calls).toEqual([{ kind: 'cancelResponse', responseId: 'resp-1' }]);
  });

  it('later deltas of the silenced response are not enqueued; a new response plays', () => {
    const { bridge, backend, delta, rtp, ledger } = setup();
    delta('resp-1', 'item-1', agentG711(-10, 50));
    rtp.sendTicks(5);
    bridge.bargeIn({ cancel: true });
    delta('resp-1', 'item-1', agentG711(-10, 50)); // already in flight when we cancelled
    delta('resp-1', 'item-1b', agentG711(-10, 5)); // another item of the same response
    backend.emit('audioDone', { responseId: 'resp-1', itemId: 'item-1' });
    expect(ledger.queuedMs('item-1')).toBe(1000); // only what arrived before the barge-in
    expect(ledger.queuedMs('item-1b')).toBe(0);
    expect(bridge.agentSpeaking).toBe(false);
    delta('resp-2', 'item-2', agentG711(-10, 5));
    expect(ledger.queuedMs('item-2')).toBe(100);
    expect(bridge.agentSpeaking).toBe(true);
  });

  it('the item cut short is the one being heard, even when the next answer is already queued behind it', () => {
    // resp-1 said "let me check" and called a tool; the tool answered at once and resp-2's audio
    // streamed in while resp-1's was still playing. The caller interrupts 200 ms into item-1: the
    // model must be told item-1 was heard for 200 ms only.
    const { bridge, backend, delta, rtp } = setup();
    delta('resp-1', 'item-1', agentG711(-10, 50));
    rtp.sendTicks(10);
    delta('resp-2', 'item-2', agentG711(-10, 25));
    bridge.bargeIn({ cancel: true });
    expect(backend.of('truncate')).toContainEqual({ kind: 'truncate', itemId: 'item-1', contentIndex: 0, audioEndMs: 200 });
  });
});

describe('barge-in over a response with several audio items', () => {
  it('the playing item is truncated at what was sent; the later items of the response are deleted once it is done', () => {
    const t = setup();
    t.delta('resp-1', 'item-a', agentG711(-10, 10)); // 200 ms, played in full
    t.backend.emit('audioDone', { responseId: 'resp-1', itemId: 'item-a' });
    t.delta('resp-1', 'item-b', agentG711(-10, 25)); // 500 ms
    t.backend.emit('audioDone', { responseId: 'resp-1', itemId: 'item-b' });
    t.delta('resp-1', 'item-c', agentG711(-10, 25)); // queued, never played
    t.rtp.sendTicks(10 + 6); // item-a whole, 120 ms of item-b
    const stopped = t.bridge.bargeIn({ cancel: false });
    expect(stopped).toMatchObject({ itemId: 'item-b', sentMs: 120 });
    expect(t.backend.calls).toEqual([{ kind: 'truncate', itemId: 'item-b', contentIndex: 0, audioEndMs: 120 }]);
    // An item still streaming when the caller spoke is unheard too; nothing is deleted before response.done.
    t.delta('resp-1', 'item-d', agentG711(-10, 5));
    t.backend.emit('responseDone', { responseId: 'resp-1', status: 'cancelled' });
    expect(t.backend.of('deleteItem').map((c) => c.itemId)).toEqual(['item-c', 'item-d']);
    expect(t.bridge.unheardItemsDeleted).toBe(2);
  });

  it('responses queued behind the one heard, none of whose audio was sent, are deleted, not truncated', () => {
    const t = setup();
    t.delta('resp-1', 'item-a', agentG711(-10, 5));
    t.backend.emit('responseDone', { responseId: 'resp-1', status: 'completed' });
    t.rtp.sendTicks(5); // item-a played out
    t.delta('resp-2', 'item-b', agentG711(-10, 25));
    t.delta('resp-3', 'item-c', agentG711(-10, 25));
    t.backend.emit('responseDone', { responseId: 'resp-3', status: 'completed' });
    // The last item heard is item-a (in full); nothing of resp-2 or resp-3 was sent.
    expect(t.bridge.bargeIn({ cancel: false })).toMatchObject({ itemId: 'item-a', sentMs: 100 });
    expect(t.backend.of('truncate')).toEqual([{ kind: 'truncate', itemId: 'item-a', contentIndex: 0, audioEndMs: 100 }]);
    expect(t.backend.of('deleteItem').map((c) => c.itemId)).toEqual(['item-c']); // resp-3 was done already
    t.backend.emit('responseDone', { responseId: 'resp-2', status: 'cancelled' });
    expect(t.backend.of('deleteItem').map((c) => c.itemId)).toEqual(['item-c', 'item-b']);
  });

  it('an item cut before its first packet is deleted, not truncated at 0', () => {
    const t = setup();
    t.delta('resp-1', 'item-a', agentG711(-10, 25));
    t.delta('resp-1', 'item-b', agentG711(-10, 25));
    expect(t.bridge.bargeIn({ cancel: false })).toMatchObject({ itemId: 'item-a', sentMs: 0 });
    t.backend.emit('responseDone', { responseId: 'resp-1', status: 'cancelled' });
    expect(t.backend.of('truncate')).toEqual([]);
    expect(t.backend.of('deleteItem').map((c) => c.itemId)).toEqual(['item-a', 'item-b']);
  });

  it('the not-heard callback names every deleted item (the transcript drops them)', () => {
    const heard: string[] = [];
    const codec = 'PCMU';
    const rtp = new FakeRtp(g711Codec(codec).silenceByte);
    const backend = new FakeBackend();
    const ledger = new PlaybackLedger(rtp.playout, { codec, measureLevels: false });
    const bridge = new MediaBridge(rtp.asSession(), ledger, backend, 'passthrough', codec, silentLog, { onNotHeard: (id) => heard.push(id) });
    backend.emit('audio', { responseId: 'r', itemId: 'i1', contentIndex: 0, audio: Buffer.from(agentG711(-10, 10)) });
    backend.emit('audio', { responseId: 'r', itemId: 'i2', contentIndex: 0, audio: Buffer.from(agentG711(-10, 10)) });
    rtp.sendTicks(3);
    bridge.bargeIn({ cancel: false });
    backend.emit('responseDone', { responseId: 'r', status: 'cancelled' });
    expect(heard).toEqual(['i2']);
  });
});

describe('echo guard wiring', () => {
  /** Agent at −10 dBov for 1 s, 200 ms of it already sent. */
  function agentPlaying(opts: SetupOptions) {
    const t = setup({ echo: ECHO, ...opts });
    t.delta('resp-1', 'item-1', agentG711(-10, 50, opts.codec ?? 'PCMU'));
    t.rtp.sendTicks(10);
    return t;
  }

  it('a quiet caller frame while the agent plays is replaced by silence before appendAudio', () => {
    const { rtp, appended, bridge } = agentPlaying({});
    const echo = callerFrame(-35);
    rtp.receive(echo.payload, echo.pcm);
    expect(appended()).toEqual([new Uint8Array(FRAME_SAMPLES).fill(0xff)]);
    expect(bridge.echoSuppressedFrames).toBe(1);
    expect(bridge.framesToRealtime).toBe(1);
  });

  it('loud caller speech over the agent passes unchanged', () => {
    const { rtp, appended, bridge } = agentPlaying({});
    const speech = callerFrame(-8, 'PCMU', 'noise');
    rtp.receive(speech.payload, speech.pcm);
    expect(appended()).toEqual([speech.payload]);
    expect(bridge.echoSuppressedFrames).toBe(0);
  });

  it('without an echo guard the same quiet frame passes unchanged', () => {
    const { rtp, appended, delta, bridge } = setup();
    delta('resp-1', 'item-1', agentG711(-10, 50));
    rtp.sendTicks(10);
    const echo = callerFrame(-35);
    rtp.receive(echo.payload, echo.pcm);
    expect(appended()).toEqual([echo.payload]);
    expect(bridge.echoSuppressedFrames).toBe(0);
  });

  it('before the agent has said anything, quiet caller audio passes', () => {
    const { rtp, appended } = setup({ echo: ECHO });
    const quiet = callerFrame(-45);
    rtp.receive(quiet.payload, quiet.pcm);
    expect(appended()).toEqual([quiet.payload]);
  });

  it('gating continues for tailMs (13 frames) after the agent stops, then ends', () => {
    const { rtp, appended, delta } = setup({ echo: ECHO });
    delta('resp-1', 'item-1', agentG711(-10, 10)); // 200 ms of agent audio, nothing after it
    const echo = callerFrame(-35);
    expect(echo.payload.every((x) => x === 0xff)).toBe(false);
    // Real time: every 20 ms one packet goes out and one caller frame comes in.
    for (let tick = 1; tick <= 30; tick++) {
      rtp.sendTicks(1);
      rtp.receive(echo.payload, echo.pcm);
    }
    const suppressed = appended().map((b) => b.every((x) => x === 0xff));
    // Ticks 1..9 while playing, tick 10 sends the last frame, then 13 frames of tail: 22 gated.
    expect(suppressed.indexOf(false)).toBe(22);
    expect(suppressed.slice(22).every((s) => !s)).toBe(true);
  });

  it('pcm16: the replaced frame reaches Realtime as digital silence at 24 kHz', () => {
    const { rtp, appended, bridge } = agentPlaying({ mode: 'pcm16' });
    const echo = callerFrame(-35);
    for (let i = 0; i < 3; i++) rtp.receive(echo.payload, echo.pcm);
    expect(appended().map((b) => b.length)).toEqual([960, 960, 960]);
    for (const b of appended()) expect(b.every((x) => x === 0)).toBe(true);
    expect(bridge.echoSuppressedFrames).toBe(3);
  });

  it('PCMA: the replacement is A-law silence, and it follows a codec change', () => {
    const a = agentPlaying({ codec: 'PCMA' });
    const echoA = callerFrame(-35, 'PCMA');
    a.rtp.receive(echoA.payload, echoA.pcm);
    expect(a.appended()).toEqual([new Uint8Array(FRAME_SAMPLES).fill(0xd5)]);

    const u = setup({ echo: ECHO, codec: 'PCMU' });
    u.bridge.codecChanged('PCMA'); // re-INVITE moved the call to A-law
    u.delta('resp-1', 'item-1', agentG711(-10, 50, 'PCMA'));
    u.rtp.sendTicks(10);
    u.rtp.receive(echoA.payload, echoA.pcm);
    expect(u.appended()).toEqual([new Uint8Array(FRAME_SAMPLES).fill(0xd5)]);
  });
});

describe('close()', () => {
  it('after close nothing flows either way and there is nothing to barge in on', () => {
    const { bridge, rtp, delta, backend, ledger } = setup();
    delta('resp-1', 'item-1', agentG711(-10, 10));
    bridge.close();
    const f = callerFrame(-20);
    rtp.receive(f.payload, f.pcm);
    delta('resp-1', 'item-2', agentG711(-10, 10));
    expect(backend.calls).toEqual([]);
    expect(ledger.queuedMs('item-2')).toBe(0);
    expect(bridge.bargeIn({ cancel: true })).toBeUndefined();
    expect(bridge.framesToRealtime).toBe(0);
  });
});

describe('agent audio backlog bound (a stream far faster than real time)', () => {
  it('past maxQueuedMs the rest of that response is dropped and counted and the response cancelled; the next response plays', () => {
    const { delta, bridge, backend, playout, rtp } = setup({ maxQueuedMs: 1000 });
    const second = Buffer.alloc(8000, 0x11); // 1 s of G.711
    delta('resp-1', 'item-1', second);
    expect(playout.queuedMs).toBe(1000);
    delta('resp-1', 'item-1', second);
    delta('resp-1', 'item-1', second);
    expect(playout.queuedMs).toBe(1000); // nothing more was queued
    expect(bridge.agentAudioDroppedBytes).toBe(16_000);
    expect(backend.of('cancelResponse')).toEqual([{ kind: 'cancelResponse', responseId: 'resp-1' }]);
    rtp.sendTicks(50); // the caller has heard that second
    delta('resp-2', 'item-2', Buffer.alloc(160, 0x22));
    expect(playout.queuedMs).toBeGreaterThan(0);
    expect(bridge.agentAudioDroppedBytes).toBe(16_000);
  });
});
