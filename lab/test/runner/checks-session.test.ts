/** runCheck over synthetic evidence: realtime-renewed-without-gap (session expiry and renewal). */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/runner/checks/index.js';
import type { RealtimeEvidence } from '../../src/runner/evidence.js';
import { evidence, rtpRecord } from './helpers/evidence.js';
import { spec } from './helpers/spec.js';

type ClientEvent = RealtimeEvidence['clientEvents'][number];

/** Caller audio every 20 ms from `from` to `to` (lab time) on `session`. */
function appends(session: number, from: number, to: number): ClientEvent[] {
  const out: ClientEvent[] = [];
  for (let t = from; t < to; t += 20) out.push({ t, type: 'input_audio_buffer.append', event: { type: 'input_audio_buffer.append' }, session });
  return out;
}

/** Gateway RTP to the caller every 20 ms over `from`..`to`, skipping `skip` (a gap). */
function toCaller(from: number, to: number, skip?: [number, number]) {
  const out = [];
  let seq = 0;
  for (let t = from; t < to; t += 20) {
    if (skip && t >= skip[0] && t < skip[1]) continue;
    out.push(rtpRecord(t, 'toCaller', seq++, Buffer.alloc(160, 0xff)));
  }
  return out;
}

const s = spec({ check: 'realtime-renewed-without-gap' });
const renewed = [{ openedAt: 0, closedAt: 9_100 }, { openedAt: 8_900, closedAt: 20_000 }];

describe('realtime-renewed-without-gap', () => {
  it('passes for a renewal: the new session opened before the old closed, audio moved over within 200 ms, RTP steady', () => {
    const ev = evidence({ rtp: toCaller(0, 20_000), realtime: { connections: renewed, clientEvents: [...appends(0, 0, 9_000), ...appends(1, 9_020, 20_000)], errorsSent: [] } });
    expect(runCheck(s, ev)).toMatchObject({ passed: true, value: 40, limit: 200 });
  });

  it('fails when the provider expired the session and the gateway reconnected afterwards', () => {
    const ev = evidence({
      rtp: toCaller(0, 20_000),
      realtime: {
        connections: [{ openedAt: 0, closedAt: 12_000 }, { openedAt: 12_030, closedAt: 20_000 }],
        clientEvents: [...appends(0, 0, 12_000), ...appends(1, 12_040, 20_000)],
        errorsSent: [{ t: 12_000, session: 0, code: 'session_expired', message: 'Your session hit the maximum duration of 12 seconds.' }],
      },
    });
    const r = runCheck(s, ev);
    expect(r.passed).toBe(false);
    expect(r.detail).toContain('the provider expired session 0');
    expect(r.detail).toContain('a reconnect, not a renewal');
  });

  it('fails on a pause longer than maxGapMs either way: caller audio to the model, or RTP to the caller', () => {
    const audioGap = evidence({ rtp: toCaller(0, 20_000), realtime: { connections: renewed, clientEvents: [...appends(0, 0, 9_000), ...appends(1, 9_300, 20_000)] } });
    expect(runCheck(s, audioGap)).toMatchObject({ passed: false, value: 320 });
    const wireGap = evidence({ rtp: toCaller(0, 20_000, [9_000, 9_400]), realtime: { connections: renewed, clientEvents: [...appends(0, 0, 9_000), ...appends(1, 9_020, 20_000)] } });
    expect(runCheck(s, wireGap)).toMatchObject({ passed: false, value: 420 });
  });

  it('fails without any session change', () => {
    const ev = evidence({ rtp: toCaller(0, 5_000), realtime: { connections: [{ openedAt: 0, closedAt: 5_000 }], clientEvents: appends(0, 0, 5_000) } });
    expect(runCheck(s, ev)).toMatchObject({ passed: false, value: null, detail: '0 session changes, need 1' });
  });
});
