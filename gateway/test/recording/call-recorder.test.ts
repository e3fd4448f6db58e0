/**
 * The recorder behind the media taps: the agent side advances the timeline by media timestamp, caller
 * audio lands at its place from arrival + RTP time, pauses are digital silence in both channels, and
 * nothing outside the window or the maximum duration is kept.
 */
import { describe, expect, it } from 'vitest';
import { encodeMulaw, MULAW_DECODE_TABLE } from '../../src/audio/index.js';
import { ManualClock } from '../../src/clock.js';
import { CallRecorder } from '../../src/recording/call-recorder.js';
import { LATE_FRAMES, type FrameSink } from '../../src/recording/stereo-timeline.js';

const HEADER = 12;

/** Collects committed frames as two full-length channels. */
class Capture implements FrameSink {
  left: number[] = [];
  right: number[] = [];
  indices: number[] = [];
  frame(index: number, left: Int16Array, right: Int16Array, offset: number, silent: boolean): void {
    this.indices.push(index);
    for (let i = 0; i < 160; i++) {
      this.left[index * 160 + i] = silent ? 0 : (left[offset + i] as number);
      this.right[index * 160 + i] = silent ? 0 : (right[offset + i] as number);
    }
  }
}

/** A packet buffer: 12 header bytes then one µ-law frame whose samples all decode to `code`'s value. */
function packet(code: number): Uint8Array {
  const b = new Uint8Array(HEADER + 160);
  b.fill(code, HEADER);
  return b;
}

/** A µ-law code whose value is unique per frame number (a ramp we can find again). */
function codeFor(frame: number): number {
  const pcm = new Int16Array([1000 + (frame % 50) * 400]);
  const out = new Uint8Array(1);
  encodeMulaw(pcm, out);
  return out[0] as number;
}
const value = (code: number): number => MULAW_DECODE_TABLE[code] as number;

/** Runs `ticks` pacer ticks from clock time 1000, agent frame k coded codeFor(k), caller packets from `callerAt(k)`. */
function run(opts: { ticks: number; callerAt?: (k: number) => number | undefined; tsBase?: number; beforeTick?: (k: number, rec: CallRecorder) => void; maxDurationMs?: number }) {
  const clock = new ManualClock(1000);
  const sink = new Capture();
  const rec = new CallRecorder(sink, clock, { maxDurationMs: opts.maxDurationMs ?? 600_000 });
  const tsBase = opts.tsBase ?? 0xffff_ff00; // wraps during the call
  const callerTs0 = 123_456;
  const arrivals: Array<{ at: number; k: number }> = [];
  for (let k = 0; k < opts.ticks; k++) {
    const at = opts.callerAt?.(k);
    if (at !== undefined) arrivals.push({ at, k });
  }
  arrivals.sort((a, b) => a.at - b.at);
  let next = 0;
  for (let k = 0; k < opts.ticks; k++) {
    const tickAt = 1000 + k * 20;
    while (next < arrivals.length && (arrivals[next] as { at: number }).at <= tickAt) {
      const { at, k: ck } = arrivals[next] as { at: number; k: number };
      clock.advance(at - clock.now());
      rec.caller(packet(codeFor(ck)), HEADER, HEADER + 160, 'PCMU', (callerTs0 + ck * 160) >>> 0, 0x1234, at);
      next++;
    }
    clock.advance(tickAt - clock.now());
    opts.beforeTick?.(k, rec);
    rec.agent(true, packet(codeFor(k + 7)), HEADER, HEADER + 160, 'PCMU', (tsBase + k * 160) >>> 0);
  }
  const stats = rec.stop();
  return { sink, stats, rec };
}

