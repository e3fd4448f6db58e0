import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AppendBatch,
  AUTO_MAX_MS,
  AUTO_STREAMS_PER_STEP,
  fixedAppendPeriod,
  LoadAdaptivePeriod,
  MAX_FRAME_BYTES,
  type AppendPeriod,
} from '../../src/call/append-batch.js';
import type { Stage } from '../../src/rtp/index.js';

/** What reached the backend: a copy of each append (the batch reuses its buffer). */
function sink(): Stage<Uint8Array> & { sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  return { sent, write: (b) => sent.push(Uint8Array.from(b)), toString: () => 'Sink' };
}

const frame = (n: number, fill: number) => new Uint8Array(n).fill(fill & 0xff);

describe('AppendBatch', () => {
  it('sends one append per everyMs of 20 ms frames, the frames in order, nothing before the batch is full', () => {
    const out = sink();
    const batch = new AppendBatch(fixedAppendPeriod(100), out);
    for (let i = 0; i < 4; i++) batch.write(frame(160, i));
    expect(out.sent).toEqual([]);
    expect(batch.pendingFrames).toBe(4);
    batch.write(frame(160, 4));
    expect(out.sent.length).toBe(1);
    expect(out.sent[0]).toEqual(Uint8Array.from([0, 1, 2, 3, 4].flatMap((v) => Array<number>(160).fill(v))));
    expect(batch.pendingFrames).toBe(0);
    expect(String(batch)).toBe('AppendBatch(100 ms) -> Sink');
  });

  it('flush() sends what waits, and nothing when nothing waits', () => {
    const out = sink();
    const batch = new AppendBatch(fixedAppendPeriod(60), out);
    batch.flush();
    expect(out.sent).toEqual([]);
    batch.write(frame(960, 7));
    batch.flush();
    batch.flush();
    expect(out.sent).toEqual([frame(960, 7)]);
  });

  it('keeps every byte and their order whatever the frame sizes (concatenation property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(40, 60, 80, 100, 200),
        fc.array(fc.uint8Array({ minLength: 0, maxLength: MAX_FRAME_BYTES + 200 }), { maxLength: 40 }),
        fc.boolean(),
        (everyMs, frames, flushAtEnd) => {
          const out = sink();
          const batch = new AppendBatch(fixedAppendPeriod(everyMs), out);
          for (const f of frames) batch.write(f);
          if (flushAtEnd) batch.flush();
          const sent = Buffer.concat(out.sent);
          const all = Buffer.concat(frames);
          // Everything sent is a prefix of what was written; after a flush, all of it.
          expect(sent.equals(all.subarray(0, sent.length))).toBe(true);
          if (flushAtEnd) expect(sent.length).toBe(all.length);
          // No append holds more than everyMs of the largest frame, except an oversized frame on its own.
          for (const s of out.sent) if (s.length > MAX_FRAME_BYTES) expect(s.length).toBeLessThanOrEqual((everyMs / 20) * MAX_FRAME_BYTES);
        },
      ),
    );
  });

  it('refuses a fixed period that is not a whole number of frames from 20 to 200 ms', () => {
    for (const bad of [0, 10, 30, 50, -40, 1.5, 220]) expect(() => fixedAppendPeriod(bad)).toThrow(RangeError);
    expect(fixedAppendPeriod(20).frames).toBe(1);
  });

  it('with a one-frame period, a frame goes straight through: uncopied, nothing waits', () => {
    const seen: Uint8Array[] = [];
    const batch = new AppendBatch(fixedAppendPeriod(20), { write: (b) => seen.push(b), toString: () => 'Sink' });
    const f = frame(160, 9);
    batch.write(f);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(f);
    expect(batch.pendingFrames).toBe(0);
  });

  it('follows a period that changes under it: each frame is sent under the period of its moment, in order, nothing lost', () => {
    const out = sink();
    const period: AppendPeriod & { frames: number } = { frames: 1, maxFrames: 3, describe: () => 'test' };
    const batch = new AppendBatch(period, out);
    batch.write(frame(160, 0)); // one frame per append: sent at once
    period.frames = 3;
    batch.write(frame(160, 1));
    batch.write(frame(160, 2));
    expect(out.sent.map((s) => s.length)).toEqual([160]);
    batch.write(frame(160, 3)); // the third frame of the batch: sent
    expect(out.sent.map((s) => s.length)).toEqual([160, 480]);
    batch.write(frame(160, 4));
    period.frames = 1; // the load fell: what waits goes with the next frame
    batch.write(frame(160, 5));
    batch.write(frame(160, 6));
    expect(out.sent.map((s) => s.length)).toEqual([160, 480, 320, 160]);
    expect(Buffer.concat(out.sent)).toEqual(Buffer.from([0, 1, 2, 3, 4, 5, 6].flatMap((v) => Array<number>(160).fill(v))));
    expect(String(batch)).toBe('AppendBatch(test) -> Sink');
  });
});

describe('LoadAdaptivePeriod (REALTIME_APPEND_MS=auto)', () => {
  it('every frame at once up to 100 streams, then one more frame per 100 streams, never beyond 60 ms', () => {
    let streams = 0;
    const period = new LoadAdaptivePeriod(() => streams);
    const at = (n: number) => ((streams = n), period.frames);
    expect([0, 1, 99, 100].map(at)).toEqual([1, 1, 1, 1]);
    expect([101, 150, 200].map(at)).toEqual([2, 2, 2]);
    expect([201, 300, 500, 10_000].map(at)).toEqual([3, 3, 3, 3]);
    expect(AUTO_STREAMS_PER_STEP).toBe(100);
    expect(period.maxFrames * 20).toBe(AUTO_MAX_MS);
    expect(period.describe()).toBe('auto 20..60 ms');
  });

  it('property: the period never shrinks as the load grows, and always lies within 1..maxFrames', () => {
    fc.assert(
      fc.property(fc.nat(5_000), fc.nat(5_000), (a, b) => {
        let streams = 0;
        const period = new LoadAdaptivePeriod(() => streams);
        streams = Math.min(a, b);
        const low = period.frames;
        streams = Math.max(a, b);
        const high = period.frames;
        expect(low).toBeLessThanOrEqual(high);
        for (const f of [low, high]) expect(f >= 1 && f <= period.maxFrames).toBe(true);
      }),
    );
  });
});
