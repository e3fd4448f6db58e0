import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppendBatch, MAX_FRAME_BYTES } from '../../src/call/append-batch.js';
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
    const batch = new AppendBatch(100, out);
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
    const batch = new AppendBatch(60, out);
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
          const batch = new AppendBatch(everyMs, out);
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

  it('refuses a period that is not a whole number of frames or needs no batch', () => {
    for (const bad of [0, 20, 30, 50, -40, 1.5]) expect(() => new AppendBatch(bad, sink())).toThrow(RangeError);
  });
});
