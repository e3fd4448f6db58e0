/**
 * Runs an operations scenario: gateway processes on their own loopback addresses (127.0.0.1, .7, .8,
 * .9), optionally Kamailio's dispatcher in front of them (127.0.0.6), the fake Realtime (127.0.0.4)
 * and fake Connect API (127.0.0.5) shared by all, and batches of lab callers (127.0.0.3) placing calls
 * to the entry point while the steps signal, restart and question the processes. After the run the
 * gateways' call records are read through their HTTP API (GET /calls) and everything is checked.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabCaller, parseLabScript, type LabCallerResult } from '../../callers/lab-caller/index.js';
import { startFakeConnect } from '../../fake-connect/index.js';
import { startFakeRealtime } from '../../fake-realtime/index.js';
import { GatewayProcess, type GatewayLogLine } from '../gateway-process.js';
import { labGatewayEnv } from '../lab-gateway-env.js';
import { freePort } from '../ports.js';
import { scenarioPage } from '../../report/scenario-page.js';
import { writeReport, type ScenarioReport } from '../report.js';
import { KamailioProcess } from './kamailio-process.js';
import { runOpsCheck } from './ops-checks.js';
import type { CallEvidence, GatewayEvidence, OpsEvidence, StepEvidence } from './ops-evidence.js';
import { opsFakeScript, type CallBatch, type OpsScenario, type OpsStep } from './ops-scenario.js';
import { sipProbe } from './sip-probe.js';
import { describeError } from 'connect-realtime-gateway';

export const OPS_HOSTS = {
  gateways: ['127.0.0.1', '127.0.0.7', '127.0.0.8', '127.0.0.9'],
  kamailio: '127.0.0.6',
  caller: '127.0.0.3',
  realtime: '127.0.0.4',
  connect: '127.0.0.5',
} as const;

/** Bearer token of the lab gateways' records API. */
export const LAB_RECORDS_TOKEN = 'lab-records-token-0123456789abcdef';
const SETTLE_MS = 1_500;

interface GatewaySlot {
  index: number;
  host: string;
  sipPort: number;
  env: Record<string, string>;
  runs: Array<{ process: GatewayProcess; startedAt: number; exitedAt?: number; exitCode?: number | null }>;
}

export async function runOpsScenario(root: string, s: OpsScenario): Promise<ScenarioReport> {
  const outDir = join(root, 'lab', 'out', s.name);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const report: ScenarioReport = { name: s.name, passed: false, checks: [], metrics: {}, outDir };
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`scenario timed out after ${s.timeoutS} s`)), s.timeoutS * 1000)));
    cleanups.push(async () => clearTimeout(timer));
    const evidence = await Promise.race([execute(root, s, outDir, cleanups), timeout]);
    report.checks = s.expect.map((c) => runOpsCheck(c, evidence));
    report.metrics = opsMetrics(evidence);
    report.passed = report.checks.every((c) => c.passed);
    writeFileSync(join(outDir, 'evidence.json'), `${JSON.stringify({ ...evidence, gateways: evidence.gateways.map((g) => ({ ...g, logs: undefined })) }, null, 2)}\n`);
  } catch (err) {
    report.error = describeError(err);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
  writeReport(outDir, report);
  // The same page as a call scenario's (no audio, so no pictures): the catalogue's index links to it.
  writeFileSync(join(outDir, 'report.html'), scenarioPage(report, { description: s.description.trim() }));
  return report;
}

