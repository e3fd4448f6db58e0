/**
 * RtpSession on an in-memory datagram network (no kernel sockets). Time is a ManualClock: the test
 * advances it to make the scheduler tick, and lets the network's asynchronous deliveries run in
 * between (a few event-loop turns, never a wall-clock wait). The same session over real UDP is
 * covered in udp-socket.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../src/clock.js';
import { createRootLogger } from '../../src/log.js';
import { DtmfSender, type DtmfDigitEvent } from '../../src/rtp/dtmf/index.js';
import { isRtpWireError, RtpError } from '../../src/rtp/errors.js';
import { parseRtp, serializeRtp, type RtpPacket } from '../../src/rtp/packet/rtp-packet.js';
import type { JitterFrame } from '../../src/rtp/jitter/jitter-buffer.js';
import type { Stage } from '../../src/rtp/stages/stage.js';
import { MediaScheduler } from '../../src/rtp/pacing/media-scheduler.js';
import { parseRtcp, serializeRtcp, type RtcpPacket } from '../../src/rtp/rtcp/compound.js';
import { ntpMiddle32 } from '../../src/rtp/rtcp/ntp.js';
import { PortAllocator } from '../../src/rtp/session/port-allocator.js';
import { RtpSession, type RtpSessionOptions } from '../../src/rtp/session/rtp-session.js';
import { generateKeys, SrtpSession } from '../../src/rtp/srtp/index.js';
import type { DatagramSocket } from '../../src/rtp/transport/datagram-socket.js';
import { MemoryDatagramNetwork } from '../../src/rtp/transport/memory-datagram.js';

const LOOPBACK = '127.0.0.1';

/** A caller-audio sink for the session's tick (frames are reused: copy what you keep). */
function sinkOf(write: (frame: JitterFrame) => unknown): Stage<JitterFrame> {
  return { write: (frame) => void write(frame), toString: () => 'TestSink' };
}
const logger = createRootLogger('silent');

/** A test peer: one memory socket that records what it receives. */
class Peer {
  readonly received: Buffer[] = [];
  #socket: DatagramSocket | undefined;
  async bind(): Promise<this> {
    this.#socket = await network.bind(LOOPBACK, 0);
    this.#socket.listen({ message: (m) => this.received.push(m), error: () => undefined });
    return this;
  }
  get port(): number {
    return this.#socket?.port ?? 0;
  }
  async send(bytes: Uint8Array, port: number): Promise<void> {
    this.#socket?.send(bytes, 0, bytes.length, port, LOOPBACK);
    await settle();
  }
  close(): void {
    this.#socket?.close();
  }
  rtp(): RtpPacket[] {
    return this.received.map((b) => parseRtp(b)).filter((p): p is RtpPacket => !isRtpWireError(p));
  }
}

/** Lets the network's queued deliveries and callbacks run: event-loop turns, no timers. */
async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Deliveries are asynchronous: `cond` must hold once they have run (bounded, no wall clock). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 50 && !cond(); i++) await settle(1);
  if (!cond()) throw new Error(`never happened: ${what}`);
}

function rtpBytes(seq: number, ts: number, payload: Uint8Array, opts: { pt?: number; marker?: boolean; ssrc?: number } = {}): Uint8Array {
  return serializeRtp({
    marker: opts.marker ?? false,
    payloadType: opts.pt ?? 0,
    sequenceNumber: seq,
    timestamp: ts,
    ssrc: opts.ssrc ?? 0x5eed,
    csrc: [],
    extension: undefined,
    payload,
    paddingLength: 0,
  });
}

function frame(seed: number): Uint8Array {
  const p = new Uint8Array(160);
  for (let i = 0; i < 160; i++) p[i] = (seed * 11 + i) & 0x3f;
  return p;
}

let clock: ManualClock;
let network: MemoryDatagramNetwork;
let scheduler: MediaScheduler;
let ports: PortAllocator;
const opened: RtpSession[] = [];
const peers: Peer[] = [];

