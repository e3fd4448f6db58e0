import { createWriteStream, existsSync, readdirSync, readFileSync, readlinkSync, type WriteStream } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { GATEWAY_NODE_FLAGS } from 'connect-realtime-gateway';
import type { Launcher, ToolProcess } from './backends/backend.js';
import { localLauncher } from './backends/local-launcher.js';

/**
 * Runs the real gateway (compiled JS, as production does) as a child process or in a container (the
 * backend's launcher) and reads its JSON log lines: they are part of the evidence (call summaries,
 * resource snapshots).
 */
export interface GatewayLogLine {
  level: number;
  time: number;
  msg: string;
  callId?: string;
  [key: string]: unknown;
}

export interface GatewayProcessOptions {
  /** Where it runs: a child process (default) or a container. */
  launcher?: Launcher;
  /** Pin the gateway to these CPUs (taskset list), e.g. '0' for load runs. */
  cpus?: string;
  /** Node options before the entry point, after the gateway's own (GATEWAY_NODE_FLAGS), e.g. `--import` of a lab probe. */
  nodeArgs?: string[];
}

/**
 * The gateway's compiled entry point: this checkout's, or with LAB_GATEWAY_BUILD=<another checkout>
 * that one's (built with `make build`), so a before/after comparison runs the same lab, scenarios
 * and fixtures against two gateways. It still runs from this repository's folder.
 */
export function gatewayEntry(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const other = env.LAB_GATEWAY_BUILD;
  if (other === undefined || other === '') return join(root, 'dist/gateway/src/main.js');
  const entry = join(resolve(other), 'dist/gateway/src/main.js');
  if (!existsSync(entry)) throw new Error(`LAB_GATEWAY_BUILD=${other}: no ${entry} (run make build there)`);
  return entry;
}

export class GatewayProcess {
  readonly logs: GatewayLogLine[] = [];
  #proc: ToolProcess | undefined;
  #pid: number | undefined;
  #exitCode: number | null | undefined;
  #logFile!: WriteStream;
  #exit: Promise<number | null> = Promise.resolve(null);
  #waiters: Array<{ match: (l: GatewayLogLine) => boolean; resolve: (l: GatewayLogLine) => void }> = [];
  stderr = '';

  constructor(
    private readonly root: string,
    private readonly env: Record<string, string>,
    private readonly logPath: string,
    private readonly opts: GatewayProcessOptions = {},
  ) {}

  async start(readyTimeoutMs = 10_000): Promise<void> {
    // Appended to: a restarted gateway (operations scenarios) keeps one log file.
    this.#logFile = createWriteStream(this.logPath, { flags: 'a' });
    const launcher = this.opts.launcher ?? localLauncher;
    const proc = await launcher.spawn(launcher.node, [...GATEWAY_NODE_FLAGS, ...(this.opts.nodeArgs ?? []), gatewayEntry(this.root)], {
      cwd: this.root,
      env: { ...labOperationsEnv(this.env, this.logPath), ...this.env },
      name: 'gateway',
      ...(this.opts.cpus !== undefined ? { cpus: this.opts.cpus } : {}),
    });
    this.#proc = proc;
    this.#exit = proc.exited.then((code) => (this.#exitCode = code));
    this.#pid = await proc.hostPid();
    proc.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      this.#logFile.write(d);
    });
    createInterface({ input: proc.stdout }).on('line', (line) => {
      this.#logFile.write(`${line}\n`);
      let parsed: GatewayLogLine;
      try {
        parsed = JSON.parse(line) as GatewayLogLine;
      } catch {
        return;
      }
      this.logs.push(parsed);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(parsed)) return true;
        w.resolve(parsed);
        return false;
      });
    });
    const ready = this.waitFor((l) => l.msg === 'gateway listening', readyTimeoutMs);
    const exited = this.#exit.then((code) => {
      throw new Error(`gateway exited before listening (code ${code}): ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    });
    await Promise.race([ready, exited]);
  }

  /** The gateway's PID on this host (for /proc), also when it runs in a container. */
  get pid(): number | undefined {
    return this.#pid;
  }

  /** The operations HTTP server's base URL, from the 'gateway listening' line. */
  get httpUrl(): string | undefined {
    const listening = this.logs.find((l) => l.msg === 'gateway listening');
    return typeof listening?.http === 'string' ? `http://${listening.http}` : undefined;
  }

  /** Sends a signal (SIGTERM drains, SIGKILL is a crash). */
  kill(signal: 'SIGTERM' | 'SIGKILL' | 'SIGINT'): void {
    if (this.#proc !== undefined && this.#exitCode === undefined) this.#proc.kill(signal);
  }

  /** The exit code (null: killed by a signal), once the process has exited; rejects after `timeoutMs`. */
  async exited(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`gateway still running after ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    try {
      const code = await Promise.race([this.#exit, timeout]);
      await new Promise<void>((resolve) => (this.#logFile.writableEnded ? resolve() : this.#logFile.end(resolve)));
      return code;
    } finally {
      clearTimeout(timer);
    }
  }

  waitFor(match: (l: GatewayLogLine) => boolean, timeoutMs: number): Promise<GatewayLogLine> {
    const found = this.logs.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (l: GatewayLogLine) => (clearTimeout(timer), resolve(l)) };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a gateway log line`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /**
   * Open socket file descriptors of the gateway process (Linux /proc), or undefined elsewhere.
   * TCP connections to `pooledRemotes` (e.g. the AWS SDK's kept-alive connection to the Connect API,
   * reused by every call) are not counted: they belong to the process, not to a call.
   */
  socketCount(pooledRemotes: string[] = []): number | undefined {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    try {
      const pooled = pooledInodes(pid, pooledRemotes);
      return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
        try {
          const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
          return link.startsWith('socket:') && !pooled.has(link.slice('socket:['.length, -1));
        } catch {
          return false;
        }
      }).length;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL after a grace period. Returns the exit code. */
  async stop(graceMs = 5_000): Promise<number | null> {
    const proc = this.#proc;
    if (proc === undefined) return null;
    if (this.#exitCode !== undefined) return this.#exitCode;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    const code = await this.#exit;
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.#logFile.end(resolve));
    return code;
  }
}

/**
 * The operations settings every lab gateway gets unless the caller sets them: the HTTP server on the
 * SIP host with a port the OS picks (read back from the 'gateway listening' line), the call records
 * beside the log file, and a short drain so a run's teardown is quick.
 */
function labOperationsEnv(env: Record<string, string>, logPath: string): Record<string, string> {
  return {
    HTTP_HOST: env.AMAZON_CONNECT_SIP_HOST ?? '127.0.0.1',
    HTTP_PORT: '0',
    RECORDS_PATH: join(dirname(logPath), `${basename(logPath, '.log')}.records.db`),
    DRAIN_TIMEOUT_S: '2',
  };
}

/** Inodes of the process's TCP sockets whose remote address is one of `hosts` (IPv4, /proc/net/tcp). */
function pooledInodes(pid: number, hosts: string[]): Set<string> {
  const wanted = new Set(hosts.map((h) => h.split('.').map((o) => Number(o).toString(16).padStart(2, '0').toUpperCase()).reverse().join('')));
  const inodes = new Set<string>();
  if (wanted.size === 0) return inodes;
  let table: string;
  try {
    table = readFileSync(`/proc/${pid}/net/tcp`, 'utf8');
  } catch {
    return inodes;
  }
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const remote = cols[2]?.split(':')[0];
    const inode = cols[9];
    if (remote !== undefined && inode !== undefined && wanted.has(remote)) inodes.add(inode);
  }
  return inodes;
}
