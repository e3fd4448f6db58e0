import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, Downsampler24to8, g711Codec } from 'connect-realtime-gateway';
import { readWav } from '../callers/wav.js';
import type { FakeScript } from '../fake-realtime/index.js';
import type { FakeRealtimeView, LabBackend } from './backends/backend.js';
import { localBackend } from './backends/local.js';
import { runCheck } from './checks/index.js';
import { rtpPackets } from './checks/wire.js';
import type { Evidence, RealtimeEvidence } from './evidence.js';
import { GatewayProcess } from './gateway-process.js';
import { labGatewayEnv } from './lab-gateway-env.js';
import { fakeScriptOf } from './load-scenario.js';
import { freePort } from './ports.js';
import { writeReport, type ScenarioReport } from './report.js';
import type { Scenario } from './scenario-schema.js';
import { runLabCaller } from './caller-lab.js';
import { runSippCaller } from './caller-sipp.js';
import { runBaresipCaller } from './caller-baresip.js';
import { makeLabCertificate } from './lab-certificate.js';
import { assessQuality, writeScenarioPage } from './quality-stage.js';
import type { QualitySignals } from '../quality/call-quality.js';

/**
 * Every part on this machine's loopback, each on its own address so the wire records read like a
 * network trace — gateway 127.0.0.1, SIP ALG + media relay 127.0.0.2, caller 127.0.0.3, fake Realtime
 * 127.0.0.4, fake Amazon Connect API 127.0.0.5 — as processes here or in containers with host
 * networking (the backend, LAB_BACKEND).
 */
export const HOSTS = { gateway: '127.0.0.1', alg: '127.0.0.2', caller: '127.0.0.3', realtime: '127.0.0.4', connect: '127.0.0.5' } as const;

const SETTLE_MS = 1_500;