beforeEach(() => {
  clock = new ManualClock(0);
  network = new MemoryDatagramNetwork({ clock });
  nextTickAt = 0;
  scheduler = new MediaScheduler({ clock, phases: 1 });
  ports = new PortAllocator({ min: 20000, max: 20009 });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  for (const p of peers.splice(0)) p.close();
  expect(network.boundSockets).toBe(0);
});

async function peer(): Promise<Peer> {
  const p = await new Peer().bind();
  peers.push(p);
  return p;
}

async function open(extra: Partial<RtpSessionOptions> = {}): Promise<RtpSession> {
  const s = await RtpSession.open({
    clock,
    scheduler,
    logger,
    ports,
    sockets: network,
    bindAddress: LOOPBACK,
    codec: 'PCMU',
    payloadType: 0,
    dtmfPayloadType: 101,
    random: () => 0.25,
    ...extra,
  });
  opened.push(s);
  return s;
}

/** What the session's playout queue reports as sent (bytes per tag) and finished, in order. */
function listen(s: RtpSession): { sentBytes: Record<string, number>; finished: unknown[] } {
  const heard = { sentBytes: {} as Record<string, number>, finished: [] as unknown[] };
  s.playout.observe({
    frameSent: (tag, bytes) => (heard.sentBytes[String(tag)] = (heard.sentBytes[String(tag)] ?? 0) + bytes),
    itemFinished: (tag) => heard.finished.push(tag),
    drained: () => undefined,
  });
  return heard;
}

/** Due time of the next scheduler tick (the scheduler starts at 0 with the first session). */
let nextTickAt = 0;

/** Runs `n` scheduler ticks, one at a time, letting each tick's datagrams leave before the next. */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    clock.advance(Math.max(0, nextTickAt - clock.now()));
    nextTickAt += 20;
    await settle();
  }
}

describe('RtpSession lifecycle', () => {
  it('binds an even port with RTCP on port+1, and close() is idempotent, releases ports and sends RTCP BYE', async () => {
    const rtcpPeer = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: rtcpPeer.port - 1, rtcpPort: rtcpPeer.port } });
    expect(s.localPort % 2).toBe(0);
    expect(s.localRtcpPort).toBe(s.localPort + 1);
    expect(ports.inUse).toBe(1);
    expect(scheduler.size).toBe(1);
    const first = s.close('done');
    expect(s.close()).toBe(first);
    await first;
    expect(scheduler.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    await until(() => ports.inUse === 0, 'port release');
    await until(() => rtcpPeer.received.length > 0, 'RTCP BYE');
    const rtcp = parseRtcp(rtcpPeer.received[0] as Buffer) as RtcpPacket[];
    expect(rtcp.map((p) => p.type)).toEqual(['rr', 'sdes', 'bye']);
    expect(rtcp[2]).toEqual({ type: 'bye', sources: [s.ssrc], reason: 'done' });
  });

  it('fails with a typed error when the port range is exhausted', async () => {
    const tiny = new PortAllocator({ min: ports.min, max: ports.min + 1 });
    await open({ ports: tiny });
    await expect(open({ ports: tiny })).rejects.toSatisfy((e: unknown) => RtpError.is(e) && e.code === 'RTP_ERR_PORTS_EXHAUSTED');
  });
});

