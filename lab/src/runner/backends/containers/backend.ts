import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { getContainerRuntimeClient, ImageName } from 'testcontainers';
import type { FakeConnectRecord } from '../../../fake-connect/index.js';
import type { FakeRealtimeView, LabBackend, RealtimePart, TapPart, ToolProcess } from '../backend.js';
import { decodeSnapshot, encodeSnapshot } from '../snapshot-json.js';
import { configureTestcontainers, ContainerLauncher } from './launcher.js';
import { probeNetem, type NetemProbe } from './netem-probe.js';
import {
  READY_PREFIX,
  type CallerOutcome,
  type PartConfig,
  type PartReady,
  type RealtimeSnapshot,
  type TapSnapshot,
} from './part-protocol.js';

/** The lab image `make images` builds (lab/containers/images.sh). */
export const LAB_IMAGE = process.env.LAB_IMAGE ?? 'connect-realtime-lab:latest';
const PART_READY_MS = 20_000;
const PART_STOP_MS = 10_000;

export class ContainersUnavailable extends Error {}

/**
 * LAB_BACKEND=containers: the gateway, the tap (SIP ALG + media relay, the impairment point), the
 * fake Realtime server, the fake Connect API and the caller each run in their own container. The
 * service parts run part-main.js and hand their records back as a snapshot when stopped.
 */
export async function containersBackend(root: string): Promise<LabBackend> {
  configureTestcontainers();
  let client;
  try {
    client = await getContainerRuntimeClient();
  } catch (err) {
    throw new ContainersUnavailable(
      `no Docker engine answers (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); start it with lab/containers/engine.sh ensure`,
    );
  }
  if (!(await client.image.exists(ImageName.fromString(LAB_IMAGE)))) {
    throw new ContainersUnavailable(`image ${LAB_IMAGE} is missing; build it with make images`);
  }
  if (!existsSync(join(root, 'dist', 'lab', 'src', 'runner', 'backends', 'containers', 'part-main.js'))) {
    throw new ContainersUnavailable('dist/ is missing; run make build');
  }
  await ContainerLauncher.sweepLeftovers();
  const outRoot = join(root, 'lab', 'out');
  mkdirSync(outRoot, { recursive: true });
  const launcher = new ContainerLauncher({ image: LAB_IMAGE, root, outRoot });
  const netem: NetemProbe = await probeNetem(LAB_IMAGE);
  const partMain = join(root, 'dist', 'lab', 'src', 'runner', 'backends', 'containers', 'part-main.js');
  /** Runner performance.now() of an epoch-ms time from another process on this host. */
  const local = (epochMs: number): number => epochMs - performance.timeOrigin;

  async function startPart(config: PartConfig, outDir: string, name: string): Promise<{ proc: ToolProcess; ready: PartReady }> {
    const dir = join(outDir, 'parts');
    mkdirSync(dir, { recursive: true });
    const configFile = join(dir, `${name}.config.json`);
    writeFileSync(configFile, encodeSnapshot(config));
    const proc = await launcher.spawn(launcher.node, [partMain, configFile], { cwd: root, name, env: {} });
    const log = createWriteStream(join(dir, `${name}.log`));
    let open = 2; // stdout lines and stderr both go to the part's log; it ends after both
    const ended = (): void => void (--open === 0 && log.end());
    proc.stderr.on('data', (d: Buffer) => log.write(d)).once('end', ended);
    createInterface({ input: proc.stdout }).once('close', ended);
    const ready = await new Promise<PartReady>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} container not ready within ${PART_READY_MS} ms`)), PART_READY_MS);
      createInterface({ input: proc.stdout }).on('line', (line) => {
        log.write(`${line}\n`);
        if (line.startsWith(READY_PREFIX)) {
          clearTimeout(timer);
          resolve(JSON.parse(line.slice(READY_PREFIX.length)) as PartReady);
        }
      });
      void proc.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${name} container exited (code ${code}) before it was ready; see ${join(dir, `${name}.log`)}`));
      });
    });
    return { proc, ready };
  }

  /** Stops a service part (it writes its snapshot on SIGTERM) and reads the snapshot, once. */
  function stopper<T>(proc: ToolProcess, snapshotFile: string, name: string): { collect: () => Promise<T>; stop: () => Promise<void> } {
    let collected: Promise<T> | undefined;
    const collect = (): Promise<T> => {
      collected ??= (async () => {
        proc.kill('SIGTERM');
        const code = await Promise.race([proc.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), PART_STOP_MS))]);
        if (code === 'timeout') {
          proc.kill('SIGKILL');
          throw new Error(`${name} container did not stop within ${PART_STOP_MS} ms`);
        }
        if (!existsSync(snapshotFile)) throw new Error(`${name} container exited (code ${code}) without its records`);
        return decodeSnapshot<T>(readFileSync(snapshotFile, 'utf8'));
      })();
      return collected;
    };
    return { collect, stop: async () => void (await collect().catch(() => undefined)) };
  }

  return {
    name: 'containers',
    launcher,
    async startTap(options, outDir): Promise<TapPart> {
      const snapshotFile = join(outDir, 'parts', 'tap.snapshot.json');
      const { proc, ready } = await startPart({ kind: 'tap', options, snapshotFile }, outDir, 'tap');
      return { address: { address: options.host, port: options.port }, origin: local(ready.origin), ...stopper<TapSnapshot>(proc, snapshotFile, 'tap') };
    },
    async startFakeRealtime(opts, outDir): Promise<RealtimePart> {
      const snapshotFile = join(outDir, 'parts', 'fake-realtime.snapshot.json');
      const { proc, ready } = await startPart({ kind: 'fake-realtime', ...opts, snapshotFile }, outDir, 'fake-realtime');
      const epoch = local(ready.origin);
      const { collect, stop } = stopper<RealtimeSnapshot>(proc, snapshotFile, 'fake-realtime');
      return {
        url: ready.url ?? '',
        epoch,
        stop,
        collect: async (): Promise<FakeRealtimeView> => {
          const snap = await collect();
          return {
            epoch,
            connectionAttempts: snap.connectionAttempts,
            sessions: snap.sessions.map(({ receivedAudio, ...s }) => ({ ...s, receivedAudioBytes: () => receivedAudio })),
          };
        },
      };
    },
    async startFakeConnect(opts, outDir) {
      const snapshotFile = join(outDir, 'parts', 'fake-connect.snapshot.json');
      const { proc, ready } = await startPart({ kind: 'fake-connect', ...opts, snapshotFile }, outDir, 'fake-connect');
      return { url: ready.url ?? '', ...stopper<readonly FakeConnectRecord[]>(proc, snapshotFile, 'fake-connect') };
    },
    async runLabCaller(options, script, outDir) {
      const resultFile = join(outDir, 'parts', 'lab-caller.result.json');
      const { proc } = await startPart({ kind: 'lab-caller', options, script, resultFile }, outDir, 'lab-caller');
      const code = await proc.exited;
      if (!existsSync(resultFile)) throw new Error(`lab-caller container exited (code ${code}) without a result; see ${join(outDir, 'parts', 'lab-caller.log')}`);
      const outcome = decodeSnapshot<CallerOutcome>(readFileSync(resultFile, 'utf8'));
      return { result: outcome.result, startedAt: local(outcome.startedAt) };
    },
    describe: () => ({ image: LAB_IMAGE, netem: netem.available ? 'available' : `unavailable (${netem.reason})` }),
    close: () => launcher.removeAll(),
  };
}
