/**
 * Entry point of a lab part inside its container (LAB_BACKEND=containers):
 *
 *   node dist/lab/src/runner/backends/containers/part-main.js <config.json>
 *
 * The config (written by the runner into the scenario's output folder, which is mounted at the same
 * path) names the part: the SIP ALG + media relay (`tap`), the fake Realtime server, the fake Connect
 * API, or the lab's TypeScript caller. A service part prints one `lab-part ready {…}` line with its
 * clock (so the runner can put every time stamp on its own time base), runs until SIGTERM, then
 * writes its records to `snapshotFile` and exits 0. The caller part runs its call and writes the
 * result to `resultFile`. A bad config is one line on stderr and exit 2.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { startFakeConnect } from '../../../fake-connect/index.js';
import { startFakeRealtime } from '../../../fake-realtime/index.js';
import { SipAlg } from '../../../netem/sip-alg.js';
import { LabCaller } from '../../../callers/lab-caller/index.js';
import { encodeSnapshot, decodeSnapshot } from '../snapshot-json.js';
import { READY_PREFIX, type PartConfig, type PartReady, type RealtimeSnapshot, type TapSnapshot } from './part-protocol.js';
import { describeError } from 'connect-realtime-gateway';

/** This process's performance.now() as epoch milliseconds: comparable across processes on one host. */
const absolute = (t: number): number => performance.timeOrigin + t;

function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

function ready(info: Omit<PartReady, 'pid'>): void {
  process.stdout.write(`${READY_PREFIX}${JSON.stringify({ ...info, pid: process.pid })}\n`);
}

/** Runs `snapshot` once on SIGTERM/SIGINT, writes it, then stops the part and exits. */
function onStop(snapshotFile: string, snapshot: () => unknown, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) return;
    stopping = true;
    try {
      writeAtomically(snapshotFile, encodeSnapshot(snapshot()));
    } catch (err) {
      process.stderr.write(`lab-part: cannot write ${snapshotFile}: ${describeError(err)}\n`);
      process.exitCode = 1;
    }
    void stop().finally(() => process.exit());
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}

async function main(configPath: string): Promise<void> {
  const config = decodeSnapshot<PartConfig>(readFileSync(configPath, 'utf8'));
  switch (config.kind) {
    case 'tap': {
      const alg = new SipAlg(config.options);
      await alg.start();
      ready({ kind: 'tap', origin: absolute(alg.origin) });
      onStop(
        config.snapshotFile,
        (): TapSnapshot => ({ sip: alg.records, rtp: [...alg.relays.values()].flatMap((r) => r.records) }),
        () => alg.stop(),
      );
      return;
    }
    case 'fake-realtime': {
      const fake = await startFakeRealtime({ host: config.host, port: config.port, script: config.script, ...(config.recordDir !== undefined ? { recordDir: config.recordDir } : {}) });
      ready({ kind: 'fake-realtime', origin: absolute(fake.epoch), url: fake.url });
      onStop(
        config.snapshotFile,
        (): RealtimeSnapshot => ({
          sessions: fake.sessions.map((s) => ({
            index: s.index,
            id: s.id,
            events: s.events,
            truncates: s.truncates,
            receivedItems: s.receivedItems,
            speechStartedAt: s.speechStartedAt,
            speechStoppedAt: s.speechStoppedAt,
            errorsSent: s.errorsSent,
            deletedItems: s.deletedItems,
            closed: s.closed,
            responses: s.responses,
            deltas: s.deltas,
            inputFormat: s.inputFormat,
            effectiveSession: s.effectiveSession,
            receivedAudio: s.receivedAudioBytes(),
          })),
          connectionAttempts: fake.connectionAttempts,
        }),
        () => fake.close(),
      );
      return;
    }
    case 'fake-connect': {
      const connect = await startFakeConnect({ host: config.host, port: config.port, ...(config.failures ? { failures: config.failures } : {}) });
      ready({ kind: 'fake-connect', origin: absolute(0), url: connect.url });
      onStop(config.snapshotFile, () => connect.requests, () => connect.close());
      return;
    }
    case 'lab-caller': {
      ready({ kind: 'lab-caller', origin: absolute(0) });
      const startedAt = absolute(performance.now());
      const result = await new LabCaller(config.options).run(config.script);
      writeAtomically(config.resultFile, encodeSnapshot({ startedAt, result }));
      return;
    }
  }
}

const configPath = process.argv[2];
if (configPath === undefined) {
  process.stderr.write('lab-part: usage: part-main.js <config.json>\n');
  process.exit(2);
}
main(configPath).catch((err: unknown) => {
  process.stderr.write(`lab-part: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  process.exit(2);
});