export async function runScenario(root: string, scenario: Scenario, backend: LabBackend = localBackend()): Promise<ScenarioReport> {
  const outDir = join(root, 'lab', 'out', scenario.name);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const cleanups: Array<() => Promise<unknown>> = [];
  const report: ScenarioReport = { name: scenario.name, passed: false, checks: [], metrics: {}, outDir, seed: scenario.network.seed };
  const started = performance.now();
  let signals: QualitySignals | undefined;
  try {
    const run = execute(root, scenario, outDir, cleanups, backend);
    const timeout = new Promise<never>((_, reject) => {
      const t = setTimeout(() => reject(new Error(`scenario timed out after ${scenario.timeoutS} s`)), scenario.timeoutS * 1000);
      cleanups.push(async () => clearTimeout(t));
    });
    const { evidence, metrics } = await Promise.race([run, timeout]);
    report.checks = scenario.expect.map((spec) => runCheck(spec, evidence));
    const quality = assessQuality(root, scenario, evidence, outDir);
    report.quality = quality.quality;
    report.checks.push(...quality.checks);
    signals = quality.signals;
    report.metrics = metrics;
    report.passed = report.checks.every((c) => c.passed);
  } catch (err) {
    report.error = describeError(err);
    report.passed = false;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
  report.durationMs = Math.round(performance.now() - started);
  writeReport(outDir, report);
  writeScenarioPage(outDir, report, scenario, signals);
  return report;
}

async function execute(
  root: string,
  scenario: Scenario,
  outDir: string,
  cleanups: Array<() => Promise<unknown>>,
  backend: LabBackend,
): Promise<{ evidence: Evidence; metrics: Record<string, unknown> }> {
  const gatewaySip = await freePort(HOSTS.gateway);
  const alg = await backend.startTap({
    host: HOSTS.alg,
    port: await freePort(HOSTS.alg),
    gateway: { address: HOSTS.gateway, port: gatewaySip },
    impairment: { ...(scenario.network.toGateway ? { toGateway: scenario.network.toGateway } : {}), ...(scenario.network.toCaller ? { toCaller: scenario.network.toCaller } : {}) },
    seed: scenario.network.seed,
    ...(scenario.network.echo ? { echo: scenario.network.echo } : {}),
  }, outDir);
  cleanups.push(() => alg.stop());

  const script = fakeScriptOf(scenario, root);
  const fake = await backend.startFakeRealtime({ host: HOSTS.realtime, port: 0, script, recordDir: join(outDir, 'realtime') }, outDir);
  cleanups.push(() => fake.stop());
  // The fake stamps events relative to its own start on the system clock (performance.now()).
  const fakeOffset = fake.epoch - alg.origin;

  const connect = await backend.startFakeConnect({ host: HOSTS.connect, port: 0, failures: scenario.connect }, outDir);
  cleanups.push(() => connect.stop());
  const tls = scenario.caller.tool === 'lab' && scenario.caller.transport === 'tls' ? makeLabCertificate(outDir) : undefined;
  const tlsPort = tls ? await freePort(HOSTS.gateway) : undefined;
  const gateway = new GatewayProcess(
    root,
    {
      ...labGatewayEnv({ host: HOSTS.gateway, sipPort: gatewaySip, rtpPorts: { min: 30_000, max: 30_999 }, realtimeUrl: fake.url, connectUrl: connect.url }),
      ...(tls && tlsPort
        ? { SIP_TRANSPORTS: 'udp,tcp,tls', SIP_TLS_PORT: String(tlsPort), SIP_TLS_CERT_FILE: tls.certFile, SIP_TLS_KEY_FILE: tls.keyFile }
        : {}),
      ...(scenario.caller.tool === 'lab' && scenario.caller.srtp === 'sdes' ? { SRTP: 'required' } : {}),
      ...scenario.gateway.env,
    },
    join(outDir, 'gateway.log'),
    { launcher: backend.launcher },
  );
  await gateway.start();
  cleanups.push(() => gateway.stop());

  const socketsBefore = gateway.socketCount([HOSTS.connect]);
  const caller =
    scenario.caller.tool === 'sipp'
      ? await runSippCaller({
          root,
          outDir,
          caller: scenario.caller,
          tap: alg.address,
          gateway: { address: HOSTS.gateway, port: gatewaySip },
          callerHost: HOSTS.caller,
          timeoutS: Math.max(5, scenario.timeoutS - 10),
          launcher: backend.launcher,
        })
      : scenario.caller.tool === 'baresip'
      ? await runBaresipCaller({
          root,
          outDir,
          caller: scenario.caller,
          tap: alg.address,
          callerHost: HOSTS.caller,
          launcher: backend.launcher,
          timeoutS: Math.max(5, scenario.timeoutS - 10),
        })
      : await runLabCaller({
          root,
          caller: scenario.caller,
          gateway: { address: HOSTS.gateway, port: scenario.caller.transport === 'tls' && tlsPort ? tlsPort : gatewaySip },
          callerHost: HOSTS.caller,
          ...(tls ? { ca: tls.cert } : {}),
          origin: alg.origin,
          backend,
          outDir,
        });
  // Let teardown finish (BYE transaction, Realtime close, "call ended" summary).
  await gateway.waitFor((l) => l.msg === 'call ended', SETTLE_MS * 4).catch(() => undefined);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const socketsAfter = gateway.socketCount([HOSTS.connect]);

  const tapRecords = await alg.collect();
  const fakeView = await fake.collect();
  const connectRequests = await connect.collect();
  const realtime = realtimeEvidence(fakeView, fakeOffset, script);
  // Wall-clock stamps (the fake Connect's) onto the lab time base.
  const wallAtOrigin = Date.now() - (performance.now() - alg.origin);
  const evidence: Evidence = {
    root,
    caller: caller.summary,
    sip: [...tapRecords.sip, ...caller.sip].sort((a, b) => a.t - b.t),
    rtp: [...tapRecords.rtp, ...caller.rtp],
    realtime,
    connect: connectRequests.map((r) => ({
      t: r.at - wallAtOrigin,
      status: r.status,
      ...(r.body?.InstanceId === undefined ? {} : { instanceId: r.body.InstanceId }),
      attributes: r.body?.Attributes ?? {},
    })),
    gateway: { logs: gateway.logs, ...(socketsBefore !== undefined ? { socketsBefore } : {}), ...(socketsAfter !== undefined ? { socketsAfter } : {}) },
  };
  writeFileSync(join(outDir, 'wire.jsonl'), evidence.rtp.map((r) => JSON.stringify({ ...r, payload: undefined, rtcpPacket: r.rtcpPacket?.toString('hex') })).join('\n'));
  writeFileSync(join(outDir, 'sip.log'), evidence.sip.map((r) => `--- ${r.t.toFixed(1)} ms ${r.dir}\n${r.raw}`).join('\n'));
  const metrics = {
    callerPacketsSent: caller.summary.sentPackets,
    rtpToGateway: rtpPackets(evidence.rtp, 'toGateway').length,
    rtpToCaller: rtpPackets(evidence.rtp, 'toCaller').length,
    realtimeReceivedBytes: realtime.receivedAudio.length,
    realtimeSessions: fakeView.sessions.length,
    speechStartedAt: realtime.speechStartedAt,
    callerExit: caller.summary.exitCode,
    callEnded: gateway.logs.find((l) => l.msg === 'call ended')?.reason ?? null,
    agentLatencyMs: agentLatency(fakeView, fakeOffset, evidence),
    ...(backend.name === 'local' ? {} : { backend: { name: backend.name, ...backend.describe() } }),
  };
  return { evidence, metrics };
}

function turnWav(script: FakeScript, turnNumber: number): Int16Array | undefined {
  const turns = script.turns;
  const source = turns.length ? turns[(turnNumber - 1) % turns.length]?.audio : undefined;
  return source && 'wav' in source ? readWav(source.wav).samples : undefined;
}

/** 24 kHz little-endian PCM16 back to 8 kHz with the gateway's own anti-aliasing downsampler. */
function pcm24kTo8k(bytes: Buffer): Int16Array {
  const input = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < input.length; i++) input[i] = bytes.readInt16LE(2 * i);
  const out = new Int16Array(Math.ceil(input.length / 3) + 160);
  const n = new Downsampler24to8().process(input, out);
  return out.subarray(0, n);
}

