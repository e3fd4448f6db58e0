/**
 * Operations scenario files (`scenarios/<name>.yaml` with a top-level `operations:` section): one or
 * more gateway processes (optionally behind Kamailio), batches of calls placed by the lab caller, and a
 * timeline of steps done to the processes (signals, restarts) and questions asked of them (SIP probes,
 * the health check, Kamailio's dispatcher state). Strict like every scenario file: an unknown key or an
 * impossible combination is one line naming the field.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { parseFakeScript, type FakeScript } from '../../fake-realtime/index.js';
import { MAX_GATEWAYS, opsCheckSpecSchema } from './ops-checks.js';
import { describeError } from 'connect-realtime-gateway';
import { describeSchemaIssue, readScenarioDocument } from '../scenario-file.js';

export { MAX_GATEWAYS };

const gatewayIndex = z.number().int().min(0).max(MAX_GATEWAYS - 1);
const atMs = z.number().int().min(0).max(600_000);

const callBatchSchema = z
  .object({
    /** Calls in the batch, placed `spacingMs` apart from `startMs` (ms after the gateways are up). */
    count: z.number().int().min(1).max(50),
    startMs: atMs.default(0),
    spacingMs: z.number().int().min(0).max(60_000).default(0),
    /** Each call hangs up this long after it was answered (unless the gateway hangs up first). */
    hangupAfterMs: z.number().int().min(500).max(600_000),
    /** Spoken once, `leadInMs` after the answer. */
    audio: z.string().min(1).default('fixtures/caller-hello.wav'),
    leadInMs: z.number().int().min(0).max(60_000).default(300),
    /** Extra INVITE headers; {n} in a value is replaced by the call's number in the batch (Connect contact ids). */
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();

const stepSchema = z.discriminatedUnion('do', [
  z.object({ do: z.literal('signal'), atMs, gateway: gatewayIndex, signal: z.enum(['SIGTERM', 'SIGKILL', 'SIGINT']) }).strict(),
  /** Starts the gateway again (same address, ports and records file) once it has exited. */
  z.object({ do: z.literal('restart'), atMs, gateway: gatewayIndex }).strict(),
  /** One out-of-dialog request to the entry point (Kamailio, else gateway 0) or to a gateway; its final status is recorded. */
  z.object({ do: z.literal('probe'), atMs, method: z.enum(['INVITE', 'OPTIONS']), gateway: gatewayIndex.optional() }).strict(),
  z.object({ do: z.literal('health'), atMs, gateway: gatewayIndex }).strict(),
]);

export const opsScenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/, 'name must be lower-case words joined by -'),
    description: z.string().min(1),
    operations: z
      .object({
        gateways: z.number().int().min(1).max(MAX_GATEWAYS),
        /** Kamailio's dispatcher in front of the gateways (the callers and probes talk to it). */
        kamailio: z.boolean().default(false),
        /** Kamailio's OPTIONS probing interval, s. */
        pingIntervalS: z.number().int().min(1).max(60).default(1),
        /** Extra environment for every gateway. */
        env: z.record(z.string(), z.string()).default({}),
        calls: z.array(callBatchSchema).min(1),
        steps: z.array(stepSchema).default([]),
      })
      .strict(),
    /** The fake Realtime server's script. */
    realtime: z.record(z.string(), z.unknown()),
    connect: z.object({ delayMs: z.number().int().min(0).optional() }).strict().default({}),
    timeoutS: z.number().positive().max(600).default(120),
    expect: z.array(opsCheckSpecSchema).min(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    const ops = s.operations;
    ops.steps.forEach((step, i) => {
      if ('gateway' in step && step.gateway !== undefined && step.gateway >= ops.gateways) {
        ctx.addIssue({ code: 'custom', path: ['operations', 'steps', i, 'gateway'], message: `there are ${ops.gateways} gateway(s)` });
      }
    });
    s.expect.forEach((c, i) => {
      // Each check's own schema has checked the types; these are the cross-references to the scenario.
      if (typeof c.step === 'number' && c.step >= ops.steps.length) ctx.addIssue({ code: 'custom', path: ['expect', i, 'step'], message: `there are ${ops.steps.length} step(s)` });
      if (typeof c.afterStep === 'number' && c.afterStep >= ops.steps.length) {
        ctx.addIssue({ code: 'custom', path: ['expect', i, 'afterStep'], message: `there are ${ops.steps.length} step(s)` });
      }
      if (typeof c.batch === 'number' && c.batch >= ops.calls.length) ctx.addIssue({ code: 'custom', path: ['expect', i, 'batch'], message: `there are ${ops.calls.length} call batch(es)` });
      for (const key of ['gateway', 'servedBy', 'onGateway']) {
        const g = c[key];
        if (typeof g === 'number' && g >= ops.gateways) ctx.addIssue({ code: 'custom', path: ['expect', i, key], message: `there are ${ops.gateways} gateway(s)` });
      }
      if (c.check === 'dispatcher-marked-down' && !ops.kamailio) ctx.addIssue({ code: 'custom', path: ['expect', i], message: 'needs operations.kamailio: true' });
    });
  });

export type OpsScenario = z.infer<typeof opsScenarioSchema>;
export type OpsStep = OpsScenario['operations']['steps'][number];
export type CallBatch = OpsScenario['operations']['calls'][number];

export class OpsScenarioError extends Error {}

const fail = (message: string): OpsScenarioError => new OpsScenarioError(message);

export function loadOpsScenario(root: string, name: string): OpsScenario {
  const { doc, label } = readScenarioDocument(root, name, fail);
  return parseOpsScenario(doc, label, root, name);
}

export function parseOpsScenario(doc: unknown, label: string, root: string, name?: string): OpsScenario {
  const parsed = opsScenarioSchema.safeParse(doc);
  if (!parsed.success) throw fail(`${label}: ${describeSchemaIssue(parsed.error.issues[0])}`);
  const s = parsed.data;
  if (name !== undefined && s.name !== name) throw new OpsScenarioError(`${label}: name: must be "${name}" (the file name)`);
  s.operations.calls.forEach((b, i) => {
    if (!existsSync(join(root, b.audio))) throw new OpsScenarioError(`${label}: operations.calls.${i}.audio: file not found: ${b.audio}`);
  });
  try {
    opsFakeScript(s, root, label);
  } catch (err) {
    throw new OpsScenarioError(describeError(err));
  }
  return s;
}

export function opsFakeScript(s: OpsScenario, root: string, label = `scenarios/${s.name}.yaml`): FakeScript {
  return parseFakeScript(stringifyYaml(s.realtime), root, `${label}: realtime`);
}
