/**
 * The load of a load run's bare reference (reference-pacer-main.ts), on the generator's CPUs: per
 * pacer stream one UDP socket that sends a 20 ms PCMU packet every 20 ms and measures the lateness
 * of what comes back with the load tap's own meter, so the reference's wire pacing and the gateway's
 * are the same figure.
 *
 *   node dist/lab/src/load/reference-peer-main.js <config.json>
 *
 * Prints `lab-part ready {}`; on SIGTERM writes counts and the pacing summary to `resultFile`, exits 0.
 */
import dgram from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { READY_PREFIX } from '../runner/backends/containers/part-protocol.js';
import { PacingMeter, pacingSummary } from './pacing-meter.js';
import type { ReferencePeerConfig, ReferencePeerResult } from './reference-protocol.js';

const FRAME_MS = 20;
const PACKET_BYTES = 12 + 160;

interface Stream {
  socket: dgram.Socket;
  packet: Buffer;
  port: number;
  seq: number;
  ts: number;
  meter: PacingMeter;
}

let sent = 0;
let received = 0;

function openStream(host: string, port: number, index: number): Promise<Stream> {
  const packet = Buffer.alloc(PACKET_BYTES, 0xff);
  packet[0] = 0x80;
  packet.writeUInt32BE((0x7e000000 + index) >>> 0, 8);
  const s: Stream = { socket: dgram.createSocket('udp4'), packet, port, seq: 0, ts: 0, meter: new PacingMeter() };
  s.socket.on('message', (msg) => {
    if (msg.length < 12) return;
    received++;
    s.meter.packet(msg.readUInt32BE(8), msg.readUInt32BE(4), performance.now());
  });
  s.socket.on('error', () => undefined);
  return new Promise((resolve) => s.socket.bind(0, host, () => resolve(s)));
}

async function main(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as ReferencePeerConfig;
  if (!Array.isArray(config.pacerPorts) || config.pacerPorts.length < 1 || config.pacerPorts.length > 5_000) throw new Error('pacerPorts must list 1..5000 ports');
  if (!Number.isInteger(config.phases) || config.phases < 1 || config.phases > FRAME_MS) throw new Error(`phases must be 1..${FRAME_MS}`);
  const streams: Stream[] = [];
  for (let i = 0; i < config.pacerPorts.length; i++) streams.push(await openStream(config.host, config.pacerPorts[i]!, i));
  const tickMs = FRAME_MS / config.phases;
  const start = performance.now();
  let tick = 0;
  let timer: NodeJS.Timeout | undefined;
  const run = (): void => {
    for (let i = tick % config.phases; i < streams.length; i += config.phases) {
      const s = streams[i]!;
      s.packet.writeUInt16BE(s.seq, 2);
      s.packet.writeUInt32BE(s.ts, 4);
      s.seq = (s.seq + 1) & 0xffff;
      s.ts = (s.ts + 160) >>> 0;
      s.socket.send(s.packet, s.port, config.pacerHost);
      sent++;
    }
    tick++;
    timer = setTimeout(run, Math.max(0, start + tick * tickMs - performance.now()));
  };
  timer = setTimeout(run, tickMs);
  process.stdout.write(`${READY_PREFIX}{}\n`);
  process.once('SIGTERM', () => {
    clearTimeout(timer);
    const result: ReferencePeerResult = { sent, received, pacing: pacingSummary(streams.map((s) => s.meter)) };
    writeFileSync(config.resultFile, JSON.stringify(result));
    for (const s of streams) s.socket.close();
    process.exit(0);
  });
}

const configPath = process.argv[2];
if (configPath === undefined) {
  process.stderr.write('reference-peer: usage: reference-peer-main.js <config.json>\n');
  process.exit(2);
}
main(configPath).catch((err: unknown) => {
  process.stderr.write(`reference-peer: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  process.exit(2);
});
