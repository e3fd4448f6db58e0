import { spawn } from 'node:child_process';
import type { Launcher, SpawnOptions, ToolProcess } from './backend.js';

/**
 * Tools as child processes of the runner. With `env`, the child gets only PATH, HOME and those
 * variables (the gateway must not pick up the developer's own configuration); without, it inherits.
 */
export const localLauncher: Launcher = {
  node: process.execPath,
  async spawn(command: string, args: readonly string[], opts: SpawnOptions): Promise<ToolProcess> {
    const [cmd, argv] = opts.cpus === undefined ? [command, [...args]] : ['taskset', ['-c', opts.cpus, command, ...args]];
    const child = spawn(cmd, argv, {
      cwd: opts.cwd,
      env: opts.env === undefined ? process.env : { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let startError: (err: Error | undefined) => void = () => undefined;
    const started = new Promise<Error | undefined>((resolve) => (startError = resolve));
    const exited = new Promise<number | null>((resolve) => {
      child.once('error', (err) => {
        startError(err);
        resolve(null);
      });
      child.once('exit', (code) => {
        startError(undefined);
        resolve(code);
      });
    });
    child.once('spawn', () => startError(undefined));
    return {
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      startError: started,
      hostPid: async () => child.pid,
      kill: (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      },
    };
  },
};
