/**
 * A load run: SIPp places `calls` calls (`concurrent` at once, `ratePerS` new per second), each one
 * saying an utterance every `sayEveryMs` while the fake Realtime answers every turn, so audio flows
 * both ways on every call. The gateway is pinned to its own core; SIPp, the tap and the fakes share
 * the other (`generatorCpus`). While it runs, a live progress line; at the end a report with the
 * calls attempted/answered/failed, the gateway's CPU and RSS per call on the plateau, its event-loop
 * delay, the wire pacing of its RTP and the RTP lost inside it, each checked against the scenario's
 * thresholds. Reused by capacity work: `runLoad` takes the parsed scenario and a backend.
 */
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { buildCallerStream } from '../callers/caller-audio.js';
import type { LabBackend } from '../runner/backends/backend.js';
import { GatewayProcess } from '../runner/gateway-process.js';
import { freePort } from '../runner/ports.js';
import { scenarioPage } from '../report/scenario-page.js';
import { writeReport, type ScenarioReport } from '../runner/report.js';
import { HOSTS } from '../runner/run-scenario.js';
import { sippCommandLine } from '../runner/sipp.js';
import { gatewayLoss, gatewayPacing, type GatewayLoss, type GatewayPacing } from './gateway-accounting.js';
import { loadChecks } from './load-checks.js';
import { readLoopLag, type LoopLagSample } from './loop-lag-file.js';
import { stopTap, tapReady } from './load-tap-client.js';
import { pinProcess, stopTool } from './processes.js';
import { LoopLagMonitor } from './loop-lag.js';
import { loadFakeScript, type LoadScenario } from './load-spec.js';
import type { LoadTapConfig, LoadTapStats } from './load-tap-protocol.js';
import type { PacingSummary } from './pacing-meter.js';
import { cpuPercent, sampleProc, type ProcSample } from './proc-sampler.js';
import { ProgressLine } from './progress-line.js';
import { repeatWhileLabFellBehind } from './repeat-run.js';
import { canCapture } from './rtp-capture.js';
import { runReference, type ReferenceMetrics } from './run-reference.js';
import { readSippStats, type SippCallStats } from './sipp-stats.js';
import { describeError } from 'connect-realtime-gateway';

const TICK_MS = 1_000;
const IDLE_BASELINE_MS = 1_500;
const DRAIN_MS = 15_000;
/** What a load run writes beside its report (linked from report.html). */
const LOAD_EVIDENCE = ['report.json', 'load-timeline.jsonl', 'gateway.log', 'loop-lag.jsonl', 'sipp-stats.csv', 'load-tap.log', 'reference.log', 'reference-loop-lag.jsonl'];

export interface LoadMetrics {
  calls: { planned: number; attempted: number; answered: number; completed: number; failed: number; rejected: number; gatewayHungUp: number };
  sipp: (SippCallStats & { exitCode: number | null }) | null;
  /** The plateau the per-call figures are measured on. */
  plateau: { calls: number; seconds: number } | null;
  gateway: {
    cpus: string;
    idle: { cpuPct: number; rssMb: number } | null;
    /** On the plateau: CPU as % of one core, RSS; per call: the increase over idle divided by the calls up. */
    plateau: { cpuPct: number; rssMb: number; cpuPctPerCall: number; rssKbPerCall: number } | null;
    peakRssMb: number;
  };
  /** The load's own side: when its event loops lag, its receive times and pacing are not the gateway's. */
  generator: { cpus: string; sippCpuPct: number | null; tapLoopLagWorstP99Ms: number | null; runnerLoopLagWorstP99Ms: number | null };
  eventLoopLag: { seconds: number; worstP99Ms: number; medianP99Ms: number; maxMs: number } | null;
  wirePacing: PacingSummary;
  /**
   * `capture`: dumpcap's kernel timestamps of the gateway's RTP, media straight between SIPp and the
   * gateway; `relay`: the load tap relays media and meters it in its own event loop (no dumpcap).
   */
  wireMeasuredBy: 'capture' | 'relay';
  gatewayPacing: GatewayPacing;
  rtpLost: GatewayLoss;
  /** false on a one-core machine: nothing pinned. */
  pinned: boolean;
  /** The gateway's open sockets before the first call and after the last. */
  sockets: { before: number; after: number } | null;
  /** The last call summary's resource counters (all 0 when everything was released). */
  resources: Record<string, number> | null;
  /** The bare reference of the same run (scenario `reference:`), and the gateway's figures over its. */
  reference: ReferenceMetrics | null;
  ratios: LoadRatios | null;
}

