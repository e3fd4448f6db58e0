/**
 * Pacing benchmark: N concurrent duplex calls through the real gateway RTP path (RtpSession +
 * MediaScheduler + PlayoutQueue + jitter buffer) on loopback, with the load generator in a separate
 * process so this process's CPU is the gateway's alone.
 *
 * Per stream and second, the generator sends 50 PCMU packets to the session and one second of answer
 * audio over a fake Realtime WebSocket (JSON + base64 deltas of random size, all at once); the
 * session decodes and plays out the inbound stream every tick and sends one outbound packet every
 * tick. Measured after a warm-up:
 *  - lateness: how late each session's tick finished (its packet handed to the kernel) vs its due
 *    time on the absolute 20 ms grid (scheduler histogram), p50/p99/max;
 *  - lost: outbound packets the gateway sent that the generator did not receive, plus inbound
 *    packets the generator sent that the gateway did not accept, plus inbound frames the jitter
 *    buffer dropped (late/overflow);
 *  - CPU of this process as % of one core; RSS growth per stream.
 *
 * Usage: node --expose-gc dist/lab/src/bench/pacing.js [--streams 100,250,500] [--seconds 10]
 *        [--phases 10] [--generator-nice 10]
 * (--expose-gc makes the RSS baseline exact; without it RSS per stream includes uncollected garbage.)
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { systemClock, createRootLogger, MediaScheduler, PortAllocator, RtpSession } from 'connect-realtime-gateway';
import type { FakeRealtimeEvent, FromGenerator, GeneratorReady, GeneratorReport, GeneratorStopped, ToGenerator } from './pacing-protocol.js';

export interface PacingRow {
  streams: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  lost: number;
  cpu_pct: number;
  rss_kb_per_stream: number;
  /** Breakdown of `lost`. */
  lost_outbound: number;
  lost_inbound: number;
  jitter_drops: number;
  /** Packets each way during the whole run. */
  packets_out: number;
  packets_in: number;
  /** Generator-side view: p99 of arrival spread, and the longest silence on one stream, ms. */
  arrival_spread_p99_ms: number;
  max_gap_ms: number;
  /** Scheduler ticks skipped after stalls during the measured window (should be 0). */
  skipped_ticks: number;
  /** The load generator's CPU (its own process), % of one core: the two share the machine. */
  generator_cpu_pct: number;
  /** Inbound 20 ms frames the sessions' jitter buffers delivered (their `audio` events). */
  frames_delivered: number;
}

export interface PacingBenchOptions {
  streams: number[];
  /** Measured seconds per stream count (>= 10 for a meaningful figure). */
  seconds: number;
  /** Seconds of load before measuring (default 2). */
  warmupSeconds?: number;
  /** Scheduler phases (default: the gateway default). */
  phases?: number;
  /** Gateway RTP port range (default 10000..19999, below the ephemeral range). */
  portMin?: number;
  portMax?: number;
  /**
   * Niceness for the generator process (default 0). On a small shared machine a positive value lets
   * the gateway win CPU contention against its own load generator, so lateness reflects the gateway.
   */
  generatorNice?: number;
}

