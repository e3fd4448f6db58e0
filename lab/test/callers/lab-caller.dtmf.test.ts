/**
 * DTMF both ways a phone sends it: RFC 4733 telephone-event packets on the negotiated payload type,
 * and SIP INFO with application/dtmf-relay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LabCaller } from '../../src/callers/lab-caller/index.js';
import { eventToDigit, parseDtmfPayload } from 'connect-realtime-gateway';
import { TestUas, summary } from './helpers/test-uas.js';

let uas: TestUas | undefined;

afterEach(async () => {
  await uas?.close();
  uas = undefined;
});

describe('RFC 4733 §2.5.1 telephone-event packets', () => {
  it('sends each digit as one event: marker on the first packet, one timestamp, growing duration, three ends', async () => {
    uas = await TestUas.start({ transport: 'udp' });
    const r = await new LabCaller({ target: uas.target }).run([
      { at: 100, action: { dtmf: '1#9', durationMs: 100, gapMs: 60 } },
      { at: 1_000, action: { bye: true } },
    ]);
    expect(r.actions[0]).toMatchObject({ kind: 'dtmf', outcome: 'done' });
    expect(r.dtmfSent.map((d) => [d.digit, d.via])).toEqual([['1', 'rfc4733'], ['#', 'rfc4733'], ['9', 'rfc4733']]);

    const pt = uas.telephoneEventPt!;
    expect(pt).toBe(101);
    const events = new Map<number, Array<{ seq: number; marker: boolean; p: NonNullable<ReturnType<typeof parseDtmfPayload>> }>>();
    for (const pkt of uas.rtp.filter((x) => x.pt === pt)) {
      const p = parseDtmfPayload(pkt.payload)!;
      events.set(pkt.ts, [...(events.get(pkt.ts) ?? []), { seq: pkt.seq, marker: pkt.marker, p }]);
    }
    expect([...events.values()].map((e) => eventToDigit(e[0]!.p.event))).toEqual(['1', '#', '9']);
    for (const e of events.values()) {
      expect(e[0]!.marker).toBe(true);
      expect(e.slice(1).every((x) => !x.marker)).toBe(true);
      const ends = e.filter((x) => x.p.end);
      expect(ends).toHaveLength(3);
      expect(ends.every((x) => x.p.duration === 800)).toBe(true); // 100 ms at 8 kHz
      for (let i = 1; i < e.length; i++) expect(e[i]!.p.duration).toBeGreaterThanOrEqual(e[i - 1]!.p.duration);
      // 100 ms = 5 packets of 20 ms, then two repeated ends.
      expect(e).toHaveLength(7);
    }
    // Events sit on the audio clock: each event timestamp is an audio tick, and the sequence never breaks.
    const audio = uas.rtp.filter((x) => x.pt === 0);
    const ts0 = audio[0]!.ts;
    for (const ts of events.keys()) expect(((ts - ts0) >>> 0) % 160).toBe(0);
    for (let i = 1; i < uas.rtp.length; i++) expect((uas.rtp[i]!.seq - uas.rtp[i - 1]!.seq) & 0xffff).toBe(1);
    // The 60 ms gap: at least three audio packets between consecutive events.
    const seqOf = [...events.values()].map((e) => [e[0]!.seq, e.at(-1)!.seq] as const);
    for (let i = 1; i < seqOf.length; i++) expect(seqOf[i]![0] - seqOf[i - 1]![1] - 1).toBe(3);
  });

  it('fails the action when no telephone-event was negotiated', async () => {
    uas = await TestUas.start({ transport: 'udp', noTelephoneEvent: true });
    const r = await new LabCaller({ target: uas.target }).run([
      { at: 50, action: { dtmf: '5' } },
      { at: 300, action: { bye: true } },
    ]);
    expect(r.negotiated?.telephoneEventPt).toBeUndefined();
    expect(r.actions[0]).toMatchObject({ kind: 'dtmf', outcome: 'failed' });
    expect(uas.rtp.every((p) => p.pt === 0)).toBe(true);
  });
});

describe('SIP INFO application/dtmf-relay', () => {
  it('sends one INFO per digit in the dialog and records the answers', async () => {
    uas = await TestUas.start({ transport: 'tcp' });
    const r = await new LabCaller({ target: uas.target, transport: 'tcp' }).run([
      { at: 50, action: { dtmf: '5*', via: 'info', durationMs: 100, gapMs: 40 } },
      { at: 800, action: { bye: true } },
    ]);
    expect(r.actions[0]).toMatchObject({ kind: 'dtmf', outcome: 'done' });
    expect(uas.infoBodies).toEqual(['Signal=5\r\nDuration=100\r\n', 'Signal=*\r\nDuration=100\r\n']);
    const infos = uas.log.filter((e) => e.dir === 'in' && summary(e.msg) === 'INFO').map((e) => e.msg);
    for (const i of infos) expect(i.headers.get('content-type')).toBe('application/dtmf-relay');
    expect(r.dtmfSent.map((d) => [d.digit, d.via, d.status])).toEqual([['5', 'info', 200], ['*', 'info', 200]]);
    // Key presses are spaced by duration + gap (140 ms), not fired back to back (timer jitter aside).
    expect(r.dtmfSent[1]!.t - r.dtmfSent[0]!.t).toBeGreaterThanOrEqual(100);
  });
});
