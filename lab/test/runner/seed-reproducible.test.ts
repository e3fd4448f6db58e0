/**
 * `make scenario NAME=x SEED=n` reproduces a run exactly: two real runs of an impaired call with the
 * same seed make the same decisions for every packet (fates.jsonl), and another seed makes others.
 * Binds the lab's loopback addresses: run under `flock /tmp/lab.lock`.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Impairment } from '../../src/netem/impairment.js';
import { repoRoot } from '../../src/repo-root.js';
import { parseScenario } from '../../src/runner/load-scenario.js';
import { runScenario } from '../../src/runner/run-scenario.js';

const root = repoRoot();
const NAME = 'seed-reproducible-check';
const outDir = join(root, 'lab', 'out', NAME);

const text = `name: ${NAME}
description: loss, jitter and duplication both ways, for the seed test
caller: { tool: sipp, script: uac-call, audio: fixtures/caller-hello.wav, hangupAfterMs: 6000 }
realtime: { turns: [{ audio: { wav: fixtures/agent-short.wav } }] }
network:
  seed: 1
  toGateway: { loss: 0.08, jitterMs: 30, duplicate: 0.05, skipFirst: 10 }
  toCaller: { loss: 0.08, jitterMs: 30, duplicate: 0.05, skipFirst: 10 }
expect: [{ check: caller-script-passed }]
`;

interface Fate {
  dir: string;
  i: number;
  fate: string;
  delaysMs?: number[];
}

async function fatesOf(seed: number): Promise<{ toGateway: Fate[]; toCaller: Fate[] }> {
  const scenario = parseScenario(text, `${NAME}.yaml`, root);
  scenario.network.seed = seed; // what the CLI's --seed (make … SEED=n) does
  const report = await runScenario(root, scenario);
  expect(report.error).toBeUndefined();
  expect(report.seed).toBe(seed);
  const fates = readFileSync(join(outDir, 'fates.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Fate);
  return { toGateway: fates.filter((f) => f.dir === 'toGateway'), toCaller: fates.filter((f) => f.dir === 'toCaller') };
}

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('SEED reproduces a run', () => {
  it('two runs with the same seed drop, delay and duplicate the same packets', async () => {
    const a = await fatesOf(424242);
    const b = await fatesOf(424242);
    // The caller's stream is the same pcap each time: every decision identical.
    expect(a.toGateway.length).toBeGreaterThan(250);
    expect(b.toGateway).toEqual(a.toGateway);
    expect(a.toGateway.filter((f) => f.fate === 'dropped').length).toBeGreaterThan(5);
    expect(a.toGateway.some((f) => (f.delaysMs?.length ?? 0) === 2)).toBe(true);
    // The gateway's stream may end a packet or two apart (when the BYE lands); what both saw is identical.
    const n = Math.min(a.toCaller.length, b.toCaller.length);
    expect(n).toBeGreaterThan(200);
    expect(Math.abs(a.toCaller.length - b.toCaller.length)).toBeLessThan(10);
    expect(b.toCaller.slice(0, n)).toEqual(a.toCaller.slice(0, n));

    // The decisions are the seed's: the impairment alone, fed the same number of packets, makes them.
    const replay = new Impairment({ loss: 0.08, jitterMs: 30, duplicate: 0.05, skipFirst: 10 }, 424242);
    const offline = a.toGateway.map(() => replay.next());
    expect(offline.map((f) => (f.drop ? 'dropped' : 'forwarded'))).toEqual(a.toGateway.map((f) => f.fate));
    // And another seed decides otherwise.
    const other = new Impairment({ loss: 0.08, jitterMs: 30, duplicate: 0.05, skipFirst: 10 }, 7);
    expect(a.toGateway.map(() => (other.next().drop ? 'dropped' : 'forwarded'))).not.toEqual(a.toGateway.map((f) => f.fate));
  }, 90_000);
});
