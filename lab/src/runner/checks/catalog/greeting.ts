import { resolve } from 'node:path';
import { z } from 'zod';
import { encodeMulaw } from 'connect-realtime-gateway';
import { readWav } from '../../../callers/wav.js';
import type { Evidence } from '../../evidence.js';
import { defineCheck } from '../define.js';
import { isSilence, longestPrefixFound, round } from '../helpers.js';
import { isRequest, rtpPackets } from '../wire.js';

/** Greetings: the instant (pre-recorded) one, the protected one, and the minimum interruption length. */

/** The ACK of the INVITE, as it passed the lab's SIP tap towards the gateway. */
function ackAt(ev: Evidence): number | undefined {
  return ev.sip.find((r) => r.dir === 'toGateway' && isRequest(r, 'ACK'))?.t;
}

/** Where the fake's response `index` (in order of creation) played on the wire, and how much of it. */
function responseOnWire(ev: Evidence, index: number): { itemIds: string[]; heardBytes: number; sentBytes: number; firstAt?: number; lastAt?: number } | undefined {
  const response = ev.realtime.responses[index];
  if (response === undefined) return undefined;
  const heard = rtpPackets(ev.rtp, 'toCaller').filter((r) => r.payload);
  const wire = Buffer.concat(heard.map((r) => r.payload!));
  let heardBytes = 0;
  let sentBytes = 0;
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  for (const itemId of response.itemIds) {
    const sent = ev.realtime.sentAudio.find((a) => a.itemId === itemId);
    if (sent === undefined) continue;
    sentBytes += sent.bytes.length;
    heardBytes += longestPrefixFound(wire, sent.bytes);
    const head = sent.bytes.subarray(0, 160);
    const start = heard.findIndex((r) => r.payload!.equals(head));
    if (start < 0) continue;
    firstAt ??= heard[start]!.t;
    const frames = Math.max(1, Math.floor(longestPrefixFound(wire, sent.bytes) / 160));
    lastAt = heard[Math.min(heard.length - 1, start + frames - 1)]!.t;
  }
  return { itemIds: response.itemIds, heardBytes, sentBytes, ...(firstAt === undefined ? {} : { firstAt }), ...(lastAt === undefined ? {} : { lastAt }) };
}

