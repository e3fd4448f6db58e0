/**
 * The two DatagramSocket implementations: real UDP (loopback, port 0 or a random high range) and the
 * in-memory network, with the port allocator's bind path on both.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createRootLogger } from '../../src/log.js';
import { parseRtp, serializeRtp, type RtpPacket } from '../../src/rtp/packet/rtp-packet.js';
import type { JitterFrame } from '../../src/rtp/jitter/jitter-buffer.js';
import type { Stage } from '../../src/rtp/stages/stage.js';
import { MediaScheduler } from '../../src/rtp/pacing/media-scheduler.js';
import { bindPair } from '../../src/rtp/session/bind-pair.js';
import { PortAllocator } from '../../src/rtp/session/port-allocator.js';
import { RtpSession } from '../../src/rtp/session/rtp-session.js';
import { isAddressInUse, type DatagramSocket, type DatagramSocketFactory } from '../../src/rtp/transport/datagram-socket.js';
import { MemoryDatagramNetwork } from '../../src/rtp/transport/memory-datagram.js';
import { udpSockets } from '../../src/rtp/transport/udp-socket.js';
import { RtpError } from '../../src/rtp/errors.js';

const LOOPBACK = '127.0.0.1';

/** A caller-audio sink for the session's tick (frames are reused: copy what you keep). */
function sinkOf(write: (frame: JitterFrame) => unknown): Stage<JitterFrame> {
  return { write: (frame) => void write(frame), toString: () => 'TestSink' };
}
const open: DatagramSocket[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise<void>((r) => s.close(r))));
});

async function bind(factory: DatagramSocketFactory, port = 0): Promise<DatagramSocket & { inbox: Array<{ data: Buffer; from: string }> }> {
  const s = await factory.bind(LOOPBACK, port);
  open.push(s);
  const inbox: Array<{ data: Buffer; from: string }> = [];
  s.listen({ message: (data, from) => inbox.push({ data: Buffer.from(data), from: `${from.address}:${from.port}` }), error: () => undefined });
  return Object.assign(s, { inbox });
}