const GATEWAY_ADDRESS = '127.0.0.1';
const GENERATOR_ADDRESS = '127.0.0.2';
const PT_PCMU = 0;
const DRAIN_MS = 400;
const logger = createRootLogger('silent');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function nextMessage<T extends FromGenerator['type']>(child: ReturnType<typeof fork>, type: T, timeoutMs: number): Promise<Extract<FromGenerator, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`generator did not answer '${type}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: FromGenerator): void => {
      if (m.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m as Extract<FromGenerator, { type: T }>);
    };
    child.on('message', onMessage);
  });
}

/** The compiled generator next to this module (the bench runs from the build, like `make bench`). */
function generatorPath(): string {
  const path = fileURLToPath(new URL('./pacing-generator.js', import.meta.url));
  if (!existsSync(path)) throw new Error(`load generator not found at ${path}: run the benchmark from the build (npm run build; node dist/lab/src/bench/pacing.js)`);
  return path;
}

/**
 * `rssBase` is the process's RSS before the first row: memory freed by an earlier row stays mapped
 * and is reused, so (peak - rssBase) / n is the per-stream cost for every row, not only the first.
 */
async function runOne(n: number, opts: PacingBenchOptions, rssBase: number): Promise<PacingRow> {
  const warmupMs = (opts.warmupSeconds ?? 2) * 1000;
  const measureMs = opts.seconds * 1000;
  const generator = generatorPath();

  const scheduler = new MediaScheduler({ clock: systemClock, ...(opts.phases !== undefined ? { phases: opts.phases } : {}) });
  const ports = new PortAllocator({ min: opts.portMin ?? 10000, max: opts.portMax ?? 19999 });
  const sessions: RtpSession[] = [];

  // The fake Realtime endpoint: deltas go straight into the sessions' playout queues.
  const wss = new WebSocketServer({ host: GATEWAY_ADDRESS, port: 0 });
  await once(wss, 'listening');
  wss.on('connection', (sock) => {
    sock.on('message', (data) => {
      const ev = JSON.parse(String(data)) as FakeRealtimeEvent;
      const s = sessions[ev.stream];
      if (s === undefined) return;
      if (ev.type === 'response.output_audio.delta') s.playout.enqueue(Buffer.from(ev.delta, 'base64'), ev.item_id);
      else s.playout.endItem(ev.item_id);
    });
  });

  const child = fork(generator, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const toChild = (m: ToGenerator): void => void child.send(m);
  if (opts.generatorNice !== undefined && opts.generatorNice !== 0 && child.pid !== undefined) os.setPriority(child.pid, opts.generatorNice);
  try {
    toChild({
      type: 'init',
      streams: n,
      bindAddress: GENERATOR_ADDRESS,
      realtimeUrl: `ws://${GATEWAY_ADDRESS}:${(wss.address() as AddressInfo).port}`,
      payloadType: PT_PCMU,
      burstAudioMs: 1000,
      burstEveryMs: 1000,
    });
    const ready: GeneratorReady = await nextMessage(child, 'ready', 30_000);
    let framesOut = 0;
    for (let i = 0; i < n; i++) {
      const s = await RtpSession.open({
        clock: systemClock,
        scheduler,
        logger,
        ports,
        bindAddress: GATEWAY_ADDRESS,
        codec: 'PCMU',
        payloadType: PT_PCMU,
        dtmfPayloadType: 101,
        remote: { address: GENERATOR_ADDRESS, port: ready.ports[i] as number, rtcpPort: ready.ports[i] as number },
        sourcePolicy: 'strict',
      });
      s.setAudioSink({ write: () => void framesOut++, toString: () => 'FrameCounter' });
      sessions.push(s);
    }
    toChild({ type: 'start', sessionPorts: sessions.map((s) => s.localPort), gatewayAddress: GATEWAY_ADDRESS });

    await sleep(warmupMs);
    scheduler.resetLateness();
    const skipped0 = scheduler.stats().skippedTicks;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let rssPeak = 0;
    // Bounded: one sample per 500 ms over the measured window.
    for (let waited = 0; waited < measureMs; waited += 500) {
      await sleep(Math.min(500, measureMs - waited));
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    }
    const cpu = process.cpuUsage(cpu0);
    const elapsedMs = performance.now() - t0;
    const sched = scheduler.stats();

    toChild({ type: 'stop' });
    const stopped: GeneratorStopped = await nextMessage(child, 'stopped', 10_000);
    await sleep(DRAIN_MS); // inbound packets in flight reach the sessions
    let packetsIn = 0;
    let jitterDrops = 0;
    for (const s of sessions) {
      const st = s.stats();
      packetsIn += st.received.packets;
      jitterDrops += st.jitterBuffer.lateDrops + st.jitterBuffer.overflowDrops;
    }
    await Promise.all(sessions.map((s) => s.close()));
    let packetsOut = 0;
    for (const s of sessions) packetsOut += s.stats().sent.packets;
    await sleep(DRAIN_MS); // outbound packets in flight reach the generator
    toChild({ type: 'report' });
    const rep: GeneratorReport = await nextMessage(child, 'report', 10_000);

    const lostOut = Math.max(0, packetsOut - rep.rtpReceived);
    const lostIn = Math.max(0, stopped.rtpSent - packetsIn);
    const round = (x: number): number => Math.round(x * 100) / 100;
    return {
      streams: n,
      p50_ms: round(sched.lateness.p50Ms),
      p99_ms: round(sched.lateness.p99Ms),
      max_ms: round(sched.lateness.maxMs),
      lost: lostOut + lostIn + jitterDrops,
      cpu_pct: round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100),
      rss_kb_per_stream: round((rssPeak - rssBase) / 1024 / n),
      lost_outbound: lostOut,
      lost_inbound: lostIn,
      jitter_drops: jitterDrops,
      packets_out: packetsOut,
      packets_in: packetsIn,
      arrival_spread_p99_ms: round(rep.arrivalSpreadP99Ms),
      max_gap_ms: round(rep.maxGapMs),
      skipped_ticks: sched.skippedTicks - skipped0,
      generator_cpu_pct: round(stopped.cpuPct),
      frames_delivered: framesOut,
    };
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
    if (child.exitCode === null) child.kill();
    for (const c of wss.clients) c.terminate();
    wss.close();
  }
}