export const greetingChecks = [
  defineCheck({
    name: 'first-agent-audio-after-ack',
    doc: 'the first agent (non-silent) RTP packet to the caller left ≤ `maxMs` after the caller\'s ACK; with `wav`, the caller heard that recording (µ-law) from its first frame, at least `fraction` of it in one run',
    params: {
      maxMs: z.number().positive().default(100).describe('longest wait after the ACK, ms'),
      wav: z.string().optional().describe('the pre-recorded greeting (8 kHz WAV, relative to the repository root)'),
      fraction: z.number().min(0).max(1).default(1).describe('share of the recording heard in one run'),
    },
    run(spec, ev) {
      const ack = ackAt(ev);
      const first = rtpPackets(ev.rtp, 'toCaller').find((r) => r.payload && !isSilence(r.payload) && (ack === undefined || r.t >= ack));
      if (ack === undefined || first === undefined) return { name: spec.check, passed: false, value: null, limit: spec.maxMs, detail: ack === undefined ? 'no ACK on the wire' : 'no agent audio after the ACK' };
      const ms = first.t - ack;
      let heard = 1;
      let detail = `first agent audio ${round(ms)} ms after the ACK`;
      if (spec.wav !== undefined) {
        const { samples } = readWav(resolve(ev.root, spec.wav));
        const expected = Buffer.alloc(samples.length);
        encodeMulaw(samples, expected);
        const wire = Buffer.concat(rtpPackets(ev.rtp, 'toCaller').filter((r) => r.payload && r.t >= first.t).map((r) => r.payload!));
        const whole = expected.length - (expected.length % 160);
        heard = whole === 0 ? 0 : Math.min(1, longestPrefixFound(wire.subarray(0, wire.length), expected.subarray(0, whole)) / whole);
        if (!wire.subarray(0, 160).equals(expected.subarray(0, 160))) heard = 0;
        detail += `; ${round(heard * 100)} % of ${spec.wav} heard from its first frame`;
      }
      return { name: spec.check, passed: ms <= spec.maxMs && heard >= spec.fraction, value: round(ms), limit: spec.maxMs, detail };
    },
  }),
  defineCheck({
    name: 'response-not-interrupted',
    doc: 'the fake\'s response number `response` (0 = first) completed, none of its items was truncated, deleted or cancelled, the caller heard all of its audio, and at least `speechStartsMin` speech_started fell while it played',
    params: {
      response: z.number().int().min(0).describe('index of the response, in order of creation'),
      speechStartsMin: z.number().int().min(0).default(1).describe('caller speech starts that must fall inside its playback (the caller talked over it)'),
    },
    run(spec, ev) {
      const r = ev.realtime.responses[spec.response];
      const wire = responseOnWire(ev, spec.response);
      if (r === undefined || wire === undefined) return { name: spec.check, passed: false, value: null, limit: 'completed, heard whole', detail: `no response #${spec.response}` };
      const truncated = ev.realtime.truncates.filter((t) => wire.itemIds.includes(t.itemId)).length;
      const deleted = ev.realtime.deletedItems.filter((id) => wire.itemIds.includes(id)).length;
      const cancels = ev.realtime.clientEvents.filter((e) => e.type === 'response.cancel' && (e.event.response_id === undefined || e.event.response_id === r.id)).length;
      const overlaps = wire.firstAt === undefined || wire.lastAt === undefined ? 0 : ev.realtime.speechStartedAt.filter((t) => t >= wire.firstAt! && t <= wire.lastAt!).length;
      const whole = wire.sentBytes > 0 && wire.heardBytes >= wire.sentBytes - 159;
      const passed = r.status === 'completed' && truncated === 0 && deleted === 0 && cancels === 0 && whole && overlaps >= spec.speechStartsMin;
      return {
        name: spec.check,
        passed,
        value: `${r.status ?? 'open'}; heard ${wire.heardBytes}/${wire.sentBytes} bytes; ${truncated} truncate, ${deleted} delete, ${cancels} cancel; ${overlaps} speech_started during it`,
        limit: `completed, heard whole, 0/0/0, >= ${spec.speechStartsMin} speech_started`,
      };
    },
  }),
  defineCheck({
    name: 'barge-in-after-min-speech',
    doc: 'the response number `response` was cut once, by the LAST caller speech during it: its last packet left `minSpeechMs`..`minSpeechMs`+`maxMs` after that speech_started, at least `ignoredMin` earlier speech_started during it (short sounds) did not stop it, and the one truncate\'s `audio_end_ms` is within `toleranceMs` of what the caller heard of it',
    params: {
      response: z.number().int().min(0).describe('index of the interrupted response, in order of creation'),
      minSpeechMs: z.number().int().min(0).describe('the agent file\'s bargeIn.minSpeechMs'),
      maxMs: z.number().positive().default(120).describe('longest reaction beyond minSpeechMs, ms'),
      ignoredMin: z.number().int().min(0).default(1).describe('earlier speech starts during the response that must not have cut it'),
      toleranceMs: z.number().positive().default(20).describe('largest truncate error either way, ms'),
    },
    run(spec, ev) {
      const wire = responseOnWire(ev, spec.response);
      if (wire?.firstAt === undefined || wire.lastAt === undefined) return { name: spec.check, passed: false, value: null, limit: spec.minSpeechMs, detail: `response #${spec.response} not heard` };
      const starts = ev.realtime.speechStartedAt.filter((t) => t >= wire.firstAt! && t <= wire.lastAt!);
      const last = starts.at(-1);
      const cut = wire.heardBytes < wire.sentBytes - 159;
      const accepted = ev.realtime.truncates.filter((t) => wire.itemIds.includes(t.itemId) && t.accepted);
      const truncates = accepted.length;
      // Whole 20 ms frames of the response that crossed the wire: what the caller heard.
      const heardMs = Math.floor(wire.heardBytes / 160) * 20;
      const error = accepted[0] === undefined ? Number.POSITIVE_INFINITY : accepted[0].audioEndMs - heardMs;
      if (last === undefined || !cut) return { name: spec.check, passed: false, value: null, limit: spec.minSpeechMs, detail: !cut ? 'the response was not cut' : 'no speech_started during it' };
      const reaction = wire.lastAt - last;
      const passed = starts.length - 1 >= spec.ignoredMin && truncates === 1 && Math.abs(error) <= spec.toleranceMs && reaction >= spec.minSpeechMs - 40 && reaction <= spec.minSpeechMs + spec.maxMs;
      return {
        name: spec.check,
        passed,
        value: round(reaction),
        limit: `${spec.minSpeechMs}..${spec.minSpeechMs + spec.maxMs}`,
        detail: `${starts.length - 1} earlier speech_started ignored; cut ${round(reaction)} ms after the last one; ${truncates} accepted truncate, audio_end_ms ${accepted[0]?.audioEndMs ?? '-'} vs ${heardMs} ms heard`,
      };
    },
  }),
  defineCheck({
    name: 'realtime-assistant-text',
    doc: 'an assistant message given to the model (conversation.item.create) contains `contains`, before the fake\'s first response was created',
    params: {
      contains: z.string().min(1).describe('text the assistant item must contain'),
    },
    run(spec, ev) {
      const created = ev.realtime.clientEvents.filter((e) => e.type === 'conversation.item.create' && (e.event.item as { role?: string } | undefined)?.role === 'assistant');
      const hit = created.find((e) => JSON.stringify((e.event.item as { content?: unknown }).content ?? '').includes(spec.contains));
      const firstResponse = ev.realtime.clientEvents.find((e) => e.type === 'response.create');
      const before = hit !== undefined && (firstResponse === undefined || hit.t <= firstResponse.t);
      return { name: spec.check, passed: before, value: hit === undefined ? null : `at ${round(hit.t)} ms${firstResponse ? `, first response.create at ${round(firstResponse.t)} ms` : ''}`, limit: `an assistant item containing "${spec.contains}" before any response.create` };
    },
  }),
];