describe('RtpSession media chains (printed as built)', () => {
  it('plain RTP with telephone-event: the inbound stages in RFC order, DTMF split last; the pacer out', async () => {
    const s = await open({ remote: { address: LOOPBACK, port: 40000 } });
    s.setAudioSink(sinkOf(() => undefined));
    expect(s.mediaChains()).toEqual({
      inbound: 'RtpParse -> PtGate{0,101} -> SourceCheck -> Liveness -> Sequence -> PtMux{0: Jitter(PCMU) -> TestSink, 101: Dtmf}',
      rtcp: 'RtcpParse -> SourceCheck -> RtcpReports',
      outbound: 'Pacer{DtmfOutbox, PlayoutQueue} -> RtpHeader -> Send(memory)',
    });
  });

  it('SDES-SRTP with rtcp-mux: SRTP first and last, RTCP split off the RTP port', async () => {
    const keys = generateKeys('AES_CM_128_HMAC_SHA1_80');
    const s = await open({ rtcpMux: true, dtmfPayloadType: undefined, srtp: new SrtpSession({ local: keys, remote: keys }) });
    expect(s.mediaChains()).toEqual({
      inbound:
        'RtcpMux{rtp: SRTP(unprotect) -> RtpParse -> PtGate{0} -> SourceCheck -> Liveness -> Sequence -> PtMux{0: Jitter(PCMU)}, ' +
        'rtcp: SRTCP(unprotect) -> RtcpParse -> SourceCheck -> RtcpReports}',
      rtcp: undefined,
      outbound: 'Pacer{DtmfOutbox, PlayoutQueue} -> RtpHeader -> SRTP(protect) -> Send(memory)',
    });
  });

  it('follows hold and a re-INVITE: paused delivery, a new codec and payload types, SRTP off', async () => {
    const keys = generateKeys('AES_CM_128_HMAC_SHA1_80');
    const s = await open({ srtp: new SrtpSession({ local: keys, remote: keys }) });
    s.setDirection('sendonly');
    expect(s.mediaChains().inbound).toBe('SRTP(unprotect) -> RtpParse -> PtGate{0,101} -> SourceCheck -> Liveness -> Sequence -> PtMux{0: Jitter(PCMU, paused), 101: Dtmf(paused)}');
    s.setDirection('sendrecv');
    s.updateRemote({ codec: 'PCMA', payloadType: 8, dtmfPayloadType: 96, srtp: null });
    expect(s.mediaChains().inbound).toBe('RtpParse -> PtGate{8,96} -> SourceCheck -> Liveness -> Sequence -> PtMux{8: Jitter(PCMA), 96: Dtmf}');
    expect(s.mediaChains().outbound).toBe('Pacer{DtmfOutbox, PlayoutQueue} -> RtpHeader -> Send(memory)');
  });
});

describe('RtpSession outbound pacing', () => {
  it('sends one packet per tick: queued audio with the marker first, then comfort silence; seq and timestamp continuous', async () => {
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port } });
    const audio = new Uint8Array(400).fill(0x11);
    const heard = listen(s);
    s.playout.enqueue(audio, 'i1');
    s.playout.endItem('i1');
    await ticks(5);
    await until(() => p.received.length >= 5, '5 packets');
    const pkts = p.rtp();
    expect(pkts.map((x) => x.marker)).toEqual([true, false, false, false, false]);
    expect(pkts.every((x) => x.payloadType === 0 && x.ssrc === s.ssrc && x.payload.length === 160)).toBe(true);
    for (let i = 1; i < pkts.length; i++) {
      expect(((pkts[i] as RtpPacket).sequenceNumber - (pkts[i - 1] as RtpPacket).sequenceNumber) & 0xffff).toBe(1);
      expect(((pkts[i] as RtpPacket).timestamp - (pkts[i - 1] as RtpPacket).timestamp) >>> 0).toBe(160);
    }
    expect([...(pkts[2] as RtpPacket).payload.subarray(0, 80)]).toEqual(new Array(80).fill(0x11));
    expect([...(pkts[2] as RtpPacket).payload.subarray(80)]).toEqual(new Array(80).fill(0xff));
    expect([...(pkts[3] as RtpPacket).payload]).toEqual(new Array(160).fill(0xff));
    expect(heard.sentBytes).toEqual({ i1: 400 });
    expect(heard.finished).toEqual(['i1']);
    expect(s.stats().sent).toMatchObject({ audioFrames: 3, silenceFrames: 2, packets: 5 });
  });

  it('advances the timestamp with wall time across a recvonly pause and marks the next packet', async () => {
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port } });
    await ticks(2);
    s.setDirection('recvonly');
    await ticks(3);
    s.setDirection('sendrecv');
    await ticks(1);
    await until(() => p.received.length >= 3, '3 packets');
    const pkts = p.rtp();
    expect(pkts).toHaveLength(3);
    expect(((pkts[2] as RtpPacket).timestamp - (pkts[1] as RtpPacket).timestamp) >>> 0).toBe(4 * 160);
    expect(((pkts[2] as RtpPacket).sequenceNumber - (pkts[1] as RtpPacket).sequenceNumber) & 0xffff).toBe(1);
    expect((pkts[2] as RtpPacket).marker).toBe(true);
  });

  it('sends an RFC 4733 digit in place of audio, all packets on the start timestamp', async () => {
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port } });
    const heard = listen(s);
    s.playout.enqueue(new Uint8Array(1600).fill(0x22), 'i');
    await ticks(1);
    const done = s.sendDtmf('5', 60);
    await ticks(7);
    expect(await done).toBe(true);
    await until(() => p.received.length >= 8, '8 packets');
    const pkts = p.rtp();
    const dtmf = pkts.filter((x) => x.payloadType === 101);
    expect(dtmf.length).toBe(3 + 2); // 60 ms = 3 packets, the last one an end packet sent 3 times
    expect(new Set(dtmf.map((x) => x.timestamp)).size).toBe(1);
    expect(dtmf[0]?.marker).toBe(true);
    expect(dtmf[0]?.payload[0]).toBe(5);
    // Audio paused for the digit's 5 ticks and resumed where it stopped: 1 + 2 audio frames = 60 ms.
    expect(pkts.map((x) => x.payloadType)).toEqual([0, 101, 101, 101, 101, 101, 0, 0]);
    expect(heard.sentBytes).toEqual({ i: 480 });
    expect(s.stats().sent.dtmfDigits).toBe(1);
  });
});