/** Runs the benchmark once per stream count, sequentially. */
export async function runPacingBench(opts: PacingBenchOptions): Promise<PacingRow[]> {
  if (!(opts.seconds > 0)) throw new RangeError(`seconds must be > 0, got ${opts.seconds}`);
  for (const n of opts.streams) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`stream counts must be positive integers, got ${n}`);
  }
  (globalThis as { gc?: () => void }).gc?.();
  const rssBase = process.memoryUsage.rss();
  const rows: PacingRow[] = [];
  for (const n of opts.streams) rows.push(await runOne(n, opts, rssBase));
  return rows;
}

/** A fixed-width text table of the results (one row per stream count). */
export function formatPacingTable(rows: readonly PacingRow[]): string {
  const cols: Array<[string, (r: PacingRow) => string]> = [
    ['streams', (r) => String(r.streams)],
    ['p50 ms', (r) => r.p50_ms.toFixed(2)],
    ['p99 ms', (r) => r.p99_ms.toFixed(2)],
    ['max ms', (r) => r.max_ms.toFixed(2)],
    ['lost', (r) => `${r.lost} (out ${r.lost_outbound}/in ${r.lost_inbound}/jb ${r.jitter_drops})`],
    ['cpu %', (r) => r.cpu_pct.toFixed(1)],
    ['rss KB/stream', (r) => r.rss_kb_per_stream.toFixed(1)],
    ['pkts out/in', (r) => `${r.packets_out}/${r.packets_in}`],
    ['arrival p99 ms', (r) => r.arrival_spread_p99_ms.toFixed(2)],
    ['gen cpu %', (r) => r.generator_cpu_pct.toFixed(1)],
    ['skipped ticks', (r) => String(r.skipped_ticks)],
  ];
  const cells = [cols.map(([h]) => h), ...rows.map((r) => cols.map(([, f]) => f(r)))];
  const widths = cols.map((_, c) => Math.max(...cells.map((row) => (row[c] as string).length)));
  return cells.map((row) => row.map((cell, c) => cell.padStart(widths[c] as number)).join('  ')).join('\n');
}

function parseArgs(argv: string[]): PacingBenchOptions {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    streams: (get('streams') ?? '100,250,500').split(',').map((x) => Number(x)),
    seconds: Number(get('seconds') ?? '10'),
    ...(get('phases') !== undefined ? { phases: Number(get('phases')) } : {}),
    ...(get('generator-nice') !== undefined ? { generatorNice: Number(get('generator-nice')) } : {}),
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = parseArgs(process.argv.slice(2));
  runPacingBench(opts).then(
    (rows) => {
      process.stdout.write(`${formatPacingTable(rows)}\n${JSON.stringify(rows)}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`pacing bench failed: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
