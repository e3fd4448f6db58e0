/**
 * What one input_audio_buffer.append costs the sender, measured as CPU time (not wall time, so a busy
 * shared machine changes the figures little): `calls` WebSockets to a ws server in a child process
 * (loopback, port 0), each fed one 160-byte G.711 frame every 20 ms and sending one append (JSON,
 * base64, a masked frame, a TCP write) per `everyMs`, as the gateway's AppendBatch does with
 * REALTIME_APPEND_MS. A run that never sends gives the floor (timers and copying) to subtract.
 *
 * Usage: node dist/lab/src/load/append-cost.js [calls=100] [seconds=10]   (pin it: taskset -c 0)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';

const FRAME_BYTES = 160;
const FRAME_MS = 20;

export interface AppendCost {
  everyMs: number | null;
  appends: number;
  cpuMs: number;
  /** % of one core per call: what the sender spent per second of one call's audio. */
  pctOfCorePerCall: number;
}

function serve(): void {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  let received = 0;
  wss.on('listening', () => process.send?.({ port: (wss.address() as { port: number }).port }));
  wss.on('connection', (s) => s.on('message', () => received++));
  process.on('message', () => process.send?.({ received }));
}

const next = <T>(child: ChildProcess): Promise<T> => new Promise((resolve) => child.once('message', (m) => resolve(m as T)));

/** One run: `everyMs` null never sends (the floor). */
export async function measureAppendCost(calls: number, everyMs: number | null, seconds: number): Promise<AppendCost> {
  const server = fork(fileURLToPath(import.meta.url), ['--serve']);
  try {
    const { port } = await next<{ port: number }>(server);
    const sockets = await Promise.all(
      Array.from({ length: calls }, () => new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}`);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      })),
    );
    const frames = everyMs === null ? Math.ceil((seconds * 1000) / FRAME_MS) + 1 : everyMs / FRAME_MS;
    const batches = sockets.map(() => Buffer.alloc(frames * FRAME_BYTES));
    const filled = sockets.map(() => 0);
    const frame = Buffer.alloc(FRAME_BYTES, 0xff);
    const ticks = Math.round((seconds * 1000) / FRAME_MS);
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    await new Promise<void>((done) => {
      let tick = 0;
      const step = (): void => {
        for (let i = 0; i < calls; i++) {
          const batch = batches[i] as Buffer;
          frame.copy(batch, (filled[i] as number) * FRAME_BYTES);
          filled[i] = (filled[i] as number) + 1;
          if (filled[i] === frames) {
            filled[i] = 0;
            (sockets[i] as WebSocket).send(JSON.stringify({ type: 'input_audio_buffer.append', audio: batch.toString('base64') }));
          }
        }
        if (++tick >= ticks) return done();
        setTimeout(step, Math.max(0, start + tick * FRAME_MS - performance.now()));
      };
      step();
    });
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    for (const s of sockets) s.terminate();
    server.send('count');
    const { received } = await next<{ received: number }>(server);
    return { everyMs, appends: received, cpuMs: Math.round(cpuMs), pctOfCorePerCall: Math.round((cpuMs / 10 / seconds / calls) * 10_000) / 10_000 };
  } finally {
    server.kill();
  }
}

async function main(argv: string[]): Promise<void> {
  const calls = Number(argv[0] ?? 100);
  const seconds = Number(argv[1] ?? 10);
  if (!Number.isInteger(calls) || calls < 1 || calls > 2000 || !(seconds > 0 && seconds <= 120)) {
    process.stderr.write('usage: append-cost [calls 1..2000] [seconds 1..120]\n');
    process.exitCode = 2;
    return;
  }
  const floor = await measureAppendCost(calls, null, seconds);
  process.stdout.write(`${calls} calls, ${seconds} s; floor (frames copied, nothing sent): ${floor.pctOfCorePerCall} % of a core per call\n`);
  process.stdout.write('everyMs  appends  % of a core per call (above the floor)  µs per append\n');
  for (const everyMs of [20, 40, 60, 100, 200]) {
    const r = await measureAppendCost(calls, everyMs, seconds);
    const above = r.pctOfCorePerCall - floor.pctOfCorePerCall;
    const perAppend = r.appends > 0 ? ((r.cpuMs - floor.cpuMs) * 1000) / r.appends : 0;
    process.stdout.write(`${String(everyMs).padStart(7)}  ${String(r.appends).padStart(7)}  ${above.toFixed(4).padStart(38)}  ${perAppend.toFixed(1).padStart(13)}\n`);
  }
}

if (process.argv.includes('--serve')) serve();
else if (process.argv[1]?.endsWith('append-cost.js')) void main(process.argv.slice(2));
