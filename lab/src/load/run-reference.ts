/**
 * The bare reference of a load run (reference-pacer-main.ts pinned where the gateway will run, its
 * peer where the load runs), measured in the same run before the gateway starts: the CPU and wire
 * pacing of the least a Node process can do to move the same number of duplex streams, so the
 * gateway's figures can be read as ratios that hold on any machine rather than as absolute numbers
 * of a noisy one.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabBackend, ToolProcess } from '../runner/backends/backend.js';
import { readLoopLag, type LoopLagSample } from './loop-lag-file.js';
import { pacingSummary, type PacingSummary } from './pacing-meter.js';
import { stopTool } from './processes.js';
import { cpuPercent, sampleProc } from './proc-sampler.js';
import { readyLine } from './ready-line.js';
import { readRtpCapture, startRtpCapture, stopRtpCapture } from './rtp-capture.js';
import type { ReferencePacerConfig, ReferencePacerReady, ReferencePacerResult, ReferencePeerConfig, ReferencePeerResult } from './reference-protocol.js';

const READY_MS = 15_000;
const WARMUP_MS = 2_000;
/** The gateway's scheduler default: calls spread over four 5 ms sub-ticks. */
const PHASES = 4;

export interface ReferenceOptions {
  streams: number;
  seconds: number;
  /** Loopback addresses of the pacer (where the gateway will listen) and of its peer. */
  host: string;
  peerHost: string;
  cpus?: string;
  generatorCpus?: string;
  /**
   * Capture the pacer's RTP with dumpcap (the pacer binds even ports from `portMin`) and measure its
   * wire pacing from kernel timestamps, as the load run measures the gateway's; else at the peer.
   */
  capture?: { portMin: number; file: string };
}

export interface ReferenceMetrics {
  streams: number;
  seconds: number;
  /** The pacer's CPU over the measured window, % of one core, and per stream. */
  cpuPct: number;
  cpuPctPerStream: number;
  rssMb: number;
  wirePacing: PacingSummary;
  /** Worst and median one-second event-loop-delay p99 of the pacer, ms. */
  eventLoopLag: { worstP99Ms: number; medianP99Ms: number } | null;
  /** The peer's packets the pacer never received. */
  lostInbound: number;
  /** `capture`: kernel timestamps of the pacer's packets; `peer`: their arrival at the peer. */
  wireMeasuredBy: 'capture' | 'peer';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const round = (v: number, d = 1): number => Math.round(v * 10 ** d) / 10 ** d;

function readResult<T>(file: string, name: string): T {
  if (!existsSync(file)) throw new Error(`${name} exited without its counters`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export async function runReference(root: string, backend: LabBackend, outDir: string, opts: ReferenceOptions): Promise<ReferenceMetrics> {
  const logPath = join(outDir, 'reference.log');
  const loopFile = join(outDir, 'reference-loop-lag.jsonl');
  const pacerConfig: ReferencePacerConfig = {
    streams: opts.streams,
    host: opts.host,
    phases: PHASES,
    resultFile: join(outDir, 'reference-pacer.result.json'),
    ...(opts.capture ? { portMin: opts.capture.portMin } : {}),
  };
  const filter = opts.capture ? { host: opts.host, portMin: opts.capture.portMin, portMax: opts.capture.portMin + 2 * opts.streams } : undefined;
  let dumpcap: ChildProcess | undefined;
  writeFileSync(join(outDir, 'reference-pacer.config.json'), JSON.stringify(pacerConfig));
  const started: ToolProcess[] = [];
  try {
    if (opts.capture && filter) dumpcap = await startRtpCapture(filter, opts.capture.file);
    const pacer = await backend.launcher.spawn(
      backend.launcher.node,
      ['--import', join(root, 'dist/lab/src/load/loop-lag-probe.js'), join(root, 'dist/lab/src/load/reference-pacer-main.js'), join(outDir, 'reference-pacer.config.json')],
      { cwd: root, name: 'reference-pacer', env: { LAB_LOOP_PROBE_FILE: loopFile }, ...(opts.cpus !== undefined ? { cpus: opts.cpus } : {}) },
    );
    started.push(pacer);
    const { ports } = JSON.parse(await readyLine(pacer, { name: 'reference pacer', logPath, timeoutMs: READY_MS, append: true })) as ReferencePacerReady;
    const pacerPid = await pacer.hostPid();
    if (pacerPid === undefined) throw new Error('the reference pacer has no PID to measure');

    const peerConfig: ReferencePeerConfig = { host: opts.peerHost, pacerHost: opts.host, pacerPorts: ports, phases: PHASES, resultFile: join(outDir, 'reference-peer.result.json') };
    writeFileSync(join(outDir, 'reference-peer.config.json'), JSON.stringify(peerConfig));
    const peer = await backend.launcher.spawn(backend.launcher.node, [join(root, 'dist/lab/src/load/reference-peer-main.js'), join(outDir, 'reference-peer.config.json')], {
      cwd: root,
      name: 'reference-peer',
      ...(opts.generatorCpus !== undefined ? { cpus: opts.generatorCpus } : {}),
    });
    started.push(peer);
    await readyLine(peer, { name: 'reference peer', logPath, timeoutMs: READY_MS, append: true });

    await sleep(WARMUP_MS);
    const a = sampleProc(pacerPid);
    await sleep(opts.seconds * 1000);
    const b = sampleProc(pacerPid);
    await stopTool(peer);
    const peerResult = readResult<ReferencePeerResult>(peerConfig.resultFile, 'the reference peer');
    await stopTool(pacer);
    const pacerResult = readResult<ReferencePacerResult>(pacerConfig.resultFile, 'the reference pacer');
    if (a === undefined || b === undefined) throw new Error('could not sample the reference pacer in /proc');
    let wirePacing = peerResult.pacing;
    if (dumpcap && opts.capture && filter) {
      await stopRtpCapture(dumpcap);
      dumpcap = undefined;
      wirePacing = pacingSummary([...readRtpCapture(opts.capture.file, filter).values()].map((t) => t.outbound));
      rmSync(opts.capture.file, { force: true });
    }

    const lag: LoopLagSample[] = [];
    readLoopLag(loopFile, 0, lag);
    const p99s = lag.filter((l) => l.at > a.at && l.at <= b.at).map((l) => l.p99Ms).sort((x, y) => x - y);
    const cpu = cpuPercent(a, b);
    return {
      streams: opts.streams,
      seconds: opts.seconds,
      cpuPct: round(cpu),
      cpuPctPerStream: round(cpu / opts.streams, 4),
      rssMb: round(b.rssBytes / 2 ** 20),
      wirePacing,
      wireMeasuredBy: opts.capture ? 'capture' : 'peer',
      eventLoopLag: p99s.length ? { worstP99Ms: p99s[p99s.length - 1]!, medianP99Ms: p99s[Math.floor(p99s.length / 2)]! } : null,
      lostInbound: Math.max(0, peerResult.sent - pacerResult.received),
    };
  } finally {
    for (const p of started.reverse()) await stopTool(p, 2_000).catch(() => undefined);
    if (dumpcap) await stopRtpCapture(dumpcap).catch(() => undefined);
  }
}