/** The gateway's figure divided by the bare reference's: 1 would be a gateway that costs nothing more. */
export interface LoadRatios {
  cpuPerCall: number | null;
  wirePacingP99: number | null;
  eventLoopLagP99: number | null;
}

const round = (v: number, d = 1): number => Math.round(v * 10 ** d) / 10 ** d;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** A run the lab itself fell behind in is repeated once (repeat-run.ts); a second such run fails. */
const MAX_RUNS = 2;

export async function runLoad(root: string, s: LoadScenario, backend: LabBackend, progress: ProgressLine = new ProgressLine()): Promise<ScenarioReport> {
  const outDir = join(root, 'lab', 'out', s.name);
  const started = performance.now();
  const { report, fellBehindMs } = await repeatWhileLabFellBehind(() => attempt(root, s, backend, outDir, progress), MAX_RUNS, (lag) => {
    process.stdout.write(`${s.name}: the lab's own side fell behind (event-loop delay p99 ${String(lag)} ms), so the run measured the lab: running it again\n`);
  });
  if (fellBehindMs.length > 0) report.metrics.repeatedAfterLabLagMs = fellBehindMs;
  report.durationMs = Math.round(performance.now() - started);
  report.metrics.durationS = round(report.durationMs / 1000);
  writeReport(outDir, report);
  writeFileSync(join(outDir, 'report.html'), scenarioPage(report, { description: s.description.trim(), evidence: LOAD_EVIDENCE }));
  return report;
}

/** One load run from a clean output folder: its checks, metrics, or the error that stopped it. */
async function attempt(root: string, s: LoadScenario, backend: LabBackend, outDir: string, progress: ProgressLine): Promise<ScenarioReport> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const report: ScenarioReport = { name: s.name, passed: false, checks: [], metrics: {}, outDir };
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const timeout = new Promise<never>((_, reject) => {
      const t = setTimeout(() => reject(new Error(`load run timed out after ${s.timeoutS} s`)), s.timeoutS * 1000);
      cleanups.push(async () => clearTimeout(t));
    });
    const metrics = await Promise.race([execute(root, s, backend, outDir, cleanups, progress), timeout]);
    report.metrics = metrics as unknown as Record<string, unknown>;
    report.checks = loadChecks(s, metrics);
    report.passed = report.checks.every((c) => c.passed);
  } catch (err) {
    report.error = describeError(err);
  } finally {
    progress.done();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
  return report;
}

