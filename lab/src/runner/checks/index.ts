import type { CheckSpec } from '../scenario-schema.js';
import type { CheckResult, Evidence } from '../evidence.js';
import { join } from 'node:path';
import { alignedSnrDb, decodeG711, encodeWavMulaw } from './signal.js';
import { checkRetransmissionsIdentical } from './sip-retransmissions.js';
import { callerBye, payloadInSeqOrder, percentile, rtpPackets } from './wire.js';

/**
 * Every check a scenario can ask for. Each returns the measured value beside its limit so the report
 * shows how close a pass was, not just that it passed.
 */
export function runCheck(spec: CheckSpec, ev: Evidence): CheckResult {
  switch (spec.check) {
    case 'caller-script-passed': {
      const code = ev.caller.exitCode;
      return { name: spec.check, passed: code === 0, value: code, limit: 0, detail: code === 0 ? undefined : tail(ev.caller.detail) };
    }
    case 'bye-answered': {
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
    }
    case 'realtime-audio-equals-caller-payload': {
      // Through the tap: what reached the gateway. Direct (TCP) calls: what the caller sent.
      const wire = rtpPackets(ev.rtp, 'toGateway');
      const arrived = wire.length > 0 ? payloadInSeqOrder(wire) : ev.caller.sentPayload;
      const received = ev.realtime.receivedAudio;
      const equal = arrived.length > 0 && Buffer.compare(arrived, received) === 0;
      let detail: string | undefined;
      if (!equal) {
        let i = 0;
        while (i < arrived.length && i < received.length && arrived[i] === received[i]) i++;
        detail = `caller payload ${arrived.length} B, Realtime received ${received.length} B, first difference at byte ${i}`;
      }
      return { name: spec.check, passed: equal, value: received.length, limit: arrived.length, detail };
    }
    case 'packets-each-way': {
      const toGw = rtpPackets(ev.rtp, 'toGateway').length;
      const toCaller = rtpPackets(ev.rtp, 'toCaller').length;
      return {
        name: spec.check,
        passed: toGw >= spec.minToGateway && toCaller >= spec.minToCaller,
        value: `${toGw} to gateway, ${toCaller} to caller`,
        limit: `>= ${spec.minToGateway}, >= ${spec.minToCaller}`,
      };
    }
    case 'no-gateway-rtp-after-bye': {
      const { answer } = callerBye(ev.sip);
      if (!answer) return { name: spec.check, passed: false, value: null, limit: 0, detail: 'no answered BYE to measure from' };
      const late = rtpPackets(ev.rtp, 'toCaller', 'any').filter((r) => r.t > answer.t + spec.graceMs);
      return { name: spec.check, passed: late.length === 0, value: late.length, limit: 0, detail: late.length ? `first at +${(late[0]!.t - answer.t).toFixed(1)} ms` : undefined };
    }
    case 'realtime-closed-after-bye': {
      const { bye } = callerBye(ev.sip);
      const conn = ev.realtime.connections.at(-1);
      if (!bye || !conn) return { name: spec.check, passed: false, value: null, limit: spec.withinMs, detail: !bye ? 'no BYE' : 'no Realtime connection' };
      if (conn.closedAt === undefined) return { name: spec.check, passed: false, value: null, limit: spec.withinMs, detail: 'Realtime socket still open' };
      const ms = conn.closedAt - bye.t;
      return { name: spec.check, passed: ms >= 0 && ms <= spec.withinMs, value: round(ms), limit: spec.withinMs };
    }
    case 'gateway-resources-released': {
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
    }
    case 'agent-speaking-at-bye': {
      const { bye } = callerBye(ev.sip);
      if (!bye) return { name: spec.check, passed: false, value: null, limit: true, detail: 'caller sent no BYE' };
      const before = rtpPackets(ev.rtp, 'toCaller').filter((r) => r.t <= bye.t && r.t > bye.t - spec.windowMs);
      const speech = before.filter((r) => r.payload && !isSilence(r.payload));
      return { name: spec.check, passed: speech.length > 0, value: speech.length, limit: `> 0 agent-audio packets in the ${spec.windowMs} ms before BYE` };
    }
    case 'sip-response': {
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
    }
    case 'sip-retransmissions-identical':
      return checkRetransmissionsIdentical(`${spec.check} ${spec.status} ${spec.method}`, spec, ev.sip);
    case 'hold-respected': {
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
    }
    case 'gateway-bye': {
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
    }
    case 'gateway-log': {
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
    }
    case 'realtime-instructions-contain': {
      const updates = ev.realtime.clientEvents.filter((e) => e.type === 'session.update');
      const instructions = updates.map((u) => String((u.event.session as { instructions?: unknown } | undefined)?.instructions ?? '')).join('\n');
      const missing = spec.texts.filter((t) => !instructions.includes(t));
      return { name: spec.check, passed: updates.length > 0 && missing.length === 0, value: missing.length ? `missing: ${missing.join(' | ')}` : 'all present', limit: spec.texts.join(' | ') };
    }
    case 'barge-in-reaction': {
      const heard = interruptedItem(ev);
      if (!heard) return { name: spec.check, passed: false, value: null, limit: spec.maxMs, detail: 'no agent answer was interrupted (no speech_started during agent audio)' };
      const ms = heard.lastAt - heard.speechStartedAt;
      return {
        name: spec.check,
        passed: ms <= spec.maxMs,
        value: round(ms),
        limit: spec.maxMs,
        detail: `last packet of the interrupted answer ${round(ms)} ms after the fake sent speech_started (${heard.frames} frames heard)`,
      };
    }
    case 'truncate-accuracy': {
      const heard = interruptedItem(ev);
      const truncate = ev.realtime.clientEvents.find((e) => e.type === 'conversation.item.truncate');
      if (!heard || !truncate) return { name: spec.check, passed: false, value: null, limit: spec.toleranceMs, detail: !truncate ? 'no conversation.item.truncate received' : 'no interrupted answer' };
      const told = Number(truncate.event.audio_end_ms);
      const heardMs = heard.frames * 20;
      const error = told - heardMs;
      return {
        name: spec.check,
        passed: Math.abs(error) <= spec.toleranceMs && truncate.event.item_id === heard.itemId,
        value: round(error),
        limit: `±${spec.toleranceMs}`,
        detail: `truncate audio_end_ms ${told} vs ${heardMs} ms of the answer heard by the caller`,
      };
    }
    case 'no-barge-in': {
      const firstAgent = Math.min(...ev.realtime.sentAudio.map((a) => a.firstDeltaAt).filter((t) => Number.isFinite(t)));
      const during = ev.realtime.speechStartedAt.filter((t) => t > firstAgent).length;
      const truncates = ev.realtime.clientEvents.filter((e) => e.type === 'conversation.item.truncate' || e.type === 'response.cancel').length;
      return {
        name: spec.check,
        passed: Number.isFinite(firstAgent) && during === 0 && truncates === 0,
        value: `${during} speech_started during agent audio, ${truncates} truncate/cancel`,
        limit: '0, 0',
      };
    }
    case 'agent-interrupted': {
      const heard = interruptedItem(ev);
      return {
        name: spec.check,
        passed: heard !== undefined,
        value: heard ? `cut after ${heard.frames * 20} ms` : 'not interrupted',
        limit: 'interrupted',
      };
    }
    case 'realtime-user-text': {
      const texts = ev.realtime.clientEvents.filter((e) => e.type === 'conversation.item.create').map((e) => itemText(e.event.item));
      const hit = texts.find((t) => t.includes(spec.contains));
      return { name: spec.check, passed: hit !== undefined, value: hit ?? (texts.join(' | ') || null), limit: `a user item containing "${spec.contains}"` };
    }
    case 'realtime-function-output': {
      const outputs = ev.realtime.clientEvents
        .filter((e) => e.type === 'conversation.item.create' && (e.event.item as { type?: string } | undefined)?.type === 'function_call_output')
        .map((e) => String((e.event.item as { output?: unknown }).output ?? ''));
      const hit = outputs.find((o) => o.includes(spec.contains));
      return { name: spec.check, passed: hit !== undefined, value: hit ?? (outputs.join(' | ') || null), limit: `a function_call_output containing "${spec.contains}"` };
    }
    case 'connect-attributes': {
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
    }
    case 'realtime-reconnected': {
      const conns = ev.realtime.connections;
      const first = conns[0];
      const second = conns[1];
      if (!first?.closedAt || !second) return { name: spec.check, passed: false, value: `${conns.length} sessions`, limit: '>= 2 sessions' };
      const ready = ev.realtime.clientEvents.find((e) => e.type === 'session.update' && e.t >= second.openedAt);
      const gap = (ready?.t ?? second.openedAt) - first.closedAt;
      return { name: spec.check, passed: gap <= spec.maxGapMs, value: round(gap), limit: spec.maxGapMs, detail: `socket lost → new session configured: ${round(gap)} ms` };
    }
    case 'realtime-connections': {
      const conns = ev.realtime.connections;
      const open = conns.filter((c) => c.closedAt === undefined).length;
      return {
        name: spec.check,
        passed: conns.length >= spec.min && conns.length <= spec.max && open === 0,
        value: `${conns.length} sessions, ${open} still open`,
        limit: `${spec.min}..${spec.max} sessions, all closed`,
      };
    }
    case 'realtime-received-wav': {
      const bytes = encodeWavMulaw(join(ev.root, spec.wav));
      const found = longestPrefixFound(ev.realtime.receivedAudio, bytes);
      const fraction = bytes.length === 0 ? 0 : found / bytes.length;
      return { name: spec.check, passed: fraction >= spec.fraction, value: round(fraction, 3), limit: spec.fraction, detail: `${found} of ${bytes.length} bytes of ${spec.wav} reached Realtime unchanged, in order` };
    }
    case 'srtp-negotiated': {
      const profile = ev.caller.srtpProfile;
      return { name: spec.check, passed: profile === spec.profile, value: profile ?? 'plain RTP', limit: spec.profile };
    }
    case 'realtime-stream-gap-free': {
      const frames = callerFrames(ev);
      if (!frames) return { name: spec.check, passed: false, value: null, limit: null, detail: 'no caller RTP reached the gateway' };
      const expected = frames.length * 160;
      const received = ev.realtime.receivedAudio.length;
      // Frames neither lost nor right after a loss (concealment cross-fades into that one) must be untouched.
      let altered = 0;
      frames.forEach((f, i) => {
        if (f.lost || frames[i - 1]?.lost) return;
        const got = ev.realtime.receivedAudio.subarray(i * 160, (i + 1) * 160);
        if (!f.payload || Buffer.compare(got, f.payload) !== 0) altered++;
      });
      return {
        name: spec.check,
        passed: received === expected && altered === 0,
        value: `${received / 160} frames, ${altered} intact frames altered`,
        limit: `${frames.length} frames (first to last caller packet), 0 altered`,
      };
    }
    case 'concealment-matches-loss': {
      const frames = callerFrames(ev);
      const injected = frames ? frames.filter((f) => f.lost).length : 0;
      const ended = [...ev.gateway.logs].reverse().find((l) => l.msg === 'call ended');
      const concealed = (ended?.media as { jitterBuffer?: { concealedFrames?: number } } | undefined)?.jitterBuffer?.concealedFrames;
      if (concealed === undefined) return { name: spec.check, passed: false, value: null, limit: injected, detail: 'no jitter-buffer figures in the call summary' };
      return {
        name: spec.check,
        passed: injected >= spec.minLoss && concealed === injected,
        value: concealed,
        limit: injected,
        detail: `${injected} caller packets dropped by the lab network, ${concealed} frames concealed by the gateway`,
      };
    }
    case 'caller-heard-agent-audio': {
      const heard = payloadInSeqOrder(rtpPackets(ev.rtp, 'toCaller'));
      const sent = spec.wav !== undefined ? [{ itemId: spec.wav, bytes: encodeWavMulaw(join(ev.root, spec.wav)), firstDeltaAt: NaN }] : spec.lastOnly ? ev.realtime.sentAudio.slice(-1) : ev.realtime.sentAudio;
      const total = sent.reduce((n, s) => n + s.bytes.length, 0);
      let found = 0;
      for (const item of sent) found += longestPrefixFound(heard, item.bytes);
      const fraction = total === 0 ? 0 : found / total;
      return { name: spec.check, passed: total > 0 && fraction >= spec.fraction, value: round(fraction, 3), limit: spec.fraction, detail: `${found} of ${total} bytes of agent audio reached the caller in order` };
    }
    case 'caller-heard-agent-audio-snr': {
      // pcm16 mode: the agent's audio went 8 kHz → 24 kHz (fake) → 8 kHz (gateway), so compare by signal.
      const heard = decodeG711(payloadInSeqOrder(rtpPackets(ev.rtp, 'toCaller')));
      const reference = ev.realtime.sentReference8k[0];
      if (!reference || heard.length < reference.length) return { name: spec.check, passed: false, value: null, limit: spec.minSnrDb, detail: 'no agent answer to compare' };
      const snr = alignedSnrDb(reference, heard);
      return { name: spec.check, passed: snr >= spec.minSnrDb, value: round(snr), limit: spec.minSnrDb, detail: 'SNR of the answer the caller heard against the fixture, after aligning by cross-correlation' };
    }
    case 'realtime-audio-snr': {
      const wire = rtpPackets(ev.rtp, 'toGateway');
      const callerPcm = decodeG711(wire.length > 0 ? payloadInSeqOrder(wire) : ev.caller.sentPayload);
      const received = ev.realtime.receivedPcm8k;
      if (!received || received.length === 0) return { name: spec.check, passed: false, value: null, limit: spec.minSnrDb, detail: 'the fake received no PCM16 audio' };
      const snr = alignedSnrDb(callerPcm.subarray(0, Math.min(callerPcm.length, received.length)), received);
      return { name: spec.check, passed: snr >= spec.minSnrDb, value: round(snr), limit: spec.minSnrDb, detail: 'SNR of the 24 kHz audio the fake received (brought back to 8 kHz) against the caller’s' };
    }
    case 'outbound-pacing': {
      // The gateway's own send-time lateness is the figure that counts; the wire inter-arrival
      // spread is shown beside it (it also carries the lab tap's scheduling noise).
      const ended = [...ev.gateway.logs].reverse().find((l) => l.msg === 'call ended');
      const pacing = ended?.pacing as { count: number; p50Ms: number; p99Ms: number; maxMs: number } | undefined;
      const pkts = rtpPackets(ev.rtp, 'toCaller');
      const deviations: number[] = [];
      for (let i = 1; i < pkts.length; i++) {
        const dSeq = ((pkts[i]!.seq! - pkts[i - 1]!.seq! + 0x10000) & 0xffff) || 1;
        deviations.push(Math.abs(pkts[i]!.t - pkts[i - 1]!.t - 20 * dSeq));
      }
      if (!pacing || pacing.count === 0) return { name: spec.check, passed: false, value: null, limit: spec.p99LatenessMs, detail: 'no pacing figures in the call summary' };
      return {
        name: spec.check,
        passed: pacing.p99Ms <= spec.p99LatenessMs,
        value: round(pacing.p99Ms, 2),
        limit: spec.p99LatenessMs,
        detail: `send lateness p50 ${round(pacing.p50Ms, 2)} / p99 ${round(pacing.p99Ms, 2)} / max ${round(pacing.maxMs, 2)} ms over ${pacing.count} sends; wire inter-arrival deviation p99 ${round(percentile(deviations, 99), 1)} ms`,
      };
    }
  }
}

