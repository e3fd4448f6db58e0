import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DtmfReceiver, type DtmfDigitEvent } from '../../../src/rtp/dtmf/index.js';

/** A telephone-event payload: event, E bit + volume, 16-bit duration. */
function ev(event: number, end: boolean, duration: number, volume = 10): Uint8Array {
  return Uint8Array.from([event, (end ? 0x80 : 0) | volume, duration >> 8, duration & 0xff]);
}

/** Feeds packets, collecting every digit returned. Each packet: [payload, ts, marker, seq]. */
function feed(rx: DtmfReceiver, packets: Array<[Uint8Array, number, boolean, number]>): DtmfDigitEvent[] {
  const out: DtmfDigitEvent[] = [];
  for (const [p, ts, m, seq] of packets) {
    const d = rx.push(p, ts, m, seq);
    if (d) out.push(d);
  }
  return out;
}

describe('RFC 4733 §2.5.2 receiver: one digit per event', () => {
  it('reports a digit once despite three end packets', () => {
    const rx = new DtmfReceiver();
    const got = feed(rx, [
      [ev(5, false, 160), 1000, true, 10],
      [ev(5, false, 320), 1000, false, 11],
      [ev(5, false, 480), 1000, false, 12],
      [ev(5, true, 640), 1000, false, 13],
      [ev(5, true, 640), 1000, false, 14],
      [ev(5, true, 640), 1000, false, 15],
    ]);
    expect(got).toEqual([{ digit: '5', durationMs: 80, volume: 10, startTimestamp: 1000 }]);
    expect(rx.counters).toMatchObject({ packets: 6, accepted: 4, retransmissions: 2, endsLost: 0 });
    expect(rx.hasPending).toBe(false);
    expect(rx.flush()).toBeUndefined();
  });

  it('reports the digit on the first end packet it sees (duplicated packets ignored)', () => {
    const rx = new DtmfReceiver();
    expect(rx.push(ev(1, false, 160), 50, true, 1)).toBeUndefined();
    expect(rx.push(ev(1, false, 160), 50, true, 1)).toBeUndefined();
    expect(rx.push(ev(1, true, 400), 50, false, 2)).toMatchObject({ digit: '1', durationMs: 50 });
    expect(rx.push(ev(1, true, 400), 50, false, 2)).toBeUndefined();
  });

  it('keeps the volume of the latest packet and converts duration with the clock rate', () => {
    const rx = new DtmfReceiver(16000);
    feed(rx, [[ev(0, false, 320, 7), 0, true, 1]]);
    expect(rx.push(ev(0, true, 1600, 12), 0, false, 2)).toEqual({
      digit: '0',
      durationMs: 100,
      volume: 12,
      startTimestamp: 0,
    });
  });

  it('maps all sixteen events', () => {
    const rx = new DtmfReceiver();
    const digits: string[] = [];
    for (let e = 0; e < 16; e++) {
      const d = rx.push(ev(e, true, 800), e * 2000, true, e);
      if (d) digits.push(d.digit);
    }
    expect(digits.join('')).toBe('0123456789*#ABCD');
  });
});

describe('RFC 4733 §2.5.2 receiver: new events', () => {
  it('detects a repeated digit by the timestamp change', () => {
    const rx = new DtmfReceiver();
    const got = feed(rx, [
      [ev(1, false, 160), 1000, true, 1],
      [ev(1, true, 320), 1000, false, 2],
      [ev(1, true, 320), 1000, false, 3],
      [ev(1, false, 160), 2000, true, 4],
      [ev(1, true, 320), 2000, false, 5],
      [ev(1, true, 320), 2000, false, 6],
    ]);
    expect(got.map((d) => [d.digit, d.startTimestamp])).toEqual([
      ['1', 1000],
      ['1', 2000],
    ]);
  });

  it('detects a new press by the marker when a sender reuses the timestamp', () => {
    const rx = new DtmfReceiver();
    const got = feed(rx, [
      [ev(3, false, 160), 500, true, 1],
      [ev(3, true, 320), 500, false, 2],
      [ev(3, true, 320), 500, false, 3],
      [ev(3, false, 160), 500, true, 4],
      [ev(3, true, 480), 500, false, 5],
    ]);
    expect(got.map((d) => d.durationMs)).toEqual([40, 60]);
  });

  it('does not treat a duplicated start packet arriving after the end as a new press', () => {
    const rx = new DtmfReceiver();
    const got = feed(rx, [
      [ev(3, false, 160), 500, true, 1],
      [ev(3, true, 320), 500, false, 2],
      [ev(3, false, 160), 500, true, 1],
    ]);
    expect(got).toHaveLength(1);
    expect(rx.counters.retransmissions).toBe(1);
  });

  it('handles a different digit on a reused timestamp', () => {
    const rx = new DtmfReceiver();
    const got = feed(rx, [
      [ev(3, true, 320), 500, true, 1],
      [ev(4, true, 320), 500, true, 2],
    ]);
    expect(got.map((d) => d.digit)).toEqual(['3', '4']);
  });

  it('ignores late packets of an earlier event reordered behind a newer one', () => {
    const rx = new DtmfReceiver();
    const got = feed(rx, [
      [ev(7, false, 160), 1000, true, 1],
      [ev(7, true, 320), 1000, false, 2],
      [ev(8, false, 160), 3000, true, 5],
      [ev(7, true, 320), 1000, false, 3], // end retransmission overtaken by the new start
      [ev(8, true, 320), 3000, false, 6],
    ]);
    expect(got.map((d) => d.digit)).toEqual(['7', '8']);
    expect(rx.counters.stale).toBe(1);
  });
});

