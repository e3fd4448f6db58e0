/**
 * Kamailio (Debian's `kamailio`) in front of the lab's gateways, configured by the same files an
 * operator deploys: deploy/kamailio/render.sh fills deploy/kamailio/kamailio.cfg.in with the lab's
 * loopback addresses. The dispatcher's view of each gateway is read with kamcmd over the control
 * socket and polled, so the report can say when a gateway was marked down.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeError } from 'connect-realtime-gateway';

const run = promisify(execFile);

export interface DispatcherTarget {
  uri: string;
  /** Kamailio's flags: first letter A(ctive), I(nactive) or D(isabled); then P when probing. */
  flags: string;
}

export interface DispatcherSample {
  /** Lab time (ms since the run's origin). */
  t: number;
  targets: DispatcherTarget[];
}

/** Where a system binary is: PATH first, then the sbin folders Debian installs servers into. */
export function systemBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // next folder
    }
  }
  return undefined;
}

/** Parses `kamcmd dispatcher.list` output (5.x): each DEST's URI and FLAGS, in order. */
export function parseDispatcherList(text: string): DispatcherTarget[] {
  const out: DispatcherTarget[] = [];
  let uri: string | undefined;
  for (const line of text.split('\n')) {
    const u = /^\s*URI:\s*(\S+)/.exec(line);
    if (u) uri = u[1];
    const f = /^\s*FLAGS:\s*(\S+)/.exec(line);
    const flags = f?.[1];
    if (flags !== undefined && uri !== undefined) {
      out.push({ uri, flags });
      uri = undefined;
    }
  }
  return out;
}

export class KamailioProcess {
  readonly samples: DispatcherSample[] = [];
  readonly #root: string;
  readonly #dir: string;
  readonly #address: string;
  readonly #port: number;
  readonly #gateways: string[];
  readonly #pingIntervalS: number;
  readonly #origin: number;
  #child: ChildProcess | undefined;
  #logFile: WriteStream | undefined;
  #poll: NodeJS.Timeout | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor(opts: { root: string; dir: string; address: string; port: number; gateways: string[]; pingIntervalS: number; origin: number }) {
    this.#root = opts.root;
    this.#dir = opts.dir;
    this.#address = opts.address;
    this.#port = opts.port;
    this.#gateways = opts.gateways;
    this.#pingIntervalS = opts.pingIntervalS;
    this.#origin = opts.origin;
  }

  get ctlSocket(): string {
    return join(this.#dir, 'kamailio_ctl');
  }

  /** Renders the configuration, starts Kamailio in the foreground and waits until kamcmd answers. */
  async start(): Promise<void> {
    const kamailio = systemBinary('kamailio');
    if (kamailio === undefined) throw new Error('kamailio is not installed (Debian package kamailio; make setup installs it as root)');
    await run('bash', [join(this.#root, 'deploy/kamailio/render.sh'), this.#dir], {
      env: {
        ...process.env,
        GATEWAYS: this.#gateways.join(','),
        LISTEN_ADDRESS: this.#address,
        LISTEN_PORT: String(this.#port),
        PING_INTERVAL_S: String(this.#pingIntervalS),
        CHILDREN: '2',
        CTL_SOCKET: this.ctlSocket,
        LOG_STDERR: 'yes',
      },
    });
    this.#logFile = createWriteStream(join(this.#dir, 'kamailio.log'));
    const child = spawn(kamailio, ['-f', join(this.#dir, 'kamailio.cfg'), '-DD', '-E', '-m', '64', '-M', '8', '-Y', this.#dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout.pipe(this.#logFile, { end: false });
    child.stderr.pipe(this.#logFile, { end: false });
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = performance.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`kamailio exited with code ${child.exitCode} (see kamailio.log)`);
      try {
        await this.dispatcher();
        break;
      } catch (err) {
        if (performance.now() > deadline) throw new Error(`kamailio did not answer kamcmd within 10 s: ${describeError(err)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.#poll = setInterval(() => void this.#sample(), 250);
  }

  /** The dispatcher's current view of every gateway. */
  async dispatcher(): Promise<DispatcherTarget[]> {
    const kamcmd = systemBinary('kamcmd');
    if (kamcmd === undefined) throw new Error('kamcmd is not installed (Debian package kamailio)');
    const { stdout } = await run(kamcmd, ['-s', `unix:${this.ctlSocket}`, 'dispatcher.list'], { timeout: 2_000 });
    return parseDispatcherList(stdout);
  }

  async #sample(): Promise<void> {
    try {
      const targets = await this.dispatcher();
      const last = this.samples.at(-1);
      // Keep transitions only: a sample is recorded when some target's flags changed.
      if (!last || JSON.stringify(last.targets) !== JSON.stringify(targets)) this.samples.push({ t: performance.now() - this.#origin, targets });
    } catch {
      // Kamailio stopping, or a slow answer: the next poll tries again.
    }
  }

  async stop(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await this.#exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => (this.#logFile ? this.#logFile.end(resolve) : resolve()));
  }
}