/**
 * The caller's stream as the gateway should reconstruct it: every sequence number from the first to the
 * last packet that reached the gateway, marking those the lab network dropped.
 */
function callerFrames(ev: Evidence): Array<{ lost: boolean; payload?: Buffer }> | undefined {
  const all = rtpPackets(ev.rtp, 'toGateway', 'any').filter((r) => r.fate !== 'unrouted');
  const delivered = all.filter((r) => r.fate === 'forwarded');
  if (delivered.length === 0) return undefined;
  const bySeq = new Map<number, { lost: boolean; payload?: Buffer }>();
  for (const r of all) {
    const prev = bySeq.get(r.seq!);
    if (!prev || r.fate === 'forwarded') bySeq.set(r.seq!, { lost: r.fate === 'dropped', ...(r.payload ? { payload: r.payload } : {}) });
  }
  const first = delivered[0]!.seq!;
  const last = delivered.at(-1)!.seq!;
  const frames: Array<{ lost: boolean; payload?: Buffer }> = [];
  for (let seq = first; ; seq = (seq + 1) & 0xffff) {
    frames.push(bySeq.get(seq) ?? { lost: true });
    if (seq === last || frames.length > 100_000) break;
  }
  return frames;
}

/**
 * The answer the caller interrupted: the first agent item whose audio was playing when the fake sent
 * speech_started, how many of its frames the caller heard (matched byte for byte on the wire) and
 * when the last of them passed the tap.
 */