/** Bounded: a few hundred event-loop turns (real UDP on loopback needs a handful). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise<void>((r) => setImmediate(r));
  if (!cond()) throw new Error(`never happened: ${what}`);
}

for (const [name, make] of [
  ['udp', () => udpSockets],
  ['memory', () => new MemoryDatagramNetwork()],
] as const) {
  describe(`DatagramSocket over ${name}`, () => {
    it('delivers a datagram with its source, from an offset/length slice, and calls back after sending', async () => {
      const factory = make();
      const a = await bind(factory);
      const b = await bind(factory);
      const sent: Array<Error | null> = [];
      const bytes = Buffer.from('xxhello-rtpyy');
      a.send(bytes, 2, 9, b.port, LOOPBACK, (err) => sent.push(err));
      bytes.fill(0); // the transport copied (or sent) the bytes before the caller reuses its buffer
      await until(() => b.inbox.length === 1 && sent.length === 1, 'delivery');
      expect(b.inbox[0]).toEqual({ data: Buffer.from('hello-rtp'), from: `${LOOPBACK}:${a.port}` });
      expect(sent).toEqual([null]);
    });

    it('refuses a second bind of the same port with an "address in use" error', async () => {
      const factory = make();
      const a = await bind(factory);
      const err = await factory.bind(LOOPBACK, a.port).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAddressInUse(err)).toBe(true);
    });

    it('close is idempotent and every close callback runs', async () => {
      const factory = make();
      const s = await factory.bind(LOOPBACK, 0);
      const done: number[] = [];
      s.close(() => done.push(1));
      s.close(() => done.push(2));
      await until(() => done.length === 2, 'close callbacks');
      s.close(() => done.push(3));
      await until(() => done.length === 3, 'close after close');
      // The port is free again.
      open.push(await factory.bind(LOOPBACK, s.port));
    });
  });
}

describe('MemoryDatagramNetwork', () => {
  it('delivers asynchronously, logs every datagram with the clock time at send, and drops datagrams to nobody', async () => {
    const clock = new ManualClock(100);
    const net = new MemoryDatagramNetwork({ clock });
    const a = await bind(net);
    const b = await bind(net);
    a.send(Buffer.from([1, 2, 3]), 0, 3, b.port, LOOPBACK);
    expect(b.inbox).toEqual([]); // never inside the sender's call
    clock.advance(20);
    a.send(Buffer.from([4]), 0, 1, 9, LOOPBACK); // nobody there
    await until(() => b.inbox.length === 1, 'delivery');
    expect(net.wire.map((d) => ({ to: d.to.port, at: d.at, delivered: d.delivered, bytes: [...d.bytes] }))).toEqual([
      { to: b.port, at: 100, delivered: true, bytes: [1, 2, 3] },
      { to: 9, at: 120, delivered: false, bytes: [4] },
    ]);
    expect(net.between({ port: a.port }, { port: b.port })).toHaveLength(1);
  });

  it('a wildcard bind receives for every address and conflicts with specific binds of its port', async () => {
    const net = new MemoryDatagramNetwork();
    const any = await net.bind('0.0.0.0', 30000);
    open.push(any);
    const got: string[] = [];
    any.listen({ message: (d) => got.push(d.toString()), error: () => undefined });
    await expect(net.bind('127.0.0.9', 30000)).rejects.toSatisfy(isAddressInUse);
    const peer = await bind(net);
    peer.send(Buffer.from('hi'), 0, 2, 30000, '127.0.0.9');
    await until(() => got.length === 1, 'wildcard delivery');
  });

  it('refuses names, wildcards and broadcast-like destinations (callback error, nothing logged as delivered)', async () => {
    const net = new MemoryDatagramNetwork();
    const a = await bind(net);
    const errors: Array<Error | null> = [];
    for (const dest of ['example.com', '0.0.0.0']) a.send(Buffer.from('x'), 0, 1, 5000, dest, (e) => errors.push(e));
    await until(() => errors.length === 2, 'errors');
    expect(errors.every((e) => e instanceof Error)).toBe(true);
    expect(net.wire).toEqual([]);
  });

  it('a filter drops chosen datagrams (loss injection)', async () => {
    let n = 0;
    const net = new MemoryDatagramNetwork({ filter: () => n++ % 2 === 0 });
    const a = await bind(net);
    const b = await bind(net);
    for (let i = 0; i < 4; i++) a.send(Buffer.from([i]), 0, 1, b.port, LOOPBACK);
    await until(() => b.inbox.length === 2, 'half delivered');
    expect(b.inbox.map((m) => m.data[0])).toEqual([0, 2]);
    expect(net.wire.map((d) => d.delivered)).toEqual([true, false, true, false]);
  });
});

describe('bindPair', () => {
  it('skips a port pair something else holds and binds the next one (RTP even, RTCP odd)', async () => {
    const net = new MemoryDatagramNetwork();
    open.push(await net.bind(LOOPBACK, 20001)); // squatter on the first pair's RTCP port
    const ports = new PortAllocator({ min: 20000, max: 20009 }, () => 0); // every random pick lands on the squatted pair
    const pair = await bindPair(ports, net, LOOPBACK, false);
    open.push(pair.rtp, ...(pair.rtcp ? [pair.rtcp] : []));
    expect([pair.port, pair.rtp.port, pair.rtcp?.port]).toEqual([20002, 20002, 20003]);
    expect(ports.inUse).toBe(1); // the skipped pair went back to the pool
  });

  it('reports exhaustion as RTP_ERR_PORTS_EXHAUSTED when every pair is taken', async () => {
    const net = new MemoryDatagramNetwork();
    for (const p of [20000, 20002]) open.push(await net.bind(LOOPBACK, p));
    const ports = new PortAllocator({ min: 20000, max: 20003 });
    await expect(bindPair(ports, net, LOOPBACK, true)).rejects.toSatisfy((e: unknown) => RtpError.is(e) && e.code === 'RTP_ERR_PORTS_EXHAUSTED');
    expect(ports.inUse).toBe(0);
  });
});

describe('RtpSession over real UDP', () => {
  it('sends paced RTP to the peer and delivers its RTP, then releases the pair', async () => {
    const clock = new ManualClock(0);
    const scheduler = new MediaScheduler({ clock, phases: 1 });
    const base = 20000 + 2 * Math.floor(Math.random() * 5900); // below the ephemeral range (32768+)
    const ports = new PortAllocator({ min: base, max: base + 9 });
    const peer = await bind(udpSockets);
    const session = await RtpSession.open({
      clock,
      scheduler,
      logger: createRootLogger('silent'),
      ports,
      bindAddress: LOOPBACK,
      codec: 'PCMU',
      payloadType: 0,
      remote: { address: LOOPBACK, port: peer.port },
      random: () => 0.25,
    });
    const frames: number[] = [];
    session.setAudioSink(sinkOf((f) => frames.push(f.payload[0] ?? -1)));
    for (let k = 0; k < 4; k++) {
      const pkt = serializeRtp({ marker: k === 0, payloadType: 0, sequenceNumber: k, timestamp: k * 160, ssrc: 7, csrc: [], extension: undefined, payload: new Uint8Array(160).fill(k + 1), paddingLength: 0 });
      peer.send(pkt, 0, pkt.length, session.localPort, LOOPBACK);
      await until(() => session.stats().received.packets === k + 1, `packet ${k}`);
      clock.advance(20);
    }
    clock.advance(60);
    await until(() => peer.inbox.length >= 6, 'outbound packets');
    const out = peer.inbox.map((m) => parseRtp(m.data) as RtpPacket);
    expect(out.every((p) => p.payloadType === 0 && p.payload.length === 160 && p.ssrc === session.ssrc)).toBe(true);
    expect(frames.slice(0, 4)).toEqual([1, 2, 3, 4]);
    await session.close();
    expect(ports.inUse).toBe(0);
  });
});
