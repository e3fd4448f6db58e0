/**
 * Load scenario files (`scenarios/load-*.yaml`): a file with a `load:` section is a load run instead of
 * a single call. Strict like every scenario file: unknown keys and impossible combinations are one
 * line naming the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { parseFakeScript, type FakeScript } from '../fake-realtime/index.js';
import { loadThresholdsSchema } from './load-checks.js';
import { describeError } from 'connect-realtime-gateway';

const cpuList = z.string().regex(/^\d{1,3}(-\d{1,3})?(,\d{1,3}(-\d{1,3})?)*$/, 'a CPU list for taskset, e.g. "0" or "1-3"');

export const loadScenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/, 'name must be lower-case words joined by -'),
    description: z.string().min(1),
    /** `test`: part of `make test` / `make scenarios`; `bench`: run by `make bench` (and by name). */
    suite: z.enum(['test', 'bench']),
    load: z
      .object({
        /** Calls placed in total. */
        calls: z.number().int().min(1).max(5_000),
        /** Calls up at once (the plateau the per-call figures are measured on). */
        concurrent: z.number().int().min(1).max(2_000),
        /** New calls per second while ramping up. */
        ratePerS: z.number().min(0.1).max(200),
        /** How long each call stays up after the answer, ms. */
        holdMs: z.number().int().min(2_000).max(3_600_000),
        /** The caller's utterance (8 kHz mono WAV), said again every `sayEveryMs`: each one is a turn the fake answers. */
        audio: z.string().min(1).default('fixtures/caller-hello.wav'),
        sayEveryMs: z.number().int().min(1_000).max(600_000).default(8_000),
        codec: z.enum(['PCMU', 'PCMA']).default('PCMU'),
      })
      .strict(),
    /** The fake Realtime server's script: usually one answer, looped, so every turn is answered. */
    realtime: z.record(z.string(), z.unknown()),
    gateway: z
      .object({
        env: z.record(z.string(), z.string()).default({}),
        /** The gateway's CPUs (taskset); the per-call CPU figure is relative to one core. */
        cpus: cpuList.default('0'),
      })
      .strict()
      .default({ env: {}, cpus: '0' }),
    /** CPUs of everything else: SIPp, the tap, the fakes, the runner. */
    generatorCpus: cpuList.default('1'),
    /**
     * What must hold; a breach fails the run. Leave room for a shared 2-core CI machine. The fields
     * are the load checks' parameters (load-checks.ts; docs/lab.md lists them).
     */
    thresholds: loadThresholdsSchema,
    timeoutS: z.number().int().positive().max(7_200).default(600),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.load.concurrent > s.load.calls) ctx.addIssue({ code: 'custom', path: ['load', 'concurrent'], message: `must be <= load.calls (${s.load.calls})` });
    // The plateau must be reachable: calls keep arriving at ratePerS for holdMs each.
    const plateau = Math.floor((s.load.ratePerS * s.load.holdMs) / 1000);
    if (plateau < s.load.concurrent) {
      ctx.addIssue({ code: 'custom', path: ['load', 'holdMs'], message: `too short to reach ${s.load.concurrent} calls at ${s.load.ratePerS}/s (at most ${plateau} up at once)` });
    }
  });

export type LoadScenario = z.infer<typeof loadScenarioSchema>;

export class LoadScenarioError extends Error {}

function read(root: string, name: string): { doc: unknown; label: string } {
  if (!/^[a-z0-9-]+$/.test(name)) throw new LoadScenarioError(`scenario name "${name}" must be lower-case words joined by -`);
  const label = `scenarios/${name}.yaml`;
  const file = join(root, 'scenarios', `${name}.yaml`);
  if (!existsSync(file)) throw new LoadScenarioError(`no such scenario: ${label}`);
  try {
    return { doc: parseYaml(readFileSync(file, 'utf8')), label };
  } catch (err) {
    throw new LoadScenarioError(`${label}: not valid YAML: ${err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err)}`);
  }
}

/** True when scenarios/<name>.yaml is a load run (it has a top-level `load:` section). */
export function isLoadScenario(root: string, name: string): boolean {
  try {
    const { doc } = read(root, name);
    return typeof doc === 'object' && doc !== null && 'load' in doc;
  } catch {
    return false;
  }
}

export function loadLoadScenario(root: string, name: string): LoadScenario {
  const { doc, label } = read(root, name);
  const parsed = loadScenarioSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? issue.path.map(String).join('.') : '(top level)';
    const what = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : (issue?.message ?? 'invalid');
    throw new LoadScenarioError(`${label}: ${field}: ${what}`);
  }
  const s = parsed.data;
  if (s.name !== name) throw new LoadScenarioError(`${label}: name: must be "${name}" (the file name)`);
  if (!existsSync(join(root, s.load.audio))) throw new LoadScenarioError(`${label}: load.audio: file not found: ${s.load.audio}`);
  try {
    loadFakeScript(s, root, label);
  } catch (err) {
    throw new LoadScenarioError(describeError(err));
  }
  return s;
}

/** The `realtime` section as the fake's script (wav paths resolve from the repository root). */
export function loadFakeScript(s: LoadScenario, root: string, label = `scenarios/${s.name}.yaml`): FakeScript {
  return parseFakeScript(stringifyYaml(s.realtime), root, `${label}: realtime`);
}