async function execute(root: string, s: OpsScenario, outDir: string, cleanups: Array<() => Promise<unknown>>): Promise<OpsEvidence> {
  const ops = s.operations;
  const origin = performance.now();
  const now = () => performance.now() - origin;
  const fake = await startFakeRealtime({ host: OPS_HOSTS.realtime, port: 0, script: opsFakeScript(s, root), recordDir: join(outDir, 'realtime') });
  cleanups.push(() => fake.close());
  const connect = await startFakeConnect({ host: OPS_HOSTS.connect, port: 0, failures: s.connect });
  cleanups.push(() => connect.close());

  const slots: GatewaySlot[] = [];
  for (let i = 0; i < ops.gateways; i++) {
    const host = OPS_HOSTS.gateways[i];
    if (host === undefined) throw new Error(`no loopback address for gateway ${i}`);
    const sipPort = await freePort(host);
    const env: Record<string, string> = {
      ...labGatewayEnv({ host, sipPort, rtpPorts: { min: 31_000 + i * 1_000, max: 31_999 + i * 1_000 }, realtimeUrl: fake.url, connectUrl: connect.url }),
      HTTP_HOST: host,
      HTTP_PORT: '0',
      HTTP_API_TOKEN: LAB_RECORDS_TOKEN,
      RECORDS_PATH: join(outDir, `gateway-${i}.records.db`),
      ...ops.env,
    };
    const slot: GatewaySlot = { index: i, host, sipPort, env, runs: [] };
    slots.push(slot);
    await startRun(root, outDir, slot, now);
  }
  cleanups.push(async () => {
    for (const slot of slots) await slot.runs.at(-1)?.process.stop();
  });

  let kamailio: KamailioProcess | undefined;
  const first = slotOf(slots, 0);
  let entry = { address: first.host, port: first.sipPort };
  if (ops.kamailio) {
    const port = await freePort(OPS_HOSTS.kamailio);
    const dir = join(outDir, 'kamailio');
    mkdirSync(dir, { recursive: true });
    const k = new KamailioProcess({ root, dir, address: OPS_HOSTS.kamailio, port, gateways: slots.map((g) => `${g.host}:${g.sipPort}`), pingIntervalS: ops.pingIntervalS, origin });
    kamailio = k;
    cleanups.push(() => k.stop());
    await k.start();
    await waitUntil(async () => (await k.dispatcher()).every((t) => t.flags.startsWith('A')), 10_000, 'Kamailio to see every gateway active');
    entry = { address: OPS_HOSTS.kamailio, port };
  }

  const begin = now();
  const steps: StepEvidence[] = [];
  const stepRuns = ops.steps.map((step, i) =>
    sleepUntil(origin, begin + step.atMs).then(async () => {
      const t = now();
      const outcome = await doStep(root, outDir, step, slots, entry, now);
      steps[i] = { index: i, do: step.do, t, ...outcome };
    }),
  );
  const calls: CallEvidence[] = [];
  const callRuns = ops.calls.flatMap((batch, b) =>
    Array.from({ length: batch.count }, (_, n) =>
      sleepUntil(origin, begin + batch.startMs + n * batch.spacingMs).then(async () => {
        calls.push(await placeCall(root, batch, b, n, entry, now));
      }),
    ),
  );
  await Promise.all([...stepRuns, ...callRuns]);
  await new Promise((r) => setTimeout(r, SETTLE_MS));

  const gateways: GatewayEvidence[] = [];
  for (const slot of slots) {
    const live = slot.runs.at(-1);
    const logs: GatewayLogLine[] = slot.runs.flatMap((r) => r.process.logs);
    const records = live && live.exitedAt === undefined ? await fetchRecords(live.process) : undefined;
    gateways.push({
      index: slot.index,
      host: slot.host,
      runs: slot.runs.map((r) => ({ startedAt: r.startedAt, ...(r.exitedAt !== undefined ? { exitedAt: r.exitedAt, exitCode: r.exitCode ?? null } : {}) })),
      logs,
      ...(records ? { records } : {}),
    });
  }
  for (const c of calls) {
    const served = gateways.find((g) => g.logs.some((l) => l.msg === 'call offered' && l.callId === c.callId));
    if (served) c.servedBy = served.index;
  }
  const wallAtOrigin = Date.now() - now();
  const fakeOffset = fake.epoch - origin;
  return {
    calls: calls.sort((a, b) => a.startedAt - b.startedAt),
    steps,
    gateways,
    connect: connect.requests.map((r) => ({ t: r.at - wallAtOrigin, status: r.status, contactId: r.body?.InitialContactId, attributes: r.body?.Attributes ?? {} })),
    dispatcher: kamailio?.samples ?? [],
    realtimeTranscripts: fake.sessions.flatMap((session) =>
      session.events
        .filter((e) => e.dir === 'out' && (e.event.type === 'response.output_audio_transcript.done' || e.event.type === 'conversation.item.input_audio_transcription.completed'))
        .map((e) => ({ t: e.t + fakeOffset, text: String(e.event.transcript ?? '').trim() })),
    ),
    gatewayAddresses: slots.map((g) => `${g.host}:${g.sipPort}`),
  };
}

