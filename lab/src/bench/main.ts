/**
 * `make bench`: media benchmarks, each row beside its reference measured in the same run.
 * Writes lab/out/bench/results.json and prints the tables. Flags: --streams 100,250,500 --seconds 10
 * (defaults: the 100, 250, 500, 750, 1000 streams for 10 s each).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../repo-root.js';
import { formatAudioBenchTable, runAudioBench } from './audio-bench.js';
import { formatPacingTable, runPacingBench } from './pacing.js';
import { describeError } from 'connect-realtime-gateway';
import { formatRecordsBench, runRecordsBench } from './records-bench.js';

interface BenchArgs {
  streams: number[];
  seconds: number;
}

function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = { streams: [100, 250, 500, 750, 1000], seconds: 10 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--streams' && value !== undefined) {
      const list = value.split(',').map(Number);
      if (list.some((n) => !Number.isInteger(n) || n < 1 || n > 2000)) fail(`--streams wants integers 1..2000, got ${value}`);
      args.streams = list;
      i++;
    } else if (flag === '--seconds' && value !== undefined) {
      const s = Number(value);
      if (!Number.isFinite(s) || s < 1 || s > 120) fail(`--seconds wants 1..120, got ${value}`);
      args.seconds = s;
      i++;
    } else {
      fail(`unknown or incomplete flag ${flag ?? ''}`);
    }
  }
  return args;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const root = repoRoot();
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
  };
  process.stdout.write('bench: G.711 and resampler…\n');
  const audio = await runAudioBench();
  process.stdout.write(`${formatAudioBenchTable(audio)}\n`);
  process.stdout.write(`bench: pacing ${args.streams.join(', ')} duplex streams × ${args.seconds} s through the gateway RTP path…\n`);
  const pacing = await runPacingBench({ streams: args.streams, seconds: args.seconds });
  process.stdout.write(`${formatPacingTable(pacing)}\n`);
  const outDir = join(root, 'lab', 'out', 'bench');
  mkdirSync(outDir, { recursive: true });
  process.stdout.write('bench: call records (SQLite commit per event) at the rate of 200 calls…\n');
  const records = await runRecordsBench(outDir, { calls: 200, seconds: args.seconds });
  process.stdout.write(`${formatRecordsBench(records)}\n`);
  const path = join(outDir, 'results.json');
  writeFileSync(path, `${JSON.stringify({ machine, g711: audio.g711, resampler: audio.resampler, pacing, records }, null, 2)}\n`);
  process.stdout.write(`bench: results in ${join('lab', 'out', 'bench', 'results.json')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${describeError(err)}\n`);
  process.exit(1);
});
