import type { Evidence } from '../evidence.js';
import { rtpPackets } from './wire.js';

/** Helpers shared by several checks. */

/**
 * The caller's stream as the gateway should reconstruct it: every sequence number from the first to the
 * last packet that reached the gateway, marking those the lab network dropped.
 */
export function callerFrames(ev: Evidence): Array<{ lost: boolean; payload?: Buffer }> | undefined {
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
export function interruptedItem(ev: Evidence): { itemId: string; frames: number; lastAt: number; speechStartedAt: number } | undefined {
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

export function itemText(item: unknown): string {
  const content = (item as { content?: Array<{ text?: unknown }> } | undefined)?.content ?? [];
  return content.map((c) => (typeof c.text === 'string' ? c.text : '')).join(' ');
}

export function pick(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}

export function isSilence(payload: Buffer): boolean {
  const first = payload[0];
  return (first === 0xff || first === 0xd5 || first === 0x7f || first === 0x55) && payload.every((b) => b === first);
}

/** Bytes of `needle` found as one contiguous run in haystack, starting at needle's beginning. */
export function longestPrefixFound(haystack: Buffer, needle: Buffer): number {
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

export function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function tail(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
}
