/**
 * The checks of operations scenarios, in the same registry idiom as the call checks (one
 * `defineCheck({ name, doc, params, run })` entry each, documented in docs/lab.md by `make docs`).
 * Each returns the measured value beside its limit, so a pass shows its margin (drain and failover
 * timings land in the report this way).
 */
import { z } from 'zod';
import { checkCatalogue, defineCheck, type CheckSpec, type RegisteredCheck } from '../checks/define.js';
import { pick } from '../checks/helpers.js';
import { checksMarkdown } from '../checks/registry.js';
import type { CheckResult } from '../evidence.js';
import type { CallEvidence, OpsEvidence } from './ops-evidence.js';

/** Most gateway processes a scenario may start (each gets its own loopback address). */
export const MAX_GATEWAYS = 4;

const gatewayIndex = z.number().int().min(0).max(MAX_GATEWAYS - 1);

interface RecordShape {
  callId: string;
  endReason: string | null;
  answeredAt: string | null;
  transcript: Array<{ text: string }>;
  events: Array<{ type: string }>;
}

export const OPS_CHECKS: ReadonlyArray<RegisteredCheck<OpsEvidence>> = [
  defineCheck({
    name: 'calls-ended',
    doc: 'calls (of `batch`, or all) were answered and ended by `endedBy` (the caller\'s own BYE, or the gateway\'s with a Reason matching `byeReason`); `count` of them, or all',
    params: {
      batch: z.number().int().min(0).optional().describe('the call batch (index in operations.calls); all batches when omitted'),
      afterStep: z.number().int().min(0).optional().describe('only calls placed at or after this step (index in operations.steps), or before it with `before`'),
      before: z.boolean().default(false).describe('with `afterStep`: the calls placed before that step instead'),
      endedBy: z.enum(['caller', 'gateway']).describe('who sent the BYE'),
      byeReason: z.string().optional().describe("regular expression the gateway's BYE Reason must match (endedBy: gateway)"),
      servedBy: gatewayIndex.optional().describe('only the calls that ran on this gateway (from its log)'),
      onGateway: gatewayIndex.optional().describe('every call must have run on this gateway (new calls land on the survivor)'),
      count: z.number().int().min(0).optional().describe('how many must match; all of them when omitted'),
    },
    run(c, ev: OpsEvidence) {
      const stepAt = c.afterStep === undefined ? undefined : ev.steps[c.afterStep]?.t;
      const pool = ev.calls.filter(
        (call) =>
          (c.batch === undefined || call.batch === c.batch) &&
          (c.servedBy === undefined || call.servedBy === c.servedBy) &&
          (stepAt === undefined || (c.before ? call.startedAt < stepAt : call.startedAt >= stepAt)),
      );
      const good = (call: CallEvidence) =>
        call.answered &&
        call.endedBy === c.endedBy &&
        (c.byeReason === undefined || new RegExp(c.byeReason, 'i').test(call.byeReason ?? '')) &&
        (c.onGateway === undefined || call.servedBy === c.onGateway);
      const matching = pool.filter(good);
      const want = c.count ?? pool.length;
      const bad = pool.filter((call) => !good(call)).slice(0, 3);
      const scope = `${c.batch === undefined ? 'all batches' : `batch ${c.batch}`}${stepAt === undefined ? '' : `${c.before ? ' before' : ' from'} step ${c.afterStep}`}`;
      return {
        name: `${c.check} by ${c.endedBy}${c.onGateway === undefined ? '' : ` on gateway ${c.onGateway}`} (${scope}${c.servedBy === undefined ? '' : `, calls of gateway ${c.servedBy}`})`,
        passed: pool.length > 0 && matching.length >= want && (c.count !== undefined || matching.length === pool.length),
        value: `${matching.length} of ${pool.length}`,
        limit: c.count === undefined ? 'all (at least one)' : `>= ${want}`,
        ...(bad.length
          ? { detail: bad.map((b) => `#${b.n}: status ${b.finalStatus}, ended by ${b.endedBy}${b.byeReason ? ` (${b.byeReason})` : ''}, on ${b.servedBy ?? '?'}${b.notes.length ? `; ${b.notes.join('; ')}` : ''}`).join(' | ') }
          : {}),
      };
    },
  }),
  defineCheck({
    name: 'probe-status',
    doc: 'the SIP probe of `step` got the final `status`, with `headers` (regular expressions) among its header lines',
    params: {
      step: z.number().int().min(0).describe('the probe step (index in operations.steps)'),
      status: z.number().int().min(100).max(699).describe('the final status expected'),
      headers: z.array(z.string()).default([]).describe('regular expressions, each matching one header line of the answer'),
    },
    run(c, ev: OpsEvidence) {
      const step = ev.steps[c.step];
      const probe = step?.probe;
      const missing = c.headers.filter((h) => !(probe?.headers ?? []).some((l) => new RegExp(h, 'i').test(l)));
      return {
        name: `${c.check} ${step?.method ?? '?'} (step ${c.step})`,
        passed: probe?.status === c.status && missing.length === 0,
        value: probe?.status === undefined ? 'no answer' : `${probe.status} ${probe.reason ?? ''} after ${probe.ms} ms`,
        limit: `${c.status}${c.headers.length ? ` with ${c.headers.join(', ')}` : ''}`,
        ...(missing.length ? { detail: `missing ${missing.join(', ')}` } : {}),
      };
    },
  }),
  defineCheck({
    name: 'health-status',
    doc: 'GET /amazon-connect/health at `step` answered `status` (and `bodyStatus` in its JSON)',
    params: {
      step: z.number().int().min(0).describe('the health step (index in operations.steps)'),
      status: z.number().int().min(100).max(599).describe('the HTTP status expected'),
      bodyStatus: z.string().optional().describe('the `status` field expected in the JSON body'),
    },
    run(c, ev: OpsEvidence) {
      const health = ev.steps[c.step]?.health;
      let bodyStatus: string | undefined;
      try {
        bodyStatus = (JSON.parse(health?.body ?? '') as { status?: string }).status;
      } catch {
        bodyStatus = undefined;
      }
      return {
        name: `${c.check} (step ${c.step})`,
        passed: health?.status === c.status && (c.bodyStatus === undefined || bodyStatus === c.bodyStatus),
        value: `${health?.status ?? 'no answer'} ${bodyStatus ?? ''}`.trim(),
        limit: `${c.status}${c.bodyStatus ? ` ${c.bodyStatus}` : ''}`,
      };
    },
  }),
  defineCheck({
    name: 'gateway-exit',
    doc: 'the `gateway` process exited with `code` within `withinMs` of the signal `step`',
    params: {
      gateway: gatewayIndex.describe('the gateway (index)'),
      step: z.number().int().min(0).describe('the signal step (index in operations.steps)'),
      code: z.number().int().describe('the exit code expected'),
      withinMs: z.number().int().positive().describe('longest time from the signal to the exit, ms'),
    },
    run(c, ev: OpsEvidence) {
      const step = ev.steps[c.step];
      const run = step ? ev.gateways[c.gateway]?.runs.find((r) => r.startedAt <= step.t && (r.exitedAt === undefined || r.exitedAt >= step.t)) : undefined;
      const ms = run?.exitedAt !== undefined && step ? run.exitedAt - step.t : undefined;
      return {
        name: `${c.check} gateway ${c.gateway} (step ${c.step})`,
        passed: run?.exitedAt !== undefined && run.exitCode === c.code && ms !== undefined && ms <= c.withinMs,
        value: run?.exitedAt === undefined || ms === undefined ? 'still running' : `code ${run.exitCode} after ${Math.round(ms)} ms`,
        limit: `code ${c.code} within ${c.withinMs} ms`,
      };
    },
  }),
  defineCheck({
    name: 'handed-back-before-bye',
    doc: 'at least `count` calls the gateway hung up had their `outcome` written to the fake Connect API (ai_outcome) before the gateway\'s BYE',
    params: {
      outcome: z.string().describe('the ai_outcome written (e.g. gateway_shutdown)'),
      count: z.number().int().min(1).describe('fewest calls handed back so'),
    },
    run(c, ev: OpsEvidence) {
      const byGateway = ev.calls.filter((call) => call.endedBy === 'gateway' && call.contactId !== undefined);
      const handedBack = byGateway.filter((call) =>
        ev.connect.some((u) => u.status === 200 && u.contactId === call.contactId && u.attributes.ai_outcome === c.outcome && call.gatewayByeAt !== undefined && u.t <= call.gatewayByeAt),
      );
      return {
        name: `${c.check} ${c.outcome}`,
        passed: handedBack.length >= c.count,
        value: `${handedBack.length} calls (${ev.connect.filter((u) => u.attributes.ai_outcome === c.outcome).length} updates with ai_outcome=${c.outcome})`,
        limit: `>= ${c.count}, each update before its BYE`,
      };
    },
  }),
  defineCheck({
    name: 'dispatcher-marked-down',
    doc: 'Kamailio\'s dispatcher marked `gateway` inactive within `withinMs` of `step`, and kept it so (until a restart)',
    params: {
      gateway: gatewayIndex.describe('the gateway (index)'),
      step: z.number().int().min(0).describe('the step that stopped it (index in operations.steps)'),
      withinMs: z.number().int().positive().describe('longest time from the step to the inactive flag, ms'),
    },
    run(c, ev: OpsEvidence) {
      const step = ev.steps[c.step];
      const address = ev.gatewayAddresses[c.gateway];
      const flagsOf = (sample: OpsEvidence['dispatcher'][number]) => sample.targets.find((t) => t.uri === `sip:${address}`)?.flags;
      const after = step ? ev.dispatcher.filter((sm) => sm.t >= step.t) : [];
      const down = after.find((sm) => /^[ID]/.test(flagsOf(sm) ?? ''));
      const restart = ev.steps.find((st) => st.do === 'restart' && st.gateway === c.gateway && step !== undefined && st.t > step.t);
      const upAgain = down ? after.find((sm) => sm.t > down.t && (restart === undefined || sm.t < restart.t) && /^A/.test(flagsOf(sm) ?? '')) : undefined;
      const ms = down && step ? down.t - step.t : undefined;
      const upAgainMs = upAgain && step ? upAgain.t - step.t : undefined;
      return {
        name: `${c.check} gateway ${c.gateway}`,
        passed: ms !== undefined && ms <= c.withinMs && upAgain === undefined,
        value:
          down && ms !== undefined
            ? `${flagsOf(down)} after ${Math.round(ms)} ms${upAgainMs !== undefined ? `, active again at +${Math.round(upAgainMs)} ms` : ''}`
            : 'never marked down',
        limit: `inactive within ${c.withinMs} ms, and kept so`,
      };
    },
  }),
  defineCheck({
    name: 'records-hold',
    doc: 'the call records of `gateway` (GET /calls after the run) hold every call of `batch` with `endReason`, the `events` types, and every transcript turn the fake sent `marginMs` before `transcriptsBeforeStep` (what the gateway had observed before a SIGKILL)',
    params: {
      gateway: gatewayIndex.describe('the gateway whose records are read'),
      batch: z.number().int().min(0).describe('the call batch (index in operations.calls)'),
      endReason: z.string().describe("each record's end reason (lost: closed by the next start after a crash)"),
      transcriptsBeforeStep: z.number().int().min(0).optional().describe('compare the transcripts the fake sent before this step'),
      marginMs: z.number().int().min(0).max(5_000).default(300).describe('how long before the step a transcript must have been sent to count, ms'),
      events: z.array(z.string()).default([]).describe('event types each record must contain'),
    },
    run(c, ev: OpsEvidence) {
      const gw = ev.gateways[c.gateway];
      const records = (gw?.records ?? []) as RecordShape[];
      const calls = ev.calls.filter((call) => call.batch === c.batch);
      const cutoff = c.transcriptsBeforeStep === undefined ? undefined : (ev.steps[c.transcriptsBeforeStep]?.t ?? 0) - c.marginMs;
      const observed = cutoff === undefined ? [] : ev.realtimeTranscripts.filter((t) => t.t <= cutoff && t.text !== '').map((t) => t.text);
      const problems: string[] = [];
      if (gw?.records === undefined) problems.push(`gateway ${c.gateway} was not running at the end: no records read`);
      for (const call of calls) {
        const record = records.find((r) => r.callId === call.callId);
        if (!record) {
          problems.push(`#${call.n}: no record for Call-ID ${call.callId}`);
          continue;
        }
        if (record.endReason !== c.endReason) problems.push(`#${call.n}: end reason ${record.endReason}`);
        const types = new Set(record.events.map((e) => e.type));
        const missingTypes = c.events.filter((t) => !types.has(t));
        if (missingTypes.length) problems.push(`#${call.n}: no ${missingTypes.join(', ')} event`);
        const texts = new Set(record.transcript.map((t) => t.text));
        const missing = observed.filter((t) => !texts.has(t));
        if (missing.length) problems.push(`#${call.n}: ${missing.length} of ${observed.length} transcripts missing ("${(missing[0] ?? '').slice(0, 40)}")`);
      }
      if (cutoff !== undefined && observed.length === 0) problems.push('the fake sent no transcript before the step: nothing to compare');
      return {
        name: `${c.check} gateway ${c.gateway} batch ${c.batch}`,
        passed: calls.length > 0 && problems.length === 0,
        value: problems.length ? problems.join('; ') : `${calls.length} records, end reason ${c.endReason}${cutoff === undefined ? '' : `, all ${observed.length} transcripts sent before step ${c.transcriptsBeforeStep}`}`,
        limit: `end reason ${c.endReason}${c.events.length ? `, events ${c.events.join(', ')}` : ''}`,
      };
    },
  }),
  defineCheck({
    name: 'gateway-log-lines',
    doc: 'the `gateway`\'s log (every run) holds between `min` and `max` lines with this `msg` whose fields match `where` (dotted path → regular expression for the whole value as text)',
    params: {
      gateway: gatewayIndex.describe('the gateway (index)'),
      msg: z.string().describe("the log line's msg"),
      where: z.record(z.string(), z.string()).default({}).describe('dotted path → regular expression its value (as text) must match'),
      min: z.number().int().min(0).default(1).describe('fewest matching lines'),
      max: z.number().int().min(0).optional().describe('most matching lines (none: no upper bound)'),
    },
    run(c, ev: OpsEvidence) {
      const logs = ev.gateways[c.gateway]?.logs ?? [];
      const matches = (line: Record<string, unknown>): boolean =>
        line.msg === c.msg && Object.entries(c.where).every(([path, want]) => {
          const got = pick(line, path);
          return got !== undefined && new RegExp(`^(?:${want})$`).test(typeof got === 'string' ? got : JSON.stringify(got));
        });
      const found = logs.filter(matches);
      const shown = Object.keys(c.where).length === 0 ? '' : ` (${Object.keys(c.where).map((p) => `${p}=${found[0] === undefined ? '-' : JSON.stringify(pick(found[0], p))}`).join(', ')})`;
      return {
        name: `${c.check} "${c.msg}"`,
        passed: found.length >= c.min && (c.max === undefined || found.length <= c.max),
        value: `${found.length} lines${shown}`,
        limit: `${c.min}..${c.max ?? '∞'}${Object.keys(c.where).length ? ` where ${JSON.stringify(c.where)}` : ''}`,
      };
    },
  }),
];

const catalogue = checkCatalogue(OPS_CHECKS, 'operations checks');

export const opsCheckSpecSchema = catalogue.specSchema;

export function runOpsCheck(spec: CheckSpec, ev: OpsEvidence): CheckResult {
  return catalogue.run(spec, ev);
}

/** The operations checks section of docs/lab.md. */
export function opsChecksMarkdown(): string {
  return checksMarkdown(OPS_CHECKS);
}