describe('RtpSession inbound path', () => {
  it('delivers an uninterrupted caller stream byte-identical, including the probation packet', async () => {
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port } });
    const frames: number[][] = [];
    s.setAudioSink(sinkOf((f) => frames.push([...f.payload])));
    for (let k = 0; k < 6; k++) {
      await p.send(rtpBytes(100 + k, 8000 + k * 160, frame(k), { marker: k === 0 }), s.localPort);
      await until(() => s.stats().received.packets === k + 1, `packet ${k}`);
      await ticks(1);
    }
    await ticks(3);
    expect(frames).toEqual([0, 1, 2, 3, 4, 5].map((k) => [...frame(k)]));
    const st = s.stats();
    expect(st.stream).toMatchObject({ ssrc: 0x5eed, lost: 0, ssrcChanges: 0 });
    expect(st.jitterBuffer.concealedFrames).toBe(0);
    expect(st.received.held).toBe(1);
  });

  it('after a stall longer than the catch-up bound, hands the skipped periods\' caller audio on instead of keeping it as delay', async () => {
    let stall = 0;
    const stalling: Clock = {
      now: () => clock.now(),
      wallNow: () => clock.wallNow(),
      setTimeout: (fn, ms) => clock.setTimeout(fn, ms + stall),
      clearTimeout: (id) => clock.clearTimeout(id),
    };
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port }, scheduler: new MediaScheduler({ clock: stalling, phases: 1 }) });
    const frames: number[][] = [];
    s.setAudioSink(sinkOf((f) => frames.push([...f.payload])));
    let k = 0;
    const sendOne = async (): Promise<void> => {
      await p.send(rtpBytes(100 + k, 8000 + k * 160, frame(k), { marker: k === 0 }), s.localPort);
      k++;
    };
    for (let i = 0; i < 20; i++) {
      await sendOne();
      await ticks(1);
    }
    // The event loop stalls for 300 ms: the next wake-up comes 300 ms late while the caller's
    // packets queue up; the scheduler then serves its 5 catch-up periods and skips the rest.
    stall = 300;
    await ticks(1);
    stall = 0;
    // The socket's queue is read when the process wakes: the packets carry the wake-up time.
    clock.advance(nextTickAt + 290 - clock.now());
    for (let i = 0; i < 17; i++) await sendOne();
    nextTickAt += 300;
    await ticks(1);
    for (let i = 0; i < 40; i++) {
      await sendOne();
      await ticks(1);
    }
    await ticks(20);
    const jb = s.stats().jitterBuffer;
    // Every caller frame reached the sink, in order and unchanged; none dropped to cap the delay,
    // and the delay is back where it was before the stall.
    expect(frames.length).toBe(k);
    expect(frames).toEqual(Array.from({ length: k }, (_, i) => [...frame(i)]));
    expect(jb).toMatchObject({ overflowDrops: 0, shrinkDrops: 0, concealedFrames: 0 });
    expect(jb.targetDelayMs).toBe(20);
    expect(jb.bufferedMs).toBe(0);
  });

  it('counts malformed datagrams, unknown payload types and DTMF, and emits the digit', async () => {
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port } });
    const digits: DtmfDigitEvent[] = [];
    s.on('dtmf', (d) => digits.push(d));
    await p.send(new Uint8Array([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), s.localPort); // version 1
    await p.send(rtpBytes(1, 0, frame(0), { pt: 96 }), s.localPort);
    const plan = new DtmfSender().plan('#', 100);
    for (let i = 0; i < plan.length; i++) {
      const pk = plan[i];
      if (pk) await p.send(rtpBytes(10 + i, 4000, pk.payload, { pt: 101, marker: pk.marker }), s.localPort);
    }
    await until(() => digits.length === 1, 'dtmf digit');
    expect(digits[0]).toMatchObject({ digit: '#', durationMs: 100, startTimestamp: 4000 });
    const st = s.stats().received;
    expect(st.malformed.RTP_ERR_VERSION).toBe(1);
    expect(st.unknownPayloadType).toBe(1);
    expect(st.dtmfPackets).toBe(plan.length);
  });

  it('raises inactive after the configured silence, once, and active when RTP resumes', async () => {
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port }, inactivityMs: 200 });
    const events: string[] = [];
    s.on('inactive', (i) => events.push(`inactive:${i.silentMs}`));
    s.on('active', () => events.push('active'));
    await ticks(9);
    expect(events).toEqual([]);
    await ticks(20);
    expect(events).toEqual(['inactive:200']);
    await p.send(rtpBytes(1, 0, frame(0)), s.localPort);
    await until(() => events.length === 2, 'active');
    expect(events[1]).toBe('active');
  });
});