/** The scenario's gateway `i` (the schema bounds indexes by the gateway count). */
function slotOf(slots: GatewaySlot[], i: number): GatewaySlot {
  const slot = slots[i];
  if (slot === undefined) throw new Error(`the scenario has no gateway ${i}`);
  return slot;
}

/** Gateway `i`'s latest process run. */
function currentRun(slots: GatewaySlot[], i: number): GatewaySlot['runs'][number] {
  const run = slotOf(slots, i).runs.at(-1);
  if (run === undefined) throw new Error(`gateway ${i} was never started`);
  return run;
}

async function startRun(root: string, outDir: string, slot: GatewaySlot, now: () => number): Promise<void> {
  const gw = new GatewayProcess(root, slot.env, join(outDir, `gateway-${slot.index}.log`));
  const run: GatewaySlot['runs'][number] = { process: gw, startedAt: now() };
  slot.runs.push(run);
  await gw.start(15_000);
  void gw.exited(24 * 3_600_000).then(
    (code) => {
      run.exitedAt = now();
      run.exitCode = code;
    },
    () => undefined,
  );
}

async function doStep(
  root: string,
  outDir: string,
  step: OpsStep,
  slots: GatewaySlot[],
  entry: { address: string; port: number },
  now: () => number,
): Promise<Omit<StepEvidence, 'index' | 'do' | 't'>> {
  switch (step.do) {
    case 'signal':
      currentRun(slots, step.gateway).process.kill(step.signal);
      return { gateway: step.gateway, signal: step.signal };
    case 'restart': {
      const slot = slotOf(slots, step.gateway);
      const last = currentRun(slots, step.gateway);
      await last.process.exited(60_000);
      last.exitedAt ??= now();
      await startRun(root, outDir, slot, now);
      return { gateway: step.gateway, restartedAt: now() };
    }
    case 'probe': {
      const target = step.gateway === undefined ? undefined : slotOf(slots, step.gateway);
      const to = target === undefined ? entry : { address: target.host, port: target.sipPort };
      const result = await sipProbe({ method: step.method, from: OPS_HOSTS.caller, to });
      return { method: step.method, ...(step.gateway !== undefined ? { gateway: step.gateway } : {}), probe: result };
    }
    case 'health': {
      const url = currentRun(slots, step.gateway).process.httpUrl;
      if (url === undefined) return { gateway: step.gateway, health: { status: undefined, body: 'no HTTP address in the gateway log' } };
      try {
        const res = await fetch(`${url}/amazon-connect/health`, { signal: AbortSignal.timeout(3_000) });
        return { gateway: step.gateway, health: { status: res.status, body: await res.text() } };
      } catch (err) {
        return { gateway: step.gateway, health: { status: undefined, body: describeError(err) } };
      }
    }
  }
}