/** The G.711 bytes the fake sends for a turn (same encoder, same samples), for byte-exact checks. */
function expectedAgentAudio(script: FakeScript, turnNumber: number, format: string, item = 0): Buffer {
  const turns = script.turns;
  const turn = turns.length ? turns[(turnNumber - 1) % turns.length] : undefined;
  const source = item === 0 ? turn?.audio : turn?.moreItems?.[item - 1]?.audio;
  if (!source || !('wav' in source) || (format !== 'pcmu' && format !== 'pcma')) return Buffer.alloc(0);
  const { samples } = readWav(source.wav);
  const out = Buffer.alloc(samples.length);
  g711Codec(format === 'pcmu' ? 'PCMU' : 'PCMA').encode(samples, out);
  return out;
}

function realtimeEvidence(fake: FakeRealtimeView, offset: number, script: FakeScript): RealtimeEvidence {
  const sessions = fake.sessions;
  const pcm16 = sessions.some((s) => s.inputFormat === 'pcm16');
  return {
    sentReference8k: sessions.flatMap((s) =>
      s.responses.filter((r) => r.itemId !== undefined).map((r) => turnWav(script, r.turnNumber)).filter((x): x is Int16Array => x !== undefined),
    ),
    ...(pcm16 ? { receivedPcm8k: pcm24kTo8k(Buffer.concat(sessions.map((s) => Buffer.from(s.receivedAudioBytes())))) } : {}),
    receivedAudio: Buffer.concat(sessions.map((s) => Buffer.from(s.receivedAudioBytes()))),
    // Every audio item the fake streamed (several per response with moreItems), with the fixture it came from.
    sentAudio: sessions.flatMap((s) =>
      s.responses.flatMap((r) =>
        r.itemIds.flatMap((itemId, k) => {
          const first = s.deltas.find((d) => d.itemId === itemId);
          return first === undefined ? [] : [{ itemId, bytes: expectedAgentAudio(script, r.turnNumber, s.inputFormat, k), firstDeltaAt: first.t + offset }];
        }),
      ),
    ),
    speechStartedAt: sessions.flatMap((s) => s.speechStartedAt.map((t) => t + offset)),
    functionCallsAt: sessions.flatMap((s) => s.events.filter((e) => e.dir === 'out' && e.event.type === 'response.function_call_arguments.done').map((e) => e.t + offset)),
    connections: sessions.map((s) => ({
      openedAt: (s.events[0]?.t ?? 0) + offset,
      ...(s.closed ? { closedAt: s.closed.t + offset, closeCode: s.closed.code } : {}),
    })),
    clientEvents: sessions.flatMap((s) => s.events.filter((e) => e.dir === 'in').map((e) => ({ t: e.t + offset, type: String(e.event.type), event: e.event, session: s.index }))),
    errorsSent: sessions.flatMap((s) => s.errorsSent.map((e) => ({ ...e, t: e.t + offset, session: s.index }))),
    responses: sessions.flatMap((s) => s.responses.map((r) => ({ id: r.id, turnNumber: r.turnNumber, kind: r.kind, ...(r.status === undefined ? {} : { status: r.status }), itemIds: [...r.itemIds] }))),
    truncates: sessions.flatMap((s) => s.truncates.map((tr) => ({ t: tr.t + offset, itemId: tr.itemId, audioEndMs: tr.audioEndMs, accepted: tr.accepted, ...(tr.error === undefined ? {} : { error: tr.error }) }))),
    deletedItems: sessions.flatMap((s) => s.deletedItems),
    itemAudioMs: itemAudioMs(sessions),
  };
}

/** ms of audio the fake sent per agent item, all sessions. */
function itemAudioMs(sessions: FakeRealtimeView['sessions']): Record<string, number> {
  const ms: Record<string, number> = {};
  for (const s of sessions) for (const d of s.deltas) ms[d.itemId] = (ms[d.itemId] ?? 0) + d.ms;
  return ms;
}

/** End of the caller's first utterance (speech_stopped at the fake) to the first agent audio on the wire. */
function agentLatency(fake: FakeRealtimeView, offset: number, ev: Evidence): number | undefined {
  const stopped = fake.sessions[0]?.speechStoppedAt[0];
  if (stopped === undefined) return undefined;
  const at = stopped + offset;
  const first = rtpPackets(ev.rtp, 'toCaller').find((r) => r.t > at && r.payload && r.payload.some((b) => b !== r.payload![0]));
  return first ? Math.round(first.t - at) : undefined;
}