function interruptedItem(ev: Evidence): { itemId: string; frames: number; lastAt: number; speechStartedAt: number } | undefined {
  const heard = rtpPackets(ev.rtp, 'toCaller').filter((r) => r.payload);
  for (const item of ev.realtime.sentAudio) {
    if (item.bytes.length < 160) continue;
    const first = item.bytes.subarray(0, 160);
    const start = heard.findIndex((r) => r.payload!.equals(first));
    if (start < 0) continue;
    let frames = 0;
    while (start + frames < heard.length && (frames + 1) * 160 <= item.bytes.length && heard[start + frames]!.payload!.equals(item.bytes.subarray(frames * 160, (frames + 1) * 160))) frames++;
    const startedAt = heard[start]!.t;
    const lastAt = heard[start + frames - 1]!.t;
    const speech = ev.realtime.speechStartedAt.find((t) => t > startedAt && t < lastAt + 200);
    if (speech !== undefined && frames * 160 < item.bytes.length) return { itemId: item.itemId, frames, lastAt, speechStartedAt: speech };
  }
  return undefined;
}

function itemText(item: unknown): string {
  const content = (item as { content?: Array<{ text?: unknown }> } | undefined)?.content ?? [];
  return content.map((c) => (typeof c.text === 'string' ? c.text : '')).join(' ');
}

function pick(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}

function isSilence(payload: Buffer): boolean {
  const first = payload[0];
  return (first === 0xff || first === 0xd5 || first === 0x7f || first === 0x55) && payload.every((b) => b === first);
}

/** Bytes of `needle` found as one contiguous run in haystack, starting at needle's beginning. */
function longestPrefixFound(haystack: Buffer, needle: Buffer): number {
  if (needle.length === 0) return 0;
  const probe = needle.subarray(0, Math.min(160, needle.length));
  let best = 0;
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(probe, from);
    if (at < 0) break;
    let n = 0;
    while (n < needle.length && at + n < haystack.length && haystack[at + n] === needle[n]) n++;
    best = Math.max(best, n);
    from = at + 1;
  }
  return best;
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
}