describe('RtpSession re-INVITE and hold', () => {
  it('follows an SSRC change without concealment or counted loss (RFC 3550 §8.2)', async () => {
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port } });
    const frames: number[][] = [];
    s.setAudioSink(sinkOf((f) => frames.push([...f.payload])));
    const sendAndTick = async (bytes: Uint8Array, n: number): Promise<void> => {
      await p.send(bytes, s.localPort);
      await until(() => s.stats().received.packets === n, `packet ${n}`);
      await ticks(1);
    };
    for (let k = 0; k < 4; k++) await sendAndTick(rtpBytes(10 + k, k * 160, frame(k)), k + 1);
    for (let k = 0; k < 4; k++) await sendAndTick(rtpBytes(40000 + k, 777_000 + k * 160, frame(10 + k), { ssrc: 0xbeef }), 5 + k);
    await ticks(3);
    expect(frames).toEqual([0, 1, 2, 3, 10, 11, 12, 13].map((k) => [...frame(k)]));
    const st = s.stats();
    expect(st.stream).toMatchObject({ ssrc: 0xbeef, ssrcChanges: 1, lost: 0 });
    expect(st.jitterBuffer.concealedFrames).toBe(0);
  });

  it('moves the destination on updateRemote and delivers no audio while sendonly', async () => {
    const a = await peer();
    const b = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: a.port } });
    await ticks(2);
    s.updateRemote({ remote: { address: LOOPBACK, port: b.port } });
    await ticks(2);
    await until(() => a.received.length === 2 && b.received.length === 2, 'two packets each');
    s.setDirection('sendonly');
    let audio = 0;
    s.setAudioSink(sinkOf(() => audio++));
    for (let k = 0; k < 4; k++) await b.send(rtpBytes(k, k * 160, frame(k)), s.localPort);
    await until(() => s.stats().received.packets === 4, 'inbound counted');
    await ticks(4);
    expect(audio).toBe(0);
    expect(s.stats().stream.expected).toBe(3); // statistics (and RTCP) still follow the stream
  });
});

