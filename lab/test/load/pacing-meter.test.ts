/** Wire pacing as a receiver measures it: lateness against each stream's RTP-timestamp grid. */
import { describe, expect, it } from 'vitest';
import { PacingMeter, pacingSummary, RecentLateness } from '../../src/load/pacing-meter.js';

/** Feeds `n` packets 20 ms (160 ticks) apart, arriving at base + i·20 + extra(i) ms. */
function feed(m: PacingMeter, ssrc: number, n: number, extra: (i: number) => number, ts0 = 1000, base = 5000): void {
  for (let i = 0; i < n; i++) m.packet(ssrc, (ts0 + i * 160) >>> 0, base + i * 20 + extra(i));
}

describe('PacingMeter', () => {
  it('a perfectly paced stream is on time, whatever its constant delay', () => {
    const m = new PacingMeter();
    feed(m, 1, 500, () => 0, 1000, 123_456.7);
    const s = pacingSummary([m]);
    expect(s).toMatchObject({ streams: 1, packets: 500, maxMs: 0, notMeasured: 0 });
    expect(s.p99Ms).toBeLessThanOrEqual(0.05);
  });

  it('measures late packets against the earliest one, not the first', () => {
    const m = new PacingMeter();
    // The first packet is 10 ms late; one packet later on is 30 ms late; the rest are on time.
    feed(m, 7, 1000, (i) => (i === 0 ? 10 : i === 600 ? 30 : 0));
    const s = pacingSummary([m]);
    expect(s.maxMs).toBeCloseTo(30, 3);
    expect(s.p50Ms).toBeLessThanOrEqual(0.05);
    expect(s.p999Ms).toBeGreaterThanOrEqual(10);
  });

  it('follows a timestamp across the 32-bit wrap', () => {
    const m = new PacingMeter();
    feed(m, 3, 100, () => 0, 0xffffffff - 160 * 50);
    expect(pacingSummary([m]).maxMs).toBe(0);
  });

  it('keeps streams of different calls apart and sums them', () => {
    const a = new PacingMeter();
    const b = new PacingMeter();
    feed(a, 42, 200, () => 0);
    feed(b, 42, 200, (i) => (i % 2 ? 4 : 0), 9_999, 99);
    const s = pacingSummary([a, b]);
    expect(s.streams).toBe(2);
    expect(s.packets).toBe(400);
    expect(s.p50Ms).toBeLessThanOrEqual(0.05);
    expect(s.p99Ms).toBeCloseTo(4.05, 5);
  });

  it('feeds the live figure and resets it on each take', () => {
    const recent = new RecentLateness();
    const m = new PacingMeter(recent);
    feed(m, 1, 100, (i) => (i >= 95 ? 8 : 0));
    expect(recent.takeP99()).toBeCloseTo(8.05, 5);
    expect(recent.takeP99()).toBeUndefined();
  });

  it('bounds the streams it keeps per call', () => {
    const m = new PacingMeter();
    for (let ssrc = 0; ssrc < 20; ssrc++) m.packet(ssrc, 0, 0);
    const s = pacingSummary([m]);
    expect(s.streams).toBe(16);
    expect(s.notMeasured).toBe(4);
  });
});
