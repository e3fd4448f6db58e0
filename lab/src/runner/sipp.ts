import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Launcher } from './backends/backend.js';
import { localLauncher } from './backends/local-launcher.js';
import { describeError } from 'connect-realtime-gateway';

/**
 * Runs a real SIPp (Debian's sip-tester) as the caller. Scenario XML templates live in lab/sipp/ with
 * {{PLACEHOLDERS}} the runner fills; SIPp runs inside the scenario's output folder so its logs and the
 * caller.pcap it plays sit beside the report.
 */
export interface SippRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  startedAt: number; // performance.now()
  endedAt: number;
}

export function renderTemplate(template: string, values: Record<string, string>): string {
  // A placeholder alone on its line with an empty value removes the line: an empty line inside a
  // SIP header section would end the headers early.
  const pruned = template.replace(/^[ \t]*\{\{([A-Z_]+)\}\}[ \t]*\r?\n/gm, (line, key: string) => (values[key] === '' ? '' : line));
  return pruned.replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`SIPp template placeholder {{${key}}} has no value`);
    return v;
  });
}

export interface SippOptions {
  root: string;
  outDir: string;
  script: string;
  values: Record<string, string>;
  target: { address: string; port: number };
  transport: 'udp' | 'tcp';
  extraArgs: string[];
  local: { address: string; port: number; mediaPort: number };
  timeoutS: number;
  /** Where SIPp runs (a child process by default, or a container). */
  launcher?: Launcher;
}

/**
 * Renders the script into the output folder and returns SIPp's command line. One call by default,
 * with every message traced; `load` places many (rate, concurrency, periodic statistics to a CSV)
 * and traces only errors.
 */
export function sippCommandLine(opts: SippOptions, load?: { calls: number; ratePerS: number; concurrent: number; statsFile: string }): string[] {
  const template = readFileSync(join(opts.root, 'lab', 'sipp', `${opts.script}.xml`), 'utf8');
  const xmlPath = join(opts.outDir, `${opts.script}.xml`);
  writeFileSync(xmlPath, renderTemplate(template, opts.values));
  const volume = load
    ? ['-m', String(load.calls), '-r', String(load.ratePerS), '-l', String(load.concurrent), '-trace_stat', '-stf', load.statsFile, '-fd', '1']
    : ['-m', '1', '-trace_msg', '-message_file', join(opts.outDir, 'sipp-messages.log'), '-trace_logs', '-log_file', join(opts.outDir, 'sipp-actions.log')];
  return [
    `${opts.target.address}:${opts.target.port}`,
    '-sf', xmlPath,
    '-t', opts.transport === 'tcp' ? 't1' : 'u1',
    '-i', opts.local.address,
    '-p', String(opts.local.port),
    '-mi', opts.local.address,
    '-mp', String(opts.local.mediaPort),
    '-nostdin',
    '-timeout', `${opts.timeoutS}s`,
    '-timeout_error',
    '-trace_err', '-error_file', join(opts.outDir, 'sipp-errors.log'),
    ...volume,
    ...opts.extraArgs,
  ];
}

export async function runSipp(opts: SippOptions): Promise<SippRun> {
  const args = sippCommandLine(opts);
  const startedAt = performance.now();
  let child;
  try {
    child = await (opts.launcher ?? localLauncher).spawn('sipp', args, { cwd: opts.outDir, name: 'sipp' });
  } catch (err) {
    return { exitCode: null, stdout: '', stderr: describeError(err), startedAt, endedAt: performance.now() };
  }
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A container's output can trail its exit: wait for both streams to end too.
  const [exitCode] = await Promise.all([child.exited, finished(child.stdout).catch(() => undefined), finished(child.stderr).catch(() => undefined)]);
  const startError = await child.startError;
  return { exitCode, stdout, stderr: startError ? `${stderr}${startError.message}` : stderr, startedAt, endedAt: performance.now() };
}