describe('RtpSession media source validation', () => {
  it('strict (default): a source other than the SDP one is dropped and counted, before and after the caller\'s first packet, and never answered', async () => {
    const caller = await peer();
    const attacker = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: caller.port } });
    const heard: number[] = [];
    s.setAudioSink(sinkOf((f) => heard.push(f.payload[0] as number)));
    for (let i = 0; i < 10; i++) await attacker.send(rtpBytes(100 + i, i * 160, frame(99)), s.localPort); // before the caller
    await caller.send(rtpBytes(1, 0, frame(1)), s.localPort);
    await caller.send(rtpBytes(2, 160, frame(2)), s.localPort);
    await attacker.send(rtpBytes(110, 1600, frame(99)), s.localPort);
    await ticks(10);
    expect(s.stats().received.unexpectedSource).toBe(11);
    expect(s.stats().received.packets).toBe(2);
    expect(s.remote).toEqual({ address: LOOPBACK, port: caller.port });
    expect(attacker.received).toHaveLength(0);
    expect(caller.rtp().length).toBeGreaterThanOrEqual(9);
    expect(heard).not.toContain(frame(99)[0]);
  });

  it('learn: a NATed peer is learned after 5 in-sequence packets once its SDP address was quiet; others are then dropped', async () => {
    const natted = await peer();
    const intruder = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: 9 }, sourcePolicy: 'learn', learning: { packets: 5, quietMs: 1000 } });
    const latched: number[] = [];
    s.on('latched', (r, kind) => kind === 'rtp' && latched.push(r.port));
    for (let i = 0; i < 5; i++) await natted.send(rtpBytes(1 + i, i * 160, frame(1)), s.localPort);
    expect(latched).toEqual([]); // the SDP address has not been quiet for 1 s yet
    await ticks(51);
    for (let i = 5; i < 9; i++) await natted.send(rtpBytes(1 + i, i * 160, frame(1)), s.localPort);
    expect(latched).toEqual([]); // 4 in a row
    await natted.send(rtpBytes(10, 9 * 160, frame(1)), s.localPort);
    await until(() => latched.length === 1, 'learned');
    expect(s.remote).toEqual({ address: LOOPBACK, port: natted.port });
    await ticks(2);
    await until(() => natted.received.length >= 2, 'media to the learned source');
    for (let i = 0; i < 10; i++) await intruder.send(rtpBytes(500 + i, i * 160, frame(2)), s.localPort);
    expect(s.remote?.port).toBe(natted.port);
    expect(intruder.received).toHaveLength(0);
  });

  it('a re-INVITE repeating the SDP remote keeps the learned source; a new SDP remote replaces it', async () => {
    const natted = await peer();
    const moved = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: 9 }, sourcePolicy: 'learn', learning: { packets: 2, quietMs: 0 } });
    await natted.send(rtpBytes(1, 0, frame(1)), s.localPort);
    await natted.send(rtpBytes(2, 160, frame(1)), s.localPort);
    await until(() => s.remote?.port === natted.port, 'learned');
    s.updateRemote({ remote: { address: LOOPBACK, port: 9 } });
    expect(s.remote?.port).toBe(natted.port);
    s.updateRemote({ remote: { address: LOOPBACK, port: moved.port } });
    expect(s.remote?.port).toBe(moved.port);
  });

  it('rtcp-mux: an RTCP receiver report from another source is dropped and never moves RTP, whatever the policy', async () => {
    for (const sourcePolicy of ['strict', 'learn'] as const) {
      const p = await peer();
      const attacker = await peer();
      const s = await open({ remote: { address: LOOPBACK, port: p.port }, rtcpMux: true, sourcePolicy, learning: { packets: 2, quietMs: 0 } });
      const seen: RtcpPacket[][] = [];
      s.on('rtcp', (pk) => seen.push(pk));
      const rr = serializeRtcp([{ type: 'rr', ssrc: 7, reports: [], profileExtension: new Uint8Array(0) }]);
      for (let i = 0; i < 3; i++) await attacker.send(rr, s.localPort);
      await ticks(3);
      expect(s.remote).toEqual({ address: LOOPBACK, port: p.port });
      expect(s.stats().received.unexpectedSource).toBe(3);
      expect(seen).toHaveLength(0);
      expect(attacker.received).toHaveLength(0);
      await s.close();
    }
  });

  it('unconfirmed: no RTP and no RTCP leave before confirm(), even with the remote known; then media flows with a marker', async () => {
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port, rtcpPort: p.port }, confirmed: false, firstPacketTimeoutMs: 200 });
    const unheard: unknown[] = [];
    s.on('unheard', (i) => unheard.push(i));
    await ticks(400); // 8 s: several RTCP intervals, and far past the first-packet bound
    expect(p.received).toHaveLength(0);
    expect(unheard).toHaveLength(0); // the bound runs only while we send
    await p.send(rtpBytes(1, 0, frame(1)), s.localPort); // the caller's media before our ACK arrived is taken
    expect(s.stats().received.packets).toBe(1);
    s.confirm();
    await ticks(3);
    const sent = p.rtp();
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent[0]?.marker).toBe(true);
    await s.close();
    await settle();
    expect(p.received.some((b) => b[1] === 200 || b[1] === 201)).toBe(true); // the compound RTCP BYE, once confirmed
  });

  it('an unconfirmed session closed (CANCEL, no ACK) sends not even an RTCP BYE', async () => {
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port, rtcpPort: p.port }, confirmed: false });
    await ticks(20);
    await s.close('cancelled');
    await settle();
    expect(p.received).toHaveLength(0);
  });

  it('first-packet bound: nothing from the remote within the limit stops sending and fires unheard once', async () => {
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port }, firstPacketTimeoutMs: 1000 });
    const unheard: Array<{ waitedMs: number; packetsSent: number }> = [];
    s.on('unheard', (i) => unheard.push(i));
    await ticks(49);
    expect(unheard).toHaveLength(0);
    await ticks(3);
    expect(unheard).toHaveLength(1);
    expect(unheard[0]?.waitedMs).toBeGreaterThanOrEqual(1000);
    const atStop = p.received.length;
    expect(atStop).toBeLessThanOrEqual(52);
    await ticks(300);
    expect(p.received.length).toBe(atStop);
    expect(unheard).toHaveLength(1);
  });

  it('first-packet bound: a packet from the remote (RTP or RTCP) in time keeps the call going', async () => {
    for (const first of ['rtp', 'rtcp'] as const) {
      const p = await peer();
      const s = await open({ remote: { address: LOOPBACK, port: p.port, rtcpPort: p.port }, rtcpMux: true, firstPacketTimeoutMs: 1000 });
      const unheard: unknown[] = [];
      s.on('unheard', (i) => unheard.push(i));
      await ticks(25);
      const bytes = first === 'rtp' ? rtpBytes(1, 0, frame(1)) : serializeRtcp([{ type: 'rr', ssrc: 7, reports: [], profileExtension: new Uint8Array(0) }]);
      await p.send(bytes, s.localPort);
      await ticks(100);
      expect(unheard).toHaveLength(0);
      expect(p.rtp().length).toBeGreaterThan(120);
      await s.close();
    }
  });

  it('first-packet bound: a move to a new SDP remote starts it again', async () => {
    const a = await peer();
    const b = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: a.port }, firstPacketTimeoutMs: 500 });
    const unheard: unknown[] = [];
    s.on('unheard', (i) => unheard.push(i));
    await a.send(rtpBytes(1, 0, frame(1)), s.localPort);
    await ticks(50);
    s.updateRemote({ remote: { address: LOOPBACK, port: b.port } });
    await ticks(30);
    expect(unheard).toHaveLength(1);
    const atStop = b.received.length;
    await ticks(20);
    expect(b.received.length).toBe(atStop);
  });
});

