import { z } from 'zod';
import type { Evidence } from '../../evidence.js';
import { defineCheck } from '../define.js';
import { isSilence, round } from '../helpers.js';
import { rtpPackets } from '../wire.js';

/** The gateway ending calls itself: re-prompts of a silent caller, wrap-up and goodbye at the time limit. */

/** Client events the fake received whose JSON body contains `text`, of `type`. */
function clientEventsContaining(ev: Evidence, type: string, text: string): Evidence['realtime']['clientEvents'] {
  return ev.realtime.clientEvents.filter((e) => e.type === type && JSON.stringify(e.event).includes(text));
}

/** Times the gateway's RTP towards the caller carried agent audio (not the silence it keeps sending). */
function agentAudioTimes(ev: Evidence): number[] {
  return rtpPackets(ev.rtp, 'toCaller')
    .filter((p) => p.payload !== undefined && !isSilence(p.payload))
    .map((p) => p.t);
}

export const callLimitChecks = [
  defineCheck({
    name: 'agent-prompted-after-silence',
    doc: 'the gateway asked the model `count` times for a response whose instructions contain `contains`, each `afterSilenceMs` ± `toleranceMs` after the last agent audio had reached the caller on the wire, and agent audio reached the caller after each',
    params: {
      contains: z.string().min(1).describe('text of the instructions of the response.create (the agent file\'s idle prompt or goodbye)'),
      count: z.number().int().min(1).describe('how many such requests'),
      afterSilenceMs: z.number().positive().describe('silence expected before each: the agent file\'s idle.timeoutMs, ms'),
      toleranceMs: z.number().positive().default(300).describe('largest error either way, ms'),
    },
    run(spec, ev) {
      const asks = clientEventsContaining(ev, 'response.create', spec.contains);
      const audio = agentAudioTimes(ev);
      const gaps = asks.map((a) => {
        const before = audio.filter((t) => t <= a.t).at(-1);
        return { gap: before === undefined ? NaN : a.t - before, heardAfter: audio.some((t) => t > a.t) };
      });
      const worst = gaps.reduce((w, g) => Math.max(w, Number.isNaN(g.gap) ? Infinity : Math.abs(g.gap - spec.afterSilenceMs)), 0);
      const passed = asks.length === spec.count && worst <= spec.toleranceMs && gaps.every((g) => g.heardAfter);
      return {
        name: spec.check,
        passed,
        value: asks.length === 0 ? 'none' : `${asks.length} after ${gaps.map((g) => `${round(g.gap, 0)} ms${g.heardAfter ? '' : ' (not heard)'}`).join(', ')} of silence`,
        limit: `${spec.count} after ${spec.afterSilenceMs} ± ${spec.toleranceMs} ms`,
      };
    },
  }),
  defineCheck({
    name: 'realtime-client-event-at',
    doc: 'the fake Realtime received a `type` client event whose body contains `contains` `atMs` to `atMs` + `withinMs` after the call was answered (the 200 OK to the INVITE on the wire)',
    params: {
      type: z.string().min(1).describe('client event type, e.g. session.update or response.create'),
      contains: z.string().min(1).describe('text its JSON body must contain'),
      atMs: z.number().min(0).describe('earliest time after the answer, ms'),
      withinMs: z.number().positive().describe('window after atMs, ms'),
    },
    run(spec, ev) {
      const answered = ev.sip.find((r) => r.dir === 'toCaller' && r.firstLine.startsWith('SIP/2.0 200 ') && (r.cseq ?? '').toUpperCase().endsWith(' INVITE'));
      const hit = clientEventsContaining(ev, spec.type, spec.contains)[0];
      const limit = `${spec.atMs}..${spec.atMs + spec.withinMs} ms`;
      if (!answered || !hit) return { name: spec.check, passed: false, value: null, limit, detail: !answered ? 'the call was never answered' : `no ${spec.type} containing "${spec.contains}"` };
      const ms = hit.t - answered.t;
      return { name: spec.check, passed: ms >= spec.atMs && ms <= spec.atMs + spec.withinMs, value: round(ms), limit };
    },
  }),
];
