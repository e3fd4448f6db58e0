import { z } from 'zod';
import { defineCheck } from '../define.js';
import { pick, round } from '../helpers.js';

/** The gateway's own account and the Amazon Connect hand-back. */
export const gatewayChecks = [
  defineCheck({
    name: 'gateway-log',
    doc: 'a gateway log line `msg` has these `fields` (dotted paths; strings are regular expressions)',
    params: {
      msg: z.string().describe('the log line\'s msg'),
      fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe('dotted path → expected value (strings: regular expressions matched against the whole value)'),
    },
    run(spec, ev) {
      const line = ev.gateway.logs.find((l) => l.msg === spec.msg);
      if (!line) return { name: `${spec.check} "${spec.msg}"`, passed: false, value: null, limit: JSON.stringify(spec.fields), detail: 'no such log line' };
      // String expectations are regular expressions matched against the whole value.
      const matches = (got: unknown, want: string | number | boolean) =>
        typeof want === 'string' ? typeof got === 'string' && new RegExp(`^(?:${want})$`).test(got) : got === want;
      const wrong = Object.entries(spec.fields).filter(([path, want]) => !matches(pick(line, path), want));
      return {
        name: `${spec.check} "${spec.msg}"`,
        passed: wrong.length === 0,
        value: wrong.length === 0 ? 'all fields as expected' : wrong.map(([p]) => `${p}=${JSON.stringify(pick(line, p))}`).join(', '),
        limit: JSON.stringify(spec.fields),
      };
    },
  }),
  defineCheck({
    name: 'gateway-resources-released',
    doc: 'the call summary reports 0 calls, RTP ports, media streams and call timers, and the process holds no more sockets than before the call (the pooled Connect API connection aside)',
    params: {},
    run(spec, ev) {
      const ended = [...ev.gateway.logs].reverse().find((l) => l.msg === 'call ended');
      const res = ended?.resources as Record<string, number> | undefined;
      const problems: string[] = [];
      if (!ended || !res) problems.push('no "call ended" summary in the gateway log');
      else {
        for (const [key, value] of Object.entries(res)) if (value !== 0) problems.push(`${key}=${value}`);
      }
      const { socketsBefore, socketsAfter } = ev.gateway;
      if (socketsBefore !== undefined && socketsAfter !== undefined && socketsAfter > socketsBefore) {
        problems.push(`${socketsAfter - socketsBefore} more open sockets than before the call`);
      }
      return {
        name: spec.check,
        passed: problems.length === 0,
        value: problems.length === 0 ? `calls, ports, streams, call timers all 0; sockets ${socketsBefore}→${socketsAfter}` : problems.join('; '),
        limit: 'none left',
      };
    },
  }),
  defineCheck({
    name: 'connect-writes',
    doc: 'the fake Connect API received exactly `count` UpdateContactAttributes requests (for `instanceId` only, when given), answered or not',
    params: {
      count: z.number().int().nonnegative().describe('requests expected'),
      instanceId: z.string().optional().describe('count only requests naming this InstanceId'),
    },
    run(spec, ev) {
      const counted = ev.connect.filter((r) => spec.instanceId === undefined || r.instanceId === spec.instanceId);
      const instances = [...new Set(ev.connect.map((r) => r.instanceId ?? '(none)'))];
      return {
        name: spec.instanceId === undefined ? spec.check : `${spec.check} ${spec.instanceId}`,
        passed: counted.length === spec.count,
        value: `${counted.length} requests${instances.length > 0 ? ` (instances: ${instances.join(', ')})` : ''}`,
        limit: String(spec.count),
      };
    },
  }),
  defineCheck({
    name: 'connect-attributes',
    doc: 'the fake Connect API recorded an UpdateContactAttributes with these `attributes` (regexes), before the gateway\'s BYE when `beforeBye`',
    params: {
      attributes: z.record(z.string(), z.string()).describe('attribute → regular expression for its whole value'),
      beforeBye: z.boolean().default(true).describe('the write must come before the gateway\'s BYE'),
    },
    run(spec, ev) {
      const ok = ev.connect.filter((r) => r.status === 200);
      const bye = ev.sip.find((r) => r.dir === 'toCaller' && r.firstLine.startsWith('BYE '));
      const match = ok.find((r) =>
        Object.entries(spec.attributes).every(([k, want]) => r.attributes[k] !== undefined && new RegExp(`^(?:${want})$`, 's').test(r.attributes[k])),
      );
      const ordered = !spec.beforeBye || (match !== undefined && bye !== undefined && match.t < bye.t);
      return {
        name: spec.check,
        passed: match !== undefined && ordered,
        value: match ? `${JSON.stringify(match.attributes).slice(0, 300)}${bye ? ` (${round(bye.t - match.t)} ms before the BYE)` : ''}` : `${ev.connect.length} requests, none matching`,
        limit: JSON.stringify(spec.attributes),
      };
    },
  }),
];