async function execute(
  root: string,
  s: LoadScenario,
  backend: LabBackend,
  outDir: string,
  cleanups: Array<() => Promise<unknown>>,
  progress: ProgressLine,
): Promise<LoadMetrics> {
  const { load } = s;
  // Pinning needs two cores; on one, everything shares it and the report says so.
  const pinned = availableParallelism() >= 2;
  const gatewayCpus = pinned ? s.gateway.cpus : undefined;
  const generatorCpus = pinned ? s.generatorCpus : undefined;
  if (generatorCpus !== undefined) {
    const restore = pinProcess(process.pid, generatorCpus);
    cleanups.push(async () => restore());
  }

  // The reference first, alone on the gateway's CPUs.
  const reference = s.reference
    ? await runReference(root, backend, outDir, {
        streams: load.concurrent,
        seconds: s.reference.seconds,
        host: HOSTS.gateway,
        peerHost: HOSTS.caller,
        ...(gatewayCpus !== undefined ? { cpus: gatewayCpus } : {}),
        ...(generatorCpus !== undefined ? { generatorCpus } : {}),
        // The gateway's RTP range, unused until the gateway starts: the same capture filter shape.
        ...(canCapture() ? { capture: { portMin: 40_000, file: join(outDir, 'reference-rtp.pcap') } } : {}),
      })
    : null;
  if (reference) progress.update(`${s.name}: reference pacer ${reference.streams} streams: cpu ${reference.cpuPct}%, wire p99 ${reference.wirePacing.p99Ms} ms`);

  // The caller's stream: the utterance every sayEveryMs, silence between, ending before the BYE.
  const streamMs = load.holdMs - 400;
  const utterances = [];
  for (let at = 200; at < streamMs - 1_000; at += load.sayEveryMs) utterances.push({ atMs: at, wavPath: join(root, load.audio) });
  writeFileSync(join(outDir, 'caller.pcap'), buildCallerStream(load.codec, utterances, [], streamMs).pcap);

  const fake = await backend.startFakeRealtime({ host: HOSTS.realtime, port: 0, script: loadFakeScript(s, root) }, outDir);
  cleanups.push(() => fake.stop());

  // The tap in a process of its own, on the generator's core.
  const gatewaySip = await freePort(HOSTS.gateway);
  const tapPort = await freePort(HOSTS.alg);
  const gatewayEnv: Record<string, string> = {
    RTP_HOST: HOSTS.gateway,
    RTP_PORT_MIN: '40000',
    RTP_PORT_MAX: String(40_000 + 4 * load.concurrent + 200),
    ...s.gateway.env,
  };
  const wireMeasuredBy = canCapture() ? 'capture' : 'relay';
  if (wireMeasuredBy === 'relay') process.stdout.write(`${s.name}: no dumpcap to capture with (needs root and the tshark package): media is relayed and metered by the load tap instead\n`);
  const tapConfig: LoadTapConfig = {
    host: HOSTS.alg,
    port: tapPort,
    gateway: { address: HOSTS.gateway, port: gatewaySip },
    snapshotFile: join(outDir, 'load-tap.snapshot.json'),
    statsEveryMs: TICK_MS,
    ...(wireMeasuredBy === 'capture'
      ? { capture: { host: gatewayEnv.RTP_HOST!, portMin: Number(gatewayEnv.RTP_PORT_MIN), portMax: Number(gatewayEnv.RTP_PORT_MAX), file: join(outDir, 'gateway-rtp.pcap') } }
      : {}),
  };
  writeFileSync(join(outDir, 'load-tap.config.json'), JSON.stringify(tapConfig));
  const tap = await backend.launcher.spawn(backend.launcher.node, [join(root, 'dist/lab/src/load/load-tap-main.js'), join(outDir, 'load-tap.config.json')], {
    cwd: root,
    name: 'load-tap',
    ...(generatorCpus !== undefined ? { cpus: generatorCpus } : {}),
  });
  cleanups.push(async () => stopTool(tap));
  const tapStats: LoadTapStats[] = [];
  await tapReady(tap, join(outDir, 'load-tap.log'), (st) => tapStats.push(st));

  const loopFile = join(outDir, 'loop-lag.jsonl');
  const gateway = new GatewayProcess(
    root,
    {
      AMAZON_CONNECT_SIP_HOST: HOSTS.gateway,
      AMAZON_CONNECT_SIP_PORT: String(gatewaySip),
      SIP_ALLOW_FROM: '127.0.0.0/8',
      SIP_MAX_CALLS: String(load.concurrent + 50),
      SIP_INVITE_RATE: String(Math.ceil(load.ratePerS * 2)),
      SIP_INVITE_BURST: String(Math.ceil(load.ratePerS * 4)),
      // Every call comes from the one load tap: INVITE, ACK, BYE and refreshes, all set up at once.
      SIP_REQUEST_RATE: String(Math.max(100, Math.ceil(load.ratePerS * 8))),
      SIP_REQUEST_BURST: String(Math.max(200, Math.ceil(load.ratePerS * 16))),
      SIP_MAX_SETUP_CALLS_PER_SOURCE: String(load.concurrent),
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'sk-lab-fake-key',
      LOG_LEVEL: 'info',
      LAB_LOOP_PROBE_FILE: loopFile,
      ...gatewayEnv,
    },
    join(outDir, 'gateway.log'),
    {
      launcher: backend.launcher,
      nodeArgs: ['--import', join(root, 'dist/lab/src/load/loop-lag-probe.js')],
      ...(gatewayCpus !== undefined ? { cpus: gatewayCpus } : {}),
    },
  );
  await gateway.start();
  cleanups.push(() => gateway.stop());
  const gwPid = gateway.pid;
  if (gwPid === undefined) throw new Error('the gateway has no PID to measure');
  const socketsBefore = gateway.socketCount();

  const idleA = sampleProc(gwPid);
  await sleep(IDLE_BASELINE_MS);
  const idleB = sampleProc(gwPid);

  const statsFile = join(outDir, 'sipp-stats.csv');
  const sippArgs = sippCommandLine(
    {
      root,
      outDir,
      script: 'uac-call',
      values: {
        FROM_USER: '+15550100',
        TO_USER: '+15550199',
        HANGUP_MS: String(load.holdMs),
        EXTRA_HEADERS: '',
        PAYLOAD_TYPES: load.codec === 'PCMU' ? '0 8' : '8 0',
        RTPMAPS: (load.codec === 'PCMU' ? ['0 PCMU', '8 PCMA'] : ['8 PCMA', '0 PCMU']).map((m) => `      a=rtpmap:${m}/8000`).join('\n'),
      },
      target: { address: HOSTS.alg, port: tapPort },
      transport: 'udp',
      extraArgs: [],
      local: { address: HOSTS.caller, port: await freePort(HOSTS.caller), mediaPort: 2 * Math.floor((await freePort(HOSTS.caller)) / 2) },
      timeoutS: s.timeoutS,
    },
    { calls: load.calls, ratePerS: load.ratePerS, concurrent: load.concurrent, statsFile },
  );
  const sipp = await backend.launcher.spawn('sipp', sippArgs, { cwd: outDir, name: 'sipp', ...(generatorCpus !== undefined ? { cpus: generatorCpus } : {}) });
  cleanups.push(async () => stopTool(sipp));
  const sippLog = createWriteStream(join(outDir, 'sipp-stdout.log'));
  sipp.stdout.pipe(sippLog, { end: false });
  sipp.stderr.pipe(sippLog, { end: false });
  void sipp.exited.then(() => setTimeout(() => sippLog.end(), 500));
  const sippPid = await sipp.hostPid();
  let sippExit: number | null | undefined;
  void sipp.exited.then((c) => (sippExit = c));

  // Live: once a second, until SIPp is done.
  const timeline = createWriteStream(join(outDir, 'load-timeline.jsonl'));
  const lag: LoopLagSample[] = [];
  let lagRead = 0;
  const gwSamples: ProcSample[] = [];
  const sippSamples: ProcSample[] = [];
  let plateau: { start: number; startSample: ProcSample; end?: number; endSample?: ProcSample; rss: number[] } | undefined;
  const runnerLag = new LoopLagMonitor();
  cleanups.push(async () => runnerLag.stop());
  const runnerLagP99: number[] = [];
  const t0 = performance.now();
  while (sippExit === undefined) {
    await Promise.race([sleep(TICK_MS), sipp.exited]);
    lagRead = readLoopLag(loopFile, lagRead, lag);
    runnerLagP99.push(runnerLag.take().p99Ms);
    const gw = sampleProc(gwPid);
    const gen = sippPid !== undefined ? sampleProc(sippPid) : undefined;
    if (gw) gwSamples.push(gw);
    if (gen) sippSamples.push(gen);
    const st = tapStats[tapStats.length - 1];
    if (st && gw) {
      const up = st.sip.active;
      const ended = st.sip.byesAnswered + st.sip.gatewayByes;
      if (plateau === undefined && up >= load.concurrent) plateau = { start: gw.at, startSample: gw, rss: [] };
      else if (plateau && plateau.end === undefined) {
        if (up < load.concurrent || ended > 0) {
          plateau.end = gw.at;
          plateau.endSample = gw;
        } else plateau.rss.push(gw.rssBytes);
      }
    }
    const prevGw = gwSamples[gwSamples.length - 2];
    const line = progressText(s, performance.now() - t0, st, gw && prevGw ? cpuPercent(prevGw, gw) : undefined, gw?.rssBytes, lag[lag.length - 1]);
    progress.update(line);
    timeline.write(`${JSON.stringify({ t: round((performance.now() - t0) / 1000), tap: st, gateway: gw, loopLag: lag[lag.length - 1] })}\n`);
  }
  timeline.end();
  progress.done();

  // Let the last calls end, then collect.
  const answered = tapStats[tapStats.length - 1]?.sip.answered ?? 0;
  await gateway.waitFor(() => gateway.logs.filter((l) => l.msg === 'call ended').length >= answered, DRAIN_MS).catch(() => undefined);
  await sleep(1_000);
  lagRead = readLoopLag(loopFile, lagRead, lag);
  const socketsAfter = gateway.socketCount();
  const snapshot = await stopTap(tap, tapConfig.snapshotFile);
  const sippStats = readSippStats(statsFile);
  const peakRss = Math.max(0, ...gwSamples.map((g) => g.rssBytes));

  const idle = idleA && idleB ? { cpuPct: round(cpuPercent(idleA, idleB)), rssMb: round(idleB.rssBytes / 2 ** 20) } : null;
  let plateauMetrics: LoadMetrics['gateway']['plateau'] = null;
  let plateauInfo: LoadMetrics['plateau'] = null;
  if (plateau?.endSample && plateau.end !== undefined && plateau.end > plateau.start) {
    const cpu = cpuPercent(plateau.startSample, plateau.endSample);
    const rss = plateau.rss.length ? plateau.rss.reduce((a, b) => a + b, 0) / plateau.rss.length : plateau.endSample.rssBytes;
    plateauInfo = { calls: load.concurrent, seconds: round((plateau.end - plateau.start) / 1000) };
    plateauMetrics = {
      cpuPct: round(cpu),
      rssMb: round(rss / 2 ** 20),
      cpuPctPerCall: round((cpu - (idle?.cpuPct ?? 0)) / load.concurrent, 3),
      rssKbPerCall: round((rss - (idleB?.rssBytes ?? 0)) / 1024 / load.concurrent),
    };
  }
  const activeLag = lag.filter((l) => l.at >= (tapStats.find((t) => t.sip.answered > 0)?.at ?? Infinity));
  const p99s = activeLag.map((l) => l.p99Ms).sort((a, b) => a - b);
  const sippCpu = sippSamples.length >= 2 ? round(cpuPercent(sippSamples[0]!, sippSamples[sippSamples.length - 1]!)) : null;
  const eventLoopLag = p99s.length
    ? { seconds: p99s.length, worstP99Ms: p99s[p99s.length - 1]!, medianP99Ms: p99s[Math.floor(p99s.length / 2)]!, maxMs: Math.max(...activeLag.map((l) => l.maxMs)) }
    : null;
  const completed = snapshot.sip.byesAnswered + snapshot.sip.gatewayByes;
  const attempted = sippStats?.created ?? snapshot.sip.invited;
  return {
    calls: {
      planned: load.calls,
      attempted,
      answered: snapshot.sip.answered,
      completed,
      // A call counts as done when the caller's BYE was answered; anything else (a rejection, a
      // call the gateway hung up, a call never answered) failed.
      failed: Math.max(0, attempted - snapshot.sip.byesAnswered),
      rejected: snapshot.sip.rejected,
      gatewayHungUp: snapshot.sip.gatewayByes,
    },
    sipp: sippStats ? { ...sippStats, exitCode: sippExit ?? null } : null,
    plateau: plateauInfo,
    gateway: { cpus: gatewayCpus ?? 'any', idle, plateau: plateauMetrics, peakRssMb: round(peakRss / 2 ** 20) },
    generator: {
      cpus: generatorCpus ?? 'any',
      sippCpuPct: sippCpu,
      tapLoopLagWorstP99Ms: tapStats.length ? Math.max(...tapStats.map((t) => t.loopLagP99Ms)) : null,
      runnerLoopLagWorstP99Ms: runnerLagP99.length ? Math.max(...runnerLagP99) : null,
    },
    eventLoopLag,
    wirePacing: snapshot.pacing,
    wireMeasuredBy,
    gatewayPacing: gatewayPacing(gateway.logs),
    rtpLost: gatewayLoss(gateway.logs, snapshot.calls),
    pinned,
    sockets: socketsBefore !== undefined && socketsAfter !== undefined ? { before: socketsBefore, after: socketsAfter } : null,
    resources: lastResources(gateway.logs),
    reference,
    ratios: reference ? loadRatios(reference, plateauMetrics, snapshot.pacing, eventLoopLag) : null,
  };
}

