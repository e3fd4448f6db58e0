/**
 * The bare reference of a load run: the least a Node process can do to move N duplex G.711 streams.
 * Per stream one UDP socket; what arrives is read as RTP (version, sequence number) and counted; one
 * timer paces every stream's 20 ms packet from a buffer allocated once, the streams spread over
 * `phases` sub-ticks as the gateway's scheduler spreads its calls. No jitter buffer, codec, Realtime,
 * SIP, logging or metrics: what the gateway costs beyond this in the same run is what the product does.
 *
 *   node [--import loop-lag-probe.js] dist/lab/src/load/reference-pacer-main.js <config.json>
 *
 * A stream starts sending once its peer's first packet arrived (symmetric RTP, as the gateway
 * latches). Prints `lab-part ready {"ports":[…]}`; on SIGTERM writes its counters to `resultFile` and
 * exits 0. Bad config: one line on stderr, exit 2.
 */
import dgram from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { READY_PREFIX } from '../runner/backends/containers/part-protocol.js';
import type { ReferencePacerConfig, ReferencePacerReady, ReferencePacerResult } from './reference-protocol.js';

const FRAME_MS = 20;
const PACKET_BYTES = 12 + 160;
const MULAW_SILENCE = 0xff;

interface Stream {
  socket: dgram.Socket;
  packet: Buffer;
  seq: number;
  ts: number;
  remotePort: number;
  remoteAddress: string;
}

const counts: ReferencePacerResult = { received: 0, sent: 0, sendErrors: 0 };

function openStream(host: string, port: number, index: number): Promise<Stream> {
  const packet = Buffer.alloc(PACKET_BYTES, MULAW_SILENCE);
  packet[0] = 0x80;
  packet[1] = 0; // PCMU
  packet.writeUInt32BE((0x5e000000 + index) >>> 0, 8);
  const s: Stream = { socket: dgram.createSocket('udp4'), packet, seq: index & 0xffff, ts: (index * 7919) >>> 0, remotePort: 0, remoteAddress: '' };
  s.socket.on('message', (msg, rinfo) => {
    if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
    counts.received++;
    if (s.remotePort === 0) {
      s.remotePort = rinfo.port;
      s.remoteAddress = rinfo.address;
    }
  });
  s.socket.on('error', () => counts.sendErrors++);
  return new Promise((resolve, reject) => {
    s.socket.once('error', reject);
    s.socket.bind(port, host, () => {
      s.socket.off('error', reject);
      resolve(s);
    });
  });
}

const onSent = (error: Error | null): void => {
  if (error) counts.sendErrors++;
};

async function main(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as ReferencePacerConfig;
  if (!Number.isInteger(config.streams) || config.streams < 1 || config.streams > 5_000) throw new Error('streams must be 1..5000');
  if (!Number.isInteger(config.phases) || config.phases < 1 || config.phases > FRAME_MS) throw new Error(`phases must be 1..${FRAME_MS}`);
  const streams: Stream[] = [];
  for (let i = 0; i < config.streams; i++) streams.push(await openStream(config.host, config.portMin === undefined ? 0 : config.portMin + 2 * i, i));
  const tickMs = FRAME_MS / config.phases;
  const start = performance.now();
  let tick = 0;
  let timer: NodeJS.Timeout | undefined;
  // Absolute deadlines: a late tick does not shift the grid, the next one comes sooner.
  const run = (): void => {
    const phase = tick % config.phases;
    for (let i = phase; i < streams.length; i += config.phases) {
      const s = streams[i]!;
      if (s.remotePort === 0) continue;
      s.packet.writeUInt16BE(s.seq, 2);
      s.packet.writeUInt32BE(s.ts, 4);
      s.seq = (s.seq + 1) & 0xffff;
      s.ts = (s.ts + 160) >>> 0;
      s.socket.send(s.packet, s.remotePort, s.remoteAddress, onSent);
      counts.sent++;
    }
    tick++;
    timer = setTimeout(run, Math.max(0, start + tick * tickMs - performance.now()));
  };
  timer = setTimeout(run, tickMs);
  const ready: ReferencePacerReady = { ports: streams.map((s) => s.socket.address().port) };
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(ready)}\n`);
  process.once('SIGTERM', () => {
    clearTimeout(timer);
    writeFileSync(config.resultFile, JSON.stringify(counts));
    for (const s of streams) s.socket.close();
    process.exit(0);
  });
}

const configPath = process.argv[2];
if (configPath === undefined) {
  process.stderr.write('reference-pacer: usage: reference-pacer-main.js <config.json>\n');
  process.exit(2);
}
main(configPath).catch((err: unknown) => {
  process.stderr.write(`reference-pacer: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  process.exit(2);
});