describe('RFC 4733 §2.5.2 receiver: loss and reordering', () => {
  it('tolerates out-of-order continuation packets (keeps the largest duration)', () => {
    const rx = new DtmfReceiver();
    const got = feed(rx, [
      [ev(9, false, 160), 0, true, 1],
      [ev(9, false, 480), 0, false, 3],
      [ev(9, false, 320), 0, false, 2],
      [ev(9, true, 640), 0, false, 4],
    ]);
    expect(got).toEqual([{ digit: '9', durationMs: 80, volume: 10, startTimestamp: 0 }]);
  });

  it('a reordered older continuation does not shorten the duration of a flushed digit', () => {
    const rx = new DtmfReceiver();
    feed(rx, [
      [ev(9, false, 160), 0, true, 1],
      [ev(9, false, 480), 0, false, 3],
      [ev(9, false, 320), 0, false, 2],
    ]);
    expect(rx.flush()).toMatchObject({ digit: '9', durationMs: 60 });
  });

  it('still reports a digit whose start packet was lost', () => {
    const rx = new DtmfReceiver();
    const got = feed(rx, [
      [ev(2, false, 320), 100, false, 2],
      [ev(2, true, 480), 100, false, 3],
    ]);
    expect(got.map((d) => d.digit)).toEqual(['2']);
  });

  it('flush() reports a digit whose end packets were all lost, exactly once', () => {
    const rx = new DtmfReceiver();
    feed(rx, [
      [ev(4, false, 160), 0, true, 1],
      [ev(4, false, 320), 0, false, 2],
    ]);
    expect(rx.hasPending).toBe(true);
    expect(rx.flush()).toEqual({ digit: '4', durationMs: 40, volume: 10, startTimestamp: 0 });
    expect(rx.hasPending).toBe(false);
    expect(rx.flush()).toBeUndefined();
    // A late end packet after the flush must not produce the digit again.
    expect(rx.push(ev(4, true, 480), 0, false, 3)).toBeUndefined();
    expect(rx.counters.endsLost).toBe(1);
  });

  it('reports an end-lost digit when the next digit starts, then the next one', () => {
    const rx = new DtmfReceiver();
    expect(rx.push(ev(1, false, 160), 0, true, 1)).toBeUndefined();
    expect(rx.push(ev(2, false, 160), 4000, true, 9)).toMatchObject({ digit: '1', durationMs: 20 });
    expect(rx.push(ev(2, true, 320), 4000, false, 10)).toMatchObject({ digit: '2', durationMs: 40 });
  });

  it('queues the second digit when one packet completes both (lost ends then a lone end packet)', () => {
    const rx = new DtmfReceiver();
    rx.push(ev(1, false, 160), 0, true, 1);
    expect(rx.push(ev(2, true, 320), 4000, false, 9)).toMatchObject({ digit: '1' });
    expect(rx.hasPending).toBe(true);
    expect(rx.flush()).toMatchObject({ digit: '2' });
    expect(rx.hasPending).toBe(false);
  });

  it('handles RTP timestamp and sequence wrap-around', () => {
    const rx = new DtmfReceiver();
    const got = feed(rx, [
      [ev(6, false, 160), 0xfffffe00, true, 0xfffe],
      [ev(6, true, 320), 0xfffffe00, false, 0xffff],
      [ev(6, true, 320), 0xfffffe00, false, 0],
      [ev(6, false, 160), 0x00000100, true, 1], // next event, after the 32-bit wrap
      [ev(6, true, 320), 0x00000100, false, 2],
    ]);
    expect(got.map((d) => d.startTimestamp)).toEqual([0xfffffe00, 0x100]);
  });

  it('folds the segments of a long event into one digit (§2.5.2.3)', () => {
    const rx = new DtmfReceiver();
    const got = feed(rx, [
      [ev(0, false, 160), 1000, true, 1],
      [ev(0, false, 0xffff), 1000, false, 2],
      [ev(0, false, 160), 1000 + 0xffff, false, 3],
      [ev(0, true, 800), 1000 + 0xffff, false, 4],
      [ev(0, true, 800), 1000 + 0xffff, false, 5],
    ]);
    expect(got).toEqual([
      { digit: '0', durationMs: Math.round(((0xffff + 800) * 1000) / 8000), volume: 10, startTimestamp: 1000 },
    ]);
  });
});

describe('RFC 4733 receiver: bad input', () => {
  it('counts short payloads and non-digit events without reporting them', () => {
    const rx = new DtmfReceiver();
    expect(rx.push(Uint8Array.from([1, 0x8a]), 0, true, 1)).toBeUndefined();
    expect(rx.push(ev(16, true, 800), 0, true, 2)).toBeUndefined(); // hook flash
    expect(rx.counters).toMatchObject({ packets: 2, malformed: 1, unsupportedEvents: 1, accepted: 0 });
    expect(rx.hasPending).toBe(false);
  });

  it('never throws and never reports a digit twice for random packets (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.uint8Array({ minLength: 0, maxLength: 8 }),
            fc.integer({ min: 0, max: 0xffffffff }),
            fc.boolean(),
            fc.integer({ min: 0, max: 0xffff }),
          ),
          { maxLength: 60 },
        ),
        (packets) => {
          const rx = new DtmfReceiver();
          const got = feed(rx, packets);
          let flushed = rx.flush();
          for (let i = 0; i < 3 && flushed; i++) {
            got.push(flushed);
            flushed = rx.flush();
          }
          expect(flushed).toBeUndefined();
          const c = rx.counters;
          expect(c.malformed + c.unsupportedEvents + c.retransmissions + c.stale + c.accepted).toBe(c.packets);
          for (const d of got) expect('0123456789*#ABCD').toContain(d.digit);
        },
      ),
    );
  });

  it('rejects a bad clock rate', () => {
    expect(() => new DtmfReceiver(0)).toThrow(RangeError);
  });
});
