/**
 * Load generator for the pacing benchmark, run as a child process (never imported by the gateway).
 * Per stream: one UDP socket on 127.0.0.x that sends 50 packets/s of PCMU to its gateway session
 * (paced by its own MediaScheduler) and counts what the gateway sends back; plus, over one
 * WebSocket to the gateway's fake Realtime endpoint, bursts of G.711 answer audio in chunks of
 * random size, delivered far faster than real time as Realtime does.
 */
import dgram from 'node:dgram';
import { WebSocket } from 'ws';
import {
  encodeMulaw,
  systemClock,
  FRAME_SAMPLES,
  MAX_DATAGRAM,
  MediaScheduler,
  RTP_FIXED_HEADER_SIZE,
  writeRtpFixedHeader,
  LatenessHistogram,
  type Registration,
} from 'connect-realtime-gateway';
import type { FakeRealtimeEvent, FromGenerator, GeneratorInit, GeneratorStart, ToGenerator } from './pacing-protocol.js';

/** One second of a 440 Hz tone at -12 dBFS, in PCMU: the caller's "voice". */
function toneBytes(): Uint8Array {
  const pcm = new Int16Array(8000);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  const out = new Uint8Array(pcm.length);
  encodeMulaw(pcm, out);
  return out;
}

interface StreamState {
  socket: dgram.Socket;
  port: number;
  seq: number;
  ts: number;
  ssrc: number;
  received: number;
  minTransit: number;
  lastArrival: number;
  maxGap: number;
  registration: Registration | undefined;
}

const TONE = toneBytes();
const spread = new LatenessHistogram();
let streams: StreamState[] = [];
let init: GeneratorInit | undefined;
let scheduler: MediaScheduler | undefined;
let ws: WebSocket | undefined;
let burstTimer: NodeJS.Timeout | undefined;
let rtpSent = 0;
let deltasSent = 0;
let sending = false;
let cpuAtStart: NodeJS.CpuUsage | undefined;
let startedAt = 0;

function send(msg: FromGenerator): void {
  process.send?.(msg);
}

function bindStream(address: string, index: number): Promise<StreamState> {
  const socket = dgram.createSocket('udp4');
  const st: StreamState = {
    socket,
    port: 0,
    seq: (index * 7919) & 0xffff,
    ts: (index * 104729) >>> 0,
    ssrc: (0x10000 + index) >>> 0,
    received: 0,
    minTransit: Number.POSITIVE_INFINITY,
    lastArrival: 0,
    maxGap: 0,
    registration: undefined,
  };
  socket.on('message', (msg) => {
    if (msg.length < RTP_FIXED_HEADER_SIZE) return;
    const second = msg[1] as number;
    if (second >= 192 && second <= 223) return; // RTCP (reports, BYE): not media
    if ((second & 0x7f) !== init?.payloadType) return;
    const now = performance.now();
    const ts = msg.readUInt32BE(4);
    const transit = now - ts / 8;
    st.received++;
    if (st.received > 1) {
      // Relative transit: how much later than this stream's best packet the packet came.
      if (transit < st.minTransit) st.minTransit = transit;
      spread.record(transit - st.minTransit);
      st.maxGap = Math.max(st.maxGap, now - st.lastArrival);
    } else {
      st.minTransit = transit;
    }
    st.lastArrival = now;
  });
  socket.on('error', () => undefined);
  return new Promise((resolve) =>
    socket.bind(0, address, () => {
      st.port = socket.address().port;
      resolve(st);
    }),
  );
}

