import { z } from 'zod';
import { defineCheck } from '../define.js';
import { callerBye } from '../wire.js';
import { itemText, round } from '../helpers.js';

/** What the model was given, and the Realtime sessions. */
export const realtimeChecks = [
  defineCheck({
    name: 'realtime-closed-after-bye',
    doc: 'the Realtime socket closed within `withinMs` of the caller\'s BYE',
    params: {
      withinMs: z.number().positive().default(1000).describe('longest time from the BYE to the socket closing, ms'),
    },
    run(spec, ev) {
      const { bye } = callerBye(ev.sip);
      const conn = ev.realtime.connections.at(-1);
      if (!bye || !conn) return { name: spec.check, passed: false, value: null, limit: spec.withinMs, detail: !bye ? 'no BYE' : 'no Realtime connection' };
      if (conn.closedAt === undefined) return { name: spec.check, passed: false, value: null, limit: spec.withinMs, detail: 'Realtime socket still open' };
      const ms = conn.closedAt - bye.t;
      return { name: spec.check, passed: ms >= 0 && ms <= spec.withinMs, value: round(ms), limit: spec.withinMs };
    },
  }),
  defineCheck({
    name: 'realtime-instructions-contain',
    doc: 'the instructions the model was given (session.update) contain every text',
    params: {
      texts: z.array(z.string()).min(1).describe('texts that must all appear'),
    },
    run(spec, ev) {
      const updates = ev.realtime.clientEvents.filter((e) => e.type === 'session.update');
      const instructions = updates.map((u) => String((u.event.session as { instructions?: unknown } | undefined)?.instructions ?? '')).join('\n');
      const missing = spec.texts.filter((t) => !instructions.includes(t));
      return { name: spec.check, passed: updates.length > 0 && missing.length === 0, value: missing.length ? `missing: ${missing.join(' | ')}` : 'all present', limit: spec.texts.join(' | ') };
    },
  }),
  defineCheck({
    name: 'realtime-user-text',
    doc: 'a user item given to the model contains `contains` (e.g. DTMF digits as text)',
    params: {
      contains: z.string().min(1).describe('text the user item must contain'),
    },
    run(spec, ev) {
      const texts = ev.realtime.clientEvents.filter((e) => e.type === 'conversation.item.create').map((e) => itemText(e.event.item));
      const hit = texts.find((t) => t.includes(spec.contains));
      return { name: spec.check, passed: hit !== undefined, value: hit ?? (texts.join(' | ') || null), limit: `a user item containing "${spec.contains}"` };
    },
  }),
  defineCheck({
    name: 'realtime-function-output',
    doc: 'a function_call_output given to the model contains `contains`',
    params: {
      contains: z.string().min(1).describe('text the tool output must contain'),
    },
    run(spec, ev) {
      const outputs = ev.realtime.clientEvents
        .filter((e) => e.type === 'conversation.item.create' && (e.event.item as { type?: string } | undefined)?.type === 'function_call_output')
        .map((e) => String((e.event.item as { output?: unknown }).output ?? ''));
      const hit = outputs.find((o) => o.includes(spec.contains));
      return { name: spec.check, passed: hit !== undefined, value: hit ?? (outputs.join(' | ') || null), limit: `a function_call_output containing "${spec.contains}"` };
    },
  }),
  defineCheck({
    name: 'realtime-errors',
    doc: 'the fake Realtime sent at most `max` `error` events (of `code`, when given): a client that respects the protocol gets none',
    params: {
      code: z.string().optional().describe('count only errors with this code'),
      max: z.number().int().min(0).default(0).describe('most errors allowed'),
    },
    run(spec, ev) {
      const errors = ev.realtime.errorsSent.filter((e) => spec.code === undefined || e.code === spec.code);
      const codes = [...new Set(errors.map((e) => e.code))].join(', ');
      return { name: spec.check, passed: errors.length <= spec.max, value: errors.length, limit: spec.max, ...(errors.length ? { detail: `codes: ${codes}` } : {}) };
    },
  }),
  defineCheck({
    name: 'realtime-responses',
    doc: 'the number of responses the fake ended with `status` (completed, cancelled, failed, incomplete) is within `min`..`max`',
    params: {
      status: z.enum(['completed', 'cancelled', 'failed', 'incomplete']).describe('response.done status'),
      min: z.number().int().min(0).default(1).describe('fewest such responses'),
      max: z.number().int().min(0).optional().describe('most such responses'),
    },
    run(spec, ev) {
      const n = ev.realtime.responses.filter((r) => r.status === spec.status).length;
      const limit = spec.max === undefined ? `>= ${spec.min}` : `${spec.min}..${spec.max}`;
      return { name: spec.check, passed: n >= spec.min && (spec.max === undefined || n <= spec.max), value: n, limit, detail: ev.realtime.responses.map((r) => `turn ${r.turnNumber} ${r.kind}: ${r.status ?? 'open'}`).join('; ') };
    },
  }),
  defineCheck({
    name: 'realtime-multi-item-barge-in',
    doc: 'in the interrupted response with several audio items: the item the caller was hearing was truncated (accepted, within the audio the fake sent), every later item of it was deleted, no truncate was refused',
    params: {},
    run(spec, ev) {
      const rt = ev.realtime;
      const accepted = rt.truncates.filter((t) => t.accepted);
      const rejected = rt.truncates.filter((t) => !t.accepted);
      const cut = rt.responses.find((r) => r.itemIds.length > 1 && accepted.some((t) => r.itemIds.includes(t.itemId)));
      if (cut === undefined) {
        return { name: spec.check, passed: false, value: null, limit: 'a truncate in a response with several items', detail: rt.responses.map((r) => `${r.status ?? 'open'}:${r.itemIds.length} items`).join(' ') };
      }
      const playing = accepted.find((t) => cut.itemIds.includes(t.itemId))!;
      const later = cut.itemIds.slice(cut.itemIds.indexOf(playing.itemId) + 1);
      const notDeleted = later.filter((id) => !rt.deletedItems.includes(id));
      const passed = rejected.length === 0 && later.length > 0 && notDeleted.length === 0;
      const detail = `${cut.itemIds.length} items; truncated item ${cut.itemIds.indexOf(playing.itemId)} at ${playing.audioEndMs} ms of ${Math.round(rt.itemAudioMs[playing.itemId] ?? 0)}; later items ${later.length}, deleted ${later.length - notDeleted.length}; truncates refused ${rejected.length}`;
      return { name: spec.check, passed, value: passed ? 'playing item truncated, later items deleted' : 'no', limit: 'later items deleted, no truncate refused', detail };
    },
  }),
  defineCheck({
    name: 'realtime-reconnected',
    doc: 'after the Realtime socket was lost, a new session was configured within `maxGapMs`',
    params: {
      maxGapMs: z.number().positive().describe('longest time from the loss to the new session.update, ms'),
    },
    run(spec, ev) {
      const conns = ev.realtime.connections;
      const first = conns[0];
      const second = conns[1];
      if (!first?.closedAt || !second) return { name: spec.check, passed: false, value: `${conns.length} sessions`, limit: '>= 2 sessions' };
      const ready = ev.realtime.clientEvents.find((e) => e.type === 'session.update' && e.t >= second.openedAt);
      const gap = (ready?.t ?? second.openedAt) - first.closedAt;
      return { name: spec.check, passed: gap <= spec.maxGapMs, value: round(gap), limit: spec.maxGapMs, detail: `socket lost → new session configured: ${round(gap)} ms` };
    },
  }),
  defineCheck({
    name: 'realtime-connections',
    doc: 'the number of Realtime sessions is within `min`..`max`, all closed at the end',
    params: {
      min: z.number().int().min(0).default(0).describe('fewest sessions'),
      max: z.number().int().min(0).describe('most sessions'),
    },
    run(spec, ev) {
      const conns = ev.realtime.connections;
      const open = conns.filter((c) => c.closedAt === undefined).length;
      return {
        name: spec.check,
        passed: conns.length >= spec.min && conns.length <= spec.max && open === 0,
        value: `${conns.length} sessions, ${open} still open`,
        limit: `${spec.min}..${spec.max} sessions, all closed`,
      };
    },
  }),
];
