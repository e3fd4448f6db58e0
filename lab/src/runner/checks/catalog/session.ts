import { z } from 'zod';
import type { Evidence } from '../../evidence.js';
import { defineCheck } from '../define.js';
import { round } from '../helpers.js';
import { rtpPackets } from '../wire.js';

/** How far either side of a session change the caller's RTP is examined for a gap; ms. */
const WIRE_WINDOW_MS = 2_000;

interface Change {
  from: number;
  to: number;
  /** Last caller audio appended to the old session, first to the new one (lab time). */
  lastOld: number | undefined;
  firstNew: number | undefined;
  /** The new session opened while the old one was still up (a renewal, not a reconnect). */
  overlapped: boolean;
}

function sessionChanges(ev: Evidence): Change[] {
  const appends = ev.realtime.clientEvents.filter((e) => e.type === 'input_audio_buffer.append');
  const conns = ev.realtime.connections;
  const changes: Change[] = [];
  for (let i = 1; i < conns.length; i++) {
    const old = conns[i - 1]!;
    const next = conns[i]!;
    const lastOld = appends.filter((a) => a.session === i - 1).at(-1)?.t;
    const firstNew = appends.find((a) => a.session === i)?.t;
    changes.push({ from: i - 1, to: i, lastOld, firstNew, overlapped: old.closedAt === undefined || next.openedAt < old.closedAt });
  }
  return changes;
}

/** Longest pause between consecutive gateway → caller RTP packets within `from`..`to` (lab time). */
function longestWireGap(ev: Evidence, from: number, to: number): number {
  const times = rtpPackets(ev.rtp, 'toCaller')
    .map((r) => r.t)
    .filter((t) => t >= from && t <= to);
  let gap = 0;
  for (let k = 1; k < times.length; k++) gap = Math.max(gap, times[k]! - times[k - 1]!);
  return gap;
}

/** The Realtime session's maximum duration: renewed in time, and the caller heard nothing of it. */
export const sessionChecks = [
  defineCheck({
    name: 'realtime-renewed-without-gap',
    doc:
      'the Realtime session was replaced at least `minRenewals` times before the provider ended it (the fake sent no `session_expired`; each new session opened while the old one was up), and across each change neither direction paused longer than `maxGapMs`: caller audio from the last append to the old session to the first to the new one, and the gateway\'s RTP to the caller within 2 s either side',
    params: {
      maxGapMs: z.number().positive().default(200).describe('longest pause either way across a session change, ms'),
      minRenewals: z.number().int().positive().default(1).describe('fewest session changes'),
    },
    run(spec, ev) {
      const expired = ev.realtime.errorsSent.filter((e) => e.code === 'session_expired');
      const changes = sessionChanges(ev);
      const problems: string[] = [];
      if (expired.length > 0) problems.push(`the provider expired session ${expired.map((e) => e.session).join(', ')} (${expired[0]!.message})`);
      if (changes.length < spec.minRenewals) problems.push(`${changes.length} session changes, need ${spec.minRenewals}`);
      let worst = 0;
      const parts: string[] = [];
      for (const c of changes) {
        if (!c.overlapped) problems.push(`session ${c.to} opened after session ${c.from} had closed (a reconnect, not a renewal)`);
        if (c.lastOld === undefined || c.firstNew === undefined) {
          problems.push(`no caller audio on ${c.lastOld === undefined ? `session ${c.from}` : `session ${c.to}`}`);
          continue;
        }
        const audioGap = c.firstNew - c.lastOld;
        const wireGap = longestWireGap(ev, c.lastOld - WIRE_WINDOW_MS, c.firstNew + WIRE_WINDOW_MS);
        worst = Math.max(worst, audioGap, wireGap);
        parts.push(`session ${c.from}→${c.to}: caller audio paused ${round(audioGap)} ms, RTP to the caller ${round(wireGap)} ms at most`);
      }
      const passed = problems.length === 0 && worst <= spec.maxGapMs;
      return {
        name: spec.check,
        passed,
        value: changes.length === 0 ? null : round(worst),
        limit: spec.maxGapMs,
        detail: [...problems, ...parts].join('; ') || 'no session change',
      };
    },
  }),
];