async function placeCall(root: string, batch: CallBatch, b: number, n: number, entry: { address: string; port: number }, now: () => number): Promise<CallEvidence> {
  const number = String(n).padStart(4, '0');
  const headers = Object.entries(batch.headers).map(([name, value]) => [name, value.replaceAll('{n}', number)] as [string, string]);
  const caller = new LabCaller({
    transport: 'udp',
    target: { host: entry.address, port: entry.port },
    localAddress: OPS_HOSTS.caller,
    fromUser: `+1555010${number}`,
    toUser: '+15550199',
    extraHeaders: headers,
    answerTimeoutMs: 15_000,
    // The same Call-IDs every run, so a dispatcher hashing on them splits the calls the same way; hex
    // like a connector's, because Kamailio's Call-ID hash sums 4-byte words: ids differing only in a
    // counter (ops-b0-0000, ops-b0-0001, …) all land on one gateway of two.
    callId: `${createHash('sha256').update(`ops-b${b}-${number}`).digest('hex').slice(0, 32)}@${OPS_HOSTS.caller}`,
    maxCallMs: batch.hangupAfterMs + 30_000,
  });
  const script = parseLabScript([
    { at: batch.leadInMs, action: { speak: join(root, batch.audio) } },
    { at: batch.hangupAfterMs, action: { bye: true } },
  ]);
  const startedAt = now();
  let result: LabCallerResult;
  try {
    result = await caller.run(script);
  } catch (err) {
    return { batch: b, n, startedAt, callId: '', finalStatus: undefined, answered: false, endedBy: 'none', notes: [describeError(err)] };
  }
  const bye = result.sip.find((r) => r.dir === 'in' && r.text.startsWith('BYE '));
  const reason = bye ? /^Reason:\s*(.+)$/im.exec(bye.text)?.[1]?.trim() : undefined;
  const contactId = headers.find(([name]) => name.toLowerCase() === 'x-amzn-connectinitialcontactid' || name.toLowerCase() === 'x-amzn-connectcontactid')?.[1];
  return {
    batch: b,
    n,
    startedAt,
    callId: result.callId,
    ...(contactId ? { contactId } : {}),
    finalStatus: result.finalStatus,
    answered: result.answered,
    endedBy: result.endReason === 'bye-received' ? 'gateway' : result.endReason === 'bye-sent' ? 'caller' : 'none',
    endReason: result.endReason,
    ...(bye ? { gatewayByeAt: startedAt + bye.t } : {}),
    ...(reason ? { byeReason: reason } : {}),
    notes: result.notes,
  };
}

/** The gateway's call records, full, through its HTTP API (as an operator reads them). */
async function fetchRecords(gw: GatewayProcess): Promise<unknown[]> {
  const url = gw.httpUrl;
  if (url === undefined) return [];
  const auth = { headers: { authorization: `Bearer ${LAB_RECORDS_TOKEN}` }, signal: AbortSignal.timeout(5_000) };
  const list = (await (await fetch(`${url}/calls?limit=500`, auth)).json()) as { calls: Array<{ id: string }> };
  const out: unknown[] = [];
  for (const c of list.calls) out.push(await (await fetch(`${url}/calls/${encodeURIComponent(c.id)}`, { ...auth, signal: AbortSignal.timeout(5_000) })).json());
  return out;
}

function opsMetrics(ev: OpsEvidence): Record<string, unknown> {
  const answered = ev.calls.filter((c) => c.answered).length;
  return {
    callsPlaced: ev.calls.length,
    callsAnswered: answered,
    callsEndedByGateway: ev.calls.filter((c) => c.endedBy === 'gateway').length,
    connectUpdates: ev.connect.length,
    gatewayExits: ev.gateways.map((g) => g.runs.map((r) => (r.exitedAt !== undefined ? { exitCode: r.exitCode, atMs: Math.round(r.exitedAt) } : 'running'))),
    steps: ev.steps.map((s) => ({ do: s.do, atMs: Math.round(s.t), ...(s.probe ? { status: s.probe.status, ms: s.probe.ms } : {}), ...(s.health ? { status: s.health.status } : {}) })),
  };
}

function sleepUntil(origin: number, labMs: number): Promise<void> {
  const wait = origin + labMs - performance.now();
  return new Promise((r) => setTimeout(r, Math.max(0, wait)));
}

async function waitUntil(test: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      if (await test()) return;
    } catch {
      // not yet
    }
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