describe('CallRecorder', () => {
  it('puts each agent frame at its tick and each caller frame at its arrival, frame 0 = the first packet sent', () => {
    // Caller packet k arrives 5 ms after tick k: on the timeline at 40 samples past frame k.
    const { sink, stats } = run({ ticks: 100, callerAt: (k) => 1000 + k * 20 + 5 });
    expect(stats.frames).toBe(100);
    expect(sink.indices).toEqual([...Array(100).keys()]);
    for (const k of [0, 1, 50, 99]) expect(sink.right[k * 160 + 80]).toBe(value(codeFor(k + 7)));
    for (const k of [0, 1, 50, 98]) expect(sink.left[k * 160 + 40 + 80]).toBe(value(codeFor(k)));
    expect(sink.left[39]).toBe(0);
    expect(sink.left[40]).toBe(value(codeFor(0)));
  });

  it('keeps caller frames at their place under jitter and late packets (earliest arrival fixes the offset)', () => {
    // Every packet 0..60 ms late (seeded pattern), some out of order; the earliest ones set the timeline.
    const delay = (k: number): number => (k * 37) % 61;
    const { sink, stats } = run({ ticks: 300, callerAt: (k) => 1000 + k * 20 + delay(k) });
    expect(stats.callerSamplesOutsideWindow).toBe(0);
    const minDelaySamples = Math.min(...[...Array(300).keys()].map(delay)) * 8;
    // Once a window has seen the earliest arrivals (here by packet 61), every frame sits at its own place.
    for (const k of [62, 100, 250, 280]) expect(sink.left[k * 160 + minDelaySamples + 10]).toBe(value(codeFor(k)));
  });

  it('leaves silence where caller packets were lost and counts packets later than the window', () => {
    const lost = new Set([10, 11, 12, 40]);
    const { sink, stats } = run({
      ticks: 120,
      callerAt: (k) => (lost.has(k) ? undefined : k === 70 ? 1000 + 70 * 20 + (LATE_FRAMES + 5) * 20 : 1000 + k * 20),
    });
    for (const k of [10, 11, 12, 40, 70]) expect(sink.left.slice(k * 160, k * 160 + 160).every((s) => s === 0)).toBe(true);
    expect(sink.left[9 * 160 + 5]).toBe(value(codeFor(9)));
    expect(sink.left[13 * 160 + 5]).toBe(value(codeFor(13)));
    expect(stats.callerSamplesOutsideWindow).toBe(160);
  });

  it('turns skipped ticks into silence so the timeline keeps wall time', () => {
    const clock = new ManualClock(0);
    const sink = new Capture();
    const rec = new CallRecorder(sink, clock, { maxDurationMs: 60_000 });
    rec.agent(true, packet(codeFor(1)), HEADER, HEADER + 160, 'PCMU', 1000);
    rec.agent(true, packet(codeFor(2)), HEADER, HEADER + 160, 'PCMU', 1000 + 5 * 160); // four ticks skipped
    rec.agent(false, packet(0), HEADER, HEADER + 4, 'PCMU', 999); // a telephone-event packet: the next frame, silent
    const stats = rec.stop();
    expect(stats.frames).toBe(7);
    expect(sink.right[10]).toBe(value(codeFor(1)));
    expect(sink.right.slice(160, 5 * 160).every((s) => s === 0)).toBe(true);
    expect(sink.right[5 * 160 + 10]).toBe(value(codeFor(2)));
    expect(sink.right.slice(6 * 160, 7 * 160).every((s) => s === 0)).toBe(true);
  });

  it('records a paused span as digital silence in both channels and keeps the timeline', () => {
    const { sink, stats, rec } = run({
      ticks: 200,
      callerAt: (k) => 1000 + k * 20 + 3,
      beforeTick: (k, r) => {
        if (k === 50) expect(r.pause('tool')).toBe(50 * 20);
        if (k === 60) expect(r.pause('dtmf')).toBeUndefined(); // already paused
        if (k === 80) expect(r.resume('tool')).toBeUndefined(); // DTMF collection still holds it
        if (k === 90) expect(r.resume('dtmf')).toBe(90 * 20);
      },
    });
    expect(stats.frames).toBe(200);
    expect(rec.pauses).toEqual([{ fromMs: 1000, toMs: 1800, reason: 'tool' }]);
    expect(sink.left.slice(50 * 160, 90 * 160).every((s) => s === 0)).toBe(true);
    expect(sink.right.slice(50 * 160, 90 * 160).every((s) => s === 0)).toBe(true);
    expect(sink.right[49 * 160 + 5]).toBe(value(codeFor(49 + 7)));
    expect(sink.right[90 * 160 + 5]).toBe(value(codeFor(90 + 7)));
    expect(sink.left[90 * 160 + 24 + 5]).toBe(value(codeFor(90)));
  });

  it('stops at the maximum duration', () => {
    const { sink, stats } = run({ ticks: 100, callerAt: (k) => 1000 + k * 20, maxDurationMs: 1000 });
    expect(stats.frames).toBe(50);
    expect(stats.truncated).toBe(true);
    expect(sink.indices.length).toBe(50);
  });

  it('starts a new caller timeline on a new SSRC or a timestamp jump', () => {
    const clock = new ManualClock(0);
    const sink = new Capture();
    const rec = new CallRecorder(sink, clock, { maxDurationMs: 60_000 });
    for (let k = 0; k < 100; k++) {
      clock.advance(k === 0 ? 0 : 20);
      if (k < 50) rec.caller(packet(codeFor(k)), HEADER, HEADER + 160, 'PCMU', 5000 + k * 160, 1, clock.now());
      else rec.caller(packet(codeFor(k)), HEADER, HEADER + 160, 'PCMU', 9_000_000 + k * 160, 1, clock.now()); // jump
      rec.agent(true, packet(0xff), HEADER, HEADER + 160, 'PCMU', k * 160);
    }
    rec.stop();
    expect(sink.left[60 * 160 + 5]).toBe(value(codeFor(60)));
    expect(sink.left[20 * 160 + 5]).toBe(value(codeFor(20)));
  });
});