describe('RtpSession SRTP and RTCP', () => {
  it('protects outbound and unprotects inbound media with the SrtpSession', async () => {
    const p = await peer();
    const ours = generateKeys('AES_CM_128_HMAC_SHA1_80');
    const theirs = generateKeys('AES_CM_128_HMAC_SHA1_80');
    const s = await open({ remote: { address: LOOPBACK, port: p.port }, srtp: new SrtpSession({ local: ours, remote: theirs }) });
    const far = new SrtpSession({ local: theirs, remote: ours });
    s.playout.enqueue(new Uint8Array(160).fill(0x33), 'i');
    await ticks(1);
    await until(() => p.received.length === 1, 'protected packet');
    const un = far.unprotectRtp(p.received[0] as Buffer);
    expect(un.ok).toBe(true);
    if (un.ok) expect([...(parseRtp(un.value) as RtpPacket).payload]).toEqual(new Array(160).fill(0x33));
    const frames: number[][] = [];
    s.setAudioSink(sinkOf((f) => frames.push([...f.payload])));
    for (let k = 0; k < 3; k++) await p.send(far.protectRtp(rtpBytes(k, k * 160, frame(k))), s.localPort);
    await p.send(rtpBytes(9, 9 * 160, frame(9)), s.localPort); // plain RTP: fails authentication
    await until(() => s.stats().received.packets === 3 && s.stats().received.srtpErrors.auth === 1, 'srtp inbound');
    await ticks(3);
    expect(frames[0]).toEqual([...frame(0)]);
  });

  it('sends SR + SDES on the RTCP interval and computes RTT from the peer RR (RFC 3550 §6.4.1)', async () => {
    const p = await peer();
    const rtcpPeer = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port, rtcpPort: rtcpPeer.port } });
    await ticks(350); // 7 s: past the first interval (1.03-3.08 s) and within the second
    await until(() => rtcpPeer.received.length >= 1, 'RTCP report');
    const report = parseRtcp(rtcpPeer.received[0] as Buffer) as RtcpPacket[];
    expect(report.map((x) => x.type)).toEqual(['sr', 'sdes']);
    const sr = report[0];
    if (sr?.type !== 'sr') throw new Error('expected SR');
    expect(sr.ssrc).toBe(s.ssrc);
    expect(sr.packetCount).toBeGreaterThan(0);
    // The peer answers with an RR whose LSR echoes our SR and whose DLSR says it held it 100 ms.
    const lsr = ntpMiddle32(sr.ntpSeconds, sr.ntpFraction);
    const srWall = (sr.ntpSeconds - 2_208_988_800) * 1000 + (sr.ntpFraction / 2 ** 32) * 1000;
    const expectedRtt = clock.wallNow() - srWall - 100;
    const rr = serializeRtcp([
      {
        type: 'rr',
        ssrc: 0x5eed,
        reports: [{ ssrc: s.ssrc, fractionLost: 64, cumulativeLost: 3, extendedHighestSeq: 10, jitter: 80, lastSr: lsr, delaySinceLastSr: 0x199a }],
        profileExtension: new Uint8Array(0),
      },
      { type: 'sdes', chunks: [{ source: 0x5eed, items: [{ type: 1, text: 'peer' }] }] },
    ]);
    const seen: RtcpPacket[][] = [];
    s.on('rtcp', (pk) => seen.push(pk));
    await rtcpPeer.send(rr, s.localRtcpPort);
    await until(() => seen.length === 1, 'rtcp event');
    const q = s.stats().remoteQuality;
    expect(q.fractionLost).toBe(0.25);
    expect(q.jitterMs).toBe(10);
    expect(q.rttMs).toBeGreaterThan(expectedRtt - 0.1);
    expect(q.rttMs).toBeLessThan(expectedRtt + 0.1);
  });

  it('multiplexes RTCP on the RTP port with rtcp-mux (RFC 5761)', async () => {
    const p = await peer();
    const s = await open({ remote: { address: LOOPBACK, port: p.port }, rtcpMux: true });
    expect(s.localRtcpPort).toBe(s.localPort);
    const seen: RtcpPacket[][] = [];
    s.on('rtcp', (pk) => seen.push(pk));
    await p.send(serializeRtcp([{ type: 'rr', ssrc: 7, reports: [], profileExtension: new Uint8Array(0) }]), s.localPort);
    await until(() => seen.length === 1, 'muxed rtcp');
    expect(s.stats().received.malformed.RTP_ERR_VERSION).toBe(0);
  });
});
