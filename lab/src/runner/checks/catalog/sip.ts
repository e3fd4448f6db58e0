import { z } from 'zod';
import { defineCheck } from '../define.js';
import { callerBye, rtpPackets } from '../wire.js';
import { tail } from '../helpers.js';
import { checkRetransmissionsIdentical } from '../sip-retransmissions.js';

/** The SIP side of a call: the caller's script, BYE handling, responses, hold. */
export const sipChecks = [
  defineCheck({
    name: 'caller-script-passed',
    doc: 'the caller ran every step of its script (SIPp exit 0; the lab caller was answered and hung up as planned)',
    params: {},
    run(spec, ev) {
      const code = ev.caller.exitCode;
      return { name: spec.check, passed: code === 0, value: code, limit: 0, detail: code === 0 ? undefined : tail(ev.caller.detail) };
    },
  }),
  defineCheck({
    name: 'bye-answered',
    doc: 'the caller\'s BYE got the final status `status` within `withinMs`',
    params: {
      status: z.number().int().min(200).max(699).default(200).describe('final status the BYE must get'),
      withinMs: z.number().positive().default(500).describe('longest time from the BYE to that answer, ms'),
    },
    run(spec, ev) {
      const { bye, answer } = callerBye(ev.sip);
      if (!bye) return { name: spec.check, passed: false, value: null, limit: spec.status, detail: 'caller sent no BYE' };
      if (!answer) return { name: spec.check, passed: false, value: null, limit: spec.status, detail: 'no final response to BYE' };
      const status = Number(answer.firstLine.split(' ')[1]);
      const ms = answer.t - bye.t;
      return {
        name: spec.check,
        passed: status === spec.status && ms <= spec.withinMs,
        value: `${status} after ${ms.toFixed(1)} ms`,
        limit: `${spec.status} within ${spec.withinMs} ms`,
      };
    },
  }),
  defineCheck({
    name: 'sip-response',
    doc: 'the `nth` response `status` to `method` carried lines matching `headers`',
    params: {
      status: z.number().int().min(100).max(699).describe('the response status'),
      method: z.string().regex(/^[A-Z]+$/).describe('the request method it answers (CSeq)'),
      headers: z.array(z.string()).default([]).describe('regular expressions each matched against the response lines'),
      nth: z.number().int().min(0).default(0).describe('which matching response, 0 = first (re-INVITEs answer again)'),
    },
    run(spec, ev) {
      const res = ev.sip.filter((r) => r.dir === 'toCaller' && r.firstLine.startsWith(`SIP/2.0 ${spec.status} `) && (r.cseq ?? '').toUpperCase().endsWith(` ${spec.method}`))[spec.nth];
      const lines = res ? res.raw.split('\r\n') : [];
      const missing = spec.headers.filter((h) => !lines.some((l) => new RegExp(h, 'i').test(l)));
      return {
        name: `${spec.check} ${spec.status} ${spec.method}${spec.nth ? ` #${spec.nth + 1}` : ''}`,
        passed: res !== undefined && missing.length === 0,
        value: res ? res.firstLine : null,
        limit: `${spec.status} to ${spec.method}${spec.headers.length ? ` with ${spec.headers.join(', ')}` : ''}`,
        ...(missing.length ? { detail: `missing ${missing.join(', ')}` } : {}),
      };
    },
  }),
  defineCheck({
    name: 'sip-retransmissions-identical',
    doc: 'every copy of a `status` response to `method` the gateway sent (per Call-ID and CSeq, as the tap received it) is byte for byte the first, and one was sent at least `minCopies` times, so a retransmission really happened',
    params: {
      status: z.number().int().min(100).max(699).describe('the response status'),
      method: z.string().regex(/^[A-Z]+$/).describe('the request method it answers (CSeq)'),
      minCopies: z.number().int().min(2).default(2).describe('copies of one response, the first included, the wire must show'),
    },
    run(spec, ev) {
      return checkRetransmissionsIdentical(`${spec.check} ${spec.status} ${spec.method}`, spec, ev.sip);
    },
  }),
  defineCheck({
    name: 'gateway-bye',
    doc: 'the gateway\'s own BYE carried a Reason matching `reason`, `afterMs` to `afterMs` + `withinMs` after the answer',
    params: {
      reason: z.string().describe('regular expression for the Reason header line'),
      afterMs: z.number().min(0).describe('earliest time after the 200 OK to the INVITE, ms'),
      withinMs: z.number().positive().describe('window after afterMs, ms'),
    },
    run(spec, ev) {
      const bye = ev.sip.find((r) => r.dir === 'toCaller' && r.firstLine.startsWith('BYE '));
      const answered = ev.sip.find((r) => r.dir === 'toCaller' && r.firstLine.startsWith('SIP/2.0 200 ') && (r.cseq ?? '').toUpperCase().endsWith(' INVITE'));
      if (!bye || !answered) return { name: spec.check, passed: false, value: null, limit: spec.reason, detail: !bye ? 'the gateway sent no BYE' : 'the call was never answered' };
      const reasonLine = bye.raw.split('\r\n').find((l) => /^reason:/i.test(l)) ?? '';
      const ms = bye.t - answered.t;
      return {
        name: spec.check,
        passed: new RegExp(spec.reason, 'i').test(reasonLine) && ms >= spec.afterMs && ms <= spec.afterMs + spec.withinMs,
        value: `${reasonLine || 'no Reason header'} after ${(ms / 1000).toFixed(2)} s`,
        limit: `${spec.reason} after ${spec.afterMs / 1000}..${(spec.afterMs + spec.withinMs) / 1000} s`,
      };
    },
  }),
  defineCheck({
    name: 'hold-respected',
    doc: 'no RTP from the gateway while held, media again after resume',
    params: {
      graceMs: z.number().min(0).max(200).default(40).describe('packets this soon after the hold was answered are tolerated, ms'),
    },
    run(spec, ev) {
      // The caller's re-INVITEs: the first puts the gateway on hold, the next resumes.
      const answers = ev.sip.filter((r) => r.dir === 'toCaller' && r.firstLine.startsWith('SIP/2.0 200 ') && /^\d+ INVITE$/i.test(r.cseq ?? '') && !(r.cseq ?? '').startsWith('1 '));
      const [held, resumed] = answers;
      if (!held || !resumed) return { name: spec.check, passed: false, value: null, limit: null, detail: 'hold and resume re-INVITEs were not both answered 200' };
      const out = rtpPackets(ev.rtp, 'toCaller');
      const during = out.filter((r) => r.t > held.t + spec.graceMs && r.t < resumed.t).length;
      const after = out.filter((r) => r.t > resumed.t).length;
      return {
        name: spec.check,
        passed: during === 0 && after > 10,
        value: `${during} packets while held, ${after} after resume`,
        limit: '0 while held, > 10 after resume',
      };
    },
  }),
];
