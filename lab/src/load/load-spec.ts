/**
 * Load scenario files (`scenarios/load-*.yaml`): a file with a `load:` section is a load run instead of
 * a single call. Strict like every scenario file: unknown keys and impossible combinations are one
 * line naming the field.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { parseFakeScript, type FakeScript } from '../fake-realtime/index.js';
import { loadThresholdsSchema } from './load-checks.js';
import { describeError } from 'connect-realtime-gateway';
import { describeSchemaIssue, readScenarioDocument } from '../runner/scenario-file.js';

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
    /**
     * A bare Node duplex RTP pacer moving `load.concurrent` streams on the gateway's CPUs, measured in
     * the same run before the gateway starts (run-reference.ts): the report gives its figures and the
     * gateway's as ratios to them, which hold across machines where absolute figures do not.
     */
    reference: z
      .object({ seconds: z.number().int().min(5).max(120).default(20) })
      .strict()
      .optional(),
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

const fail = (message: string): LoadScenarioError => new LoadScenarioError(message);

export function loadLoadScenario(root: string, name: string): LoadScenario {
  const { doc, label } = readScenarioDocument(root, name, fail);
  const parsed = loadScenarioSchema.safeParse(doc);
  if (!parsed.success) throw fail(`${label}: ${describeSchemaIssue(parsed.error.issues[0])}`);
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