function start(msg: GeneratorStart): void {
  const cfg = init as GeneratorInit;
  sending = true;
  cpuAtStart = process.cpuUsage();
  startedAt = performance.now();
  scheduler = new MediaScheduler({ clock: systemClock, phases: 4 });
  const packet = Buffer.alloc(MAX_DATAGRAM);
  streams.forEach((st, i) => {
    const port = msg.sessionPorts[i] as number;
    let offset = (i * 1234) % TONE.length;
    st.registration = scheduler?.register({
      onTick: () => {
        if (!sending) return;
        writeRtpFixedHeader(packet, false, cfg.payloadType, st.seq, st.ts, st.ssrc);
        if (offset + FRAME_SAMPLES > TONE.length) offset = 0;
        packet.set(TONE.subarray(offset, offset + FRAME_SAMPLES), RTP_FIXED_HEADER_SIZE);
        offset += FRAME_SAMPLES;
        st.socket.send(packet, 0, RTP_FIXED_HEADER_SIZE + FRAME_SAMPLES, port, msg.gatewayAddress);
        st.seq = (st.seq + 1) & 0xffff;
        st.ts = (st.ts + FRAME_SAMPLES) >>> 0;
        rtpSent++;
      },
    });
  });
  ws = new WebSocket(cfg.realtimeUrl);
  ws.on('open', () => scheduleBursts(cfg));
  ws.on('error', () => undefined);
}

/** Every burstEveryMs, each stream (phase-shifted) gets one answer of burstAudioMs in random chunks. */
function scheduleBursts(cfg: GeneratorInit): void {
  const answerBytes = cfg.burstAudioMs * 8;
  const counters = new Array<number>(streams.length).fill(0);
  const slotMs = 10;
  const slots = Math.max(1, Math.floor(cfg.burstEveryMs / slotMs));
  let slot = 0;
  let rand = 0x2545f491;
  const next = (): number => {
    rand ^= rand << 13;
    rand ^= rand >>> 17;
    rand ^= rand << 5;
    return (rand >>> 0) / 0x1_0000_0000;
  };
  burstTimer = setInterval(() => {
    if (!sending || ws?.readyState !== WebSocket.OPEN) return;
    for (let i = slot % slots; i < streams.length; i += slots) {
      const n = counters[i] ?? 0;
      counters[i] = n + 1;
      const responseId = `resp_${i}_${n}`;
      const itemId = `item_${i}_${n}`;
      let sent = 0;
      // Bounded: each chunk carries >= 400 bytes.
      while (sent < answerBytes) {
        const len = Math.min(answerBytes - sent, 400 + Math.floor(next() * 2000));
        const start = (sent + i * 97) % (TONE.length - len);
        const ev: FakeRealtimeEvent = {
          type: 'response.output_audio.delta',
          stream: i,
          response_id: responseId,
          item_id: itemId,
          delta: Buffer.from(TONE.subarray(start, start + len)).toString('base64'),
        };
        ws.send(JSON.stringify(ev));
        deltasSent++;
        sent += len;
      }
      const done: FakeRealtimeEvent = { type: 'response.output_audio.done', stream: i, response_id: responseId, item_id: itemId };
      ws.send(JSON.stringify(done));
    }
    slot++;
  }, slotMs);
}

function stop(): void {
  sending = false;
  if (burstTimer) clearInterval(burstTimer);
  for (const st of streams) st.registration?.unregister();
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuPct = ((cpu.user + cpu.system) / 1000 / Math.max(1, performance.now() - startedAt)) * 100;
  send({ type: 'stopped', rtpSent, deltasSent, cpuPct });
}

function report(): void {
  let received = 0;
  let maxGap = 0;
  for (const st of streams) {
    received += st.received;
    maxGap = Math.max(maxGap, st.maxGap);
    st.socket.close();
  }
  ws?.close();
  send({ type: 'report', rtpReceived: received, arrivalSpreadP99Ms: spread.quantile(0.99), maxGapMs: maxGap });
  process.disconnect?.();
}

process.on('message', (raw: ToGenerator) => {
  switch (raw.type) {
    case 'init':
      init = raw;
      void Promise.all(Array.from({ length: raw.streams }, (_, i) => bindStream(raw.bindAddress, i))).then((all) => {
        streams = all;
        send({ type: 'ready', ports: all.map((s) => s.port) });
      });
      return;
    case 'start':
      start(raw);
      return;
    case 'stop':
      stop();
      return;
    case 'report':
      report();
      return;
  }
});
