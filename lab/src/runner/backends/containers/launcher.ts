import { PassThrough } from 'node:stream';
import { GenericContainer, getContainerRuntimeClient, type ContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import type { Launcher, SpawnOptions, ToolProcess } from '../backend.js';

/**
 * testcontainers' settings for the lab's engine, set before its first use: its reaper image cannot
 * be pulled (no registry), so removeAll() and sweepLeftovers() clean up instead; and the engine may
 * run without a bridge network, where testcontainers' own look-up of the Docker host fails — every
 * lab container uses host networking, so the host is this machine's loopback.
 */
export function configureTestcontainers(): void {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
}

/** Label on every container the lab starts: the runner's PID, so leftovers of a dead runner can go. */
export const RUNNER_LABEL = 'connect-realtime-lab.runner';

/**
 * Each tool in its own container of the lab image, started through testcontainers: host networking
 * (the same 127.0.0.x addresses as the local backend), the repository bind-mounted read-only at its
 * own path and the lab's output folder read-write, so every path means the same inside and out.
 * Containers are not removed when their program ends (their logs and exit code are read first);
 * `removeAll()` removes them, and `sweepLeftovers()` removes those of runners that died.
 */
export class ContainerLauncher implements Launcher {
  readonly node = 'node';
  readonly #image: string;
  readonly #root: string;
  readonly #outRoot: string;
  readonly #started: StartedTestContainer[] = [];
  #count = 0;

  constructor(opts: { image: string; root: string; outRoot: string }) {
    this.#image = opts.image;
    this.#root = opts.root;
    this.#outRoot = opts.outRoot;
  }

  async spawn(command: string, args: readonly string[], opts: SpawnOptions): Promise<ToolProcess> {
    const cmd = opts.cpus === undefined ? [command, ...args] : ['taskset', '-c', opts.cpus, command, ...args];
    const name = `lab-${opts.name}-${process.pid}-${++this.#count}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
    const started = await new GenericContainer(this.#image)
      .withName(name)
      .withNetworkMode('host')
      .withBindMounts([
        { source: this.#root, target: this.#root, mode: 'ro' },
        { source: this.#outRoot, target: this.#outRoot, mode: 'rw' },
      ])
      .withWorkingDir(opts.cwd)
      .withEnvironment(opts.env ?? {})
      .withLabels({ [RUNNER_LABEL]: String(process.pid) })
      .withCommand(cmd)
      .start();
    this.#started.push(started);
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(started.getId());
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const logs = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
    container.modem.demuxStream(logs, stdout, stderr);
    logs.on('end', () => {
      stdout.end();
      stderr.end();
    });
    const exited = container.wait().then(
      (r: { StatusCode: number }) => r.StatusCode,
      () => null,
    );
    return {
      stdout,
      stderr,
      exited,
      startError: Promise.resolve(undefined),
      hostPid: async () => hostPid(container),
      kill: (signal) => {
        container.kill({ signal }).catch(() => undefined); // already gone
      },
    };
  }

  /** Removes every container this launcher started (stopped ones included). */
  async removeAll(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await Promise.all(
      this.#started.splice(0).map((c) => client.container.getById(c.getId()).remove({ force: true }).catch(() => undefined)),
    );
  }

  /** Removes lab containers whose runner process no longer exists (a runner killed mid-scenario). */
  static async sweepLeftovers(): Promise<number> {
    const client = await getContainerRuntimeClient();
    const all = await client.container.dockerode.listContainers({ all: true, filters: { label: [RUNNER_LABEL] } });
    const dead = all.filter((c) => {
      const pid = Number(c.Labels?.[RUNNER_LABEL]);
      return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid);
    });
    await Promise.all(dead.map((c) => client.container.getById(c.Id).remove({ force: true }).catch(() => undefined)));
    return dead.length;
  }
}

type DockerContainer = ReturnType<ContainerRuntimeClient['container']['getById']>;

async function hostPid(container: DockerContainer): Promise<number | undefined> {
  try {
    const pid = (await container.inspect()).State.Pid;
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
