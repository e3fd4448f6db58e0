import { describe, expect, it } from 'vitest';
import { DtmfSender, parseDtmfPayload } from '../../../src/rtp/dtmf/index.js';

describe('RFC 4733 §2.5.1 sender', () => {
  it('plans start, continuations and three ends for a 100 ms digit at 20 ms', () => {
    const plan = new DtmfSender().plan('1', 100);
    // 100 ms = 800 units = 5 ticks of 160; the 5th tick is the first end, then 2 repeats.
    expect(plan).toHaveLength(7);
    expect(plan.map((p) => p.marker)).toEqual([true, false, false, false, false, false, false]);
    expect(plan.map((p) => p.end)).toEqual([false, false, false, false, true, true, true]);
    expect(plan.map((p) => parseDtmfPayload(p.payload)!.duration)).toEqual([160, 320, 480, 640, 800, 800, 800]);
    expect([...plan[0]!.payload]).toEqual([
      0x01, // event = 1
      0x0a, // E=0, volume = 10 (default)
      0x00, 0xa0, // duration = 160
    ]);
    expect([...plan[6]!.payload]).toEqual([
      0x01, // event = 1
      0x8a, // E=1, volume = 10
      0x03, 0x20, // duration = 800, the final duration on every end packet
    ]);
  });

  it('sets the E bit on the first packet of a digit shorter than one interval', () => {
    const plan = new DtmfSender().plan('#', 10);
    expect(plan).toHaveLength(3);
    expect(plan[0]).toMatchObject({ marker: true, end: true });
    expect(plan.map((p) => parseDtmfPayload(p.payload)!.duration)).toEqual([80, 80, 80]);
  });

  it('rounds a partial last interval up to a full tick carrying the exact duration', () => {
    const plan = new DtmfSender().plan('9', 50);
    expect(plan.map((p) => parseDtmfPayload(p.payload)!.duration)).toEqual([160, 320, 400, 400, 400]);
  });

  it('honours clockRate, packetMs, volume and endRepeats', () => {
    const plan = new DtmfSender({ clockRate: 16000, packetMs: 30, volume: 20, endRepeats: 1 }).plan('D', 90);
    expect(plan.map((p) => parseDtmfPayload(p.payload))).toEqual([
      { event: 15, end: false, volume: 20, duration: 480 },
      { event: 15, end: false, volume: 20, duration: 960 },
      { event: 15, end: true, volume: 20, duration: 1440 },
    ]);
  });

  it('accepts lower-case a-d', () => {
    expect(parseDtmfPayload(new DtmfSender().plan('b', 40)[0]!.payload)!.event).toBe(13);
  });

  it('rejects non-digits, bad durations and bad options with RangeError', () => {
    const s = new DtmfSender();
    expect(() => s.plan('E', 100)).toThrow(RangeError);
    expect(() => s.plan('', 100)).toThrow(RangeError);
    expect(() => s.plan('1', 0)).toThrow(RangeError);
    expect(() => s.plan('1', Number.NaN)).toThrow(RangeError);
    expect(() => s.plan('1', s.maxDurationMs + 1)).toThrow(RangeError);
    expect(s.plan('1', s.maxDurationMs).at(-1)!.end).toBe(true);
    expect(() => new DtmfSender({ volume: 64 })).toThrow(RangeError);
    expect(() => new DtmfSender({ endRepeats: 0 })).toThrow(RangeError);
    expect(() => new DtmfSender({ packetMs: 0 })).toThrow(RangeError);
    expect(() => new DtmfSender({ clockRate: 0 })).toThrow(RangeError);
  });
});
