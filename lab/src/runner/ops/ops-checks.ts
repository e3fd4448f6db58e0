/**
 * The checks of operations scenarios. Like the call checks, each returns the measured value beside
 * its limit, so a pass shows its margin (drain and failover timings land in the report this way).
 */
import type { CheckResult } from '../evidence.js';
import type { CallEvidence, OpsEvidence } from './ops-evidence.js';
import type { OpsCheck } from './ops-scenario.js';

interface RecordShape {
  callId: string;
  endReason: string | null;
  answeredAt: string | null;
  transcript: Array<{ text: string }>;
  events: Array<{ type: string }>;
}

export function runOpsCheck(c: OpsCheck, ev: OpsEvidence): CheckResult {
  switch (c.check) {
    case 'calls-ended': {
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
    }
    case 'probe-status': {
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
    }
    case 'health-status': {
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
    }
    case 'gateway-exit': {
      const step = ev.steps[c.step];
      const run = step ? ev.gateways[c.gateway]?.runs.find((r) => r.startedAt <= step.t && (r.exitedAt === undefined || r.exitedAt >= step.t)) : undefined;
      const ms = run?.exitedAt !== undefined && step ? run.exitedAt - step.t : undefined;
      return {
        name: `${c.check} gateway ${c.gateway} (step ${c.step})`,
        passed: run?.exitedAt !== undefined && run.exitCode === c.code && ms !== undefined && ms <= c.withinMs,
        value: run?.exitedAt === undefined || ms === undefined ? 'still running' : `code ${run.exitCode} after ${Math.round(ms)} ms`,
        limit: `code ${c.code} within ${c.withinMs} ms`,
      };
    }
    case 'handed-back-before-bye': {
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
    }
    case 'dispatcher-marked-down': {
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
    }
    case 'records-hold': {
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
    }
  }
}