function loadRatios(ref: ReferenceMetrics, plateau: LoadMetrics['gateway']['plateau'], wire: PacingSummary, lag: LoadMetrics['eventLoopLag']): LoadRatios {
  const ratio = (gw: number | undefined, base: number | undefined): number | null => (gw === undefined || base === undefined || base <= 0 ? null : round(gw / base, 2));
  return {
    cpuPerCall: ratio(plateau?.cpuPctPerCall, ref.cpuPctPerStream),
    wirePacingP99: ratio(wire.packets > 0 ? wire.p99Ms : undefined, ref.wirePacing.packets > 0 ? ref.wirePacing.p99Ms : undefined),
    eventLoopLagP99: ratio(lag?.worstP99Ms, ref.eventLoopLag?.worstP99Ms),
  };
}

function lastResources(logs: GatewayProcess['logs']): Record<string, number> | null {
  const ended = [...logs].reverse().find((l) => l.msg === 'call ended');
  return (ended?.resources as Record<string, number> | undefined) ?? null;
}

function progressText(s: LoadScenario, elapsedMs: number, st: LoadTapStats | undefined, cpuPct: number | undefined, rss: number | undefined, lag: LoopLagSample | undefined): string {
  const parts = [`${s.name} ${Math.round(elapsedMs / 1000)}s`];
  if (st) {
    const done = st.sip.byesAnswered + st.sip.gatewayByes;
    const failed = st.sip.rejected;
    parts.push(`calls ${st.sip.active} up, ${done}/${s.load.calls} done, ${failed} failed`);
  }
  if (cpuPct !== undefined) parts.push(`gateway cpu ${Math.round(cpuPct)}%`);
  if (rss !== undefined) parts.push(`rss ${Math.round(rss / 2 ** 20)} MB`);
  if (lag) parts.push(`loop p99 ${lag.p99Ms.toFixed(1)} ms`);
  if (st?.pacingP99Ms != null) parts.push(`wire p99 ${st.pacingP99Ms.toFixed(1)} ms`);
  return parts.join('  ');
}

