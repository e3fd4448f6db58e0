import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlayoutQueue, type PlayoutObserver } from '../../src/rtp/pacing/playout-queue.js';

const SILENCE = 0xff;
/** Tags are opaque to the queue: any value works, compared by identity. */
const tagA = { item: 'A' };
const tagB = { item: 'B' };
type Tag = typeof tagA;

/** Records what the queue reports: bytes sent per tag, and the finished/drained notifications in order. */
class Recorder implements PlayoutObserver<Tag> {
  readonly sentBytes = new Map<Tag, number>();
  readonly events: string[] = [];
  frames = 0;
  frameSent(tag: Tag, bytes: number): void {
    this.frames++;
    this.sentBytes.set(tag, (this.sentBytes.get(tag) ?? 0) + bytes);
  }
  itemFinished(tag: Tag): void {
    this.events.push(`finished:${tag.item}`);
  }
  drained(): void {
    this.events.push('drained');
  }
  sentMs(tag: Tag): number {
    return (this.sentBytes.get(tag) ?? 0) / 8;
  }
}

function queue(opts: { maxBufferedMs?: number } = {}): { q: PlayoutQueue<Tag>; seen: Recorder } {
  const seen = new Recorder();
  return { q: new PlayoutQueue<Tag>({ silenceByte: SILENCE, observer: seen, ...opts }), seen };
}

function bytes(n: number, start = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (start + i) % 251; // never 0xff
  return b;
}

function pullAll(q: PlayoutQueue<Tag>, frames: number): { kinds: string[]; data: number[][] } {
  const out = new Uint8Array(160);
  const kinds: string[] = [];
  const data: number[][] = [];
  for (let i = 0; i < frames; i++) {
    kinds.push(q.pull(out));
    q.commitFrame();
    data.push([...out]);
  }
  return { kinds, data };
}

describe('PlayoutQueue framing', () => {
  it('turns bursty chunks of any size into 160-byte frames, in order, marker on the first', () => {
    const { q } = queue();
    const all = bytes(800);
    q.enqueue(all.subarray(0, 7), tagA);
    q.enqueue(all.subarray(7, 500), tagA);
    q.enqueue(all.subarray(500, 800), tagA);
    q.endItem(tagA);
    const { kinds, data } = pullAll(q, 6);
    expect(kinds).toEqual(['audio-start', 'audio', 'audio', 'audio', 'audio', 'silence']);
    expect(data.slice(0, 5).flat()).toEqual([...all]);
    expect(data[5]).toEqual(new Array(160).fill(SILENCE));
  });

  it('pads the last partial frame of a finished item with silence, never mixing two items in a frame', () => {
    const { q, seen } = queue();
    q.enqueue(bytes(100), tagA);
    q.enqueue(bytes(160, 7), tagB);
    const { data } = pullAll(q, 2);
    expect(data[0]?.slice(0, 100)).toEqual([...bytes(100)]);
    expect(data[0]?.slice(100)).toEqual(new Array(60).fill(SILENCE));
    expect(data[1]).toEqual([...bytes(160, 7)]);
    expect(seen.sentMs(tagA)).toBe(12.5);
    expect(seen.sentMs(tagB)).toBe(20);
  });

  it('waits (sending silence) rather than padding an unfinished item mid-word', () => {
    const { q } = queue();
    q.enqueue(bytes(200), tagA);
    const first = pullAll(q, 2);
    expect(first.kinds).toEqual(['audio-start', 'silence']); // 40 bytes left, item not done
    expect(q.starvedTicks).toBe(1);
    q.enqueue(bytes(120, 200), tagA);
    const second = pullAll(q, 1);
    expect(second.kinds).toEqual(['audio']); // same talkspurt: no new marker
    expect(second.data[0]).toEqual([...bytes(160, 160)]);
  });
});

describe('PlayoutQueue accounting', () => {
  it('frameSent reports exactly the audio that left, per tag (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 300 }), (chunks, pulls) => {
        const { q, seen } = queue();
        let total = 0;
        for (const n of chunks) {
          expect(q.enqueue(bytes(n, total), tagA)).toBe(n);
          total += n;
        }
        q.endItem(tagA);
        pullAll(q, pulls);
        const sent = Math.min(total, pulls * 160);
        expect(seen.sentMs(tagA)).toBe(sent / 8);
        expect(seen.frames).toBe(Math.min(pulls, Math.ceil(total / 160)));
        expect(q.queuedMs).toBe((total - sent) / 8);
      }),
    );
  });

  it('flush() drops the rest instantly and reports it; the cut item never finishes', () => {
    const { q, seen } = queue();
    q.enqueue(bytes(8000), tagA); // 1 s
    pullAll(q, 3);
    expect(q.flush()).toEqual({ droppedMs: 1000 - 60 });
    expect(seen.sentMs(tagA)).toBe(60);
    expect(q.isPlaying).toBe(false);
    q.endItem(tagA); // forgotten: nothing to finish
    expect(pullAll(q, 1).kinds).toEqual(['silence']);
    expect(seen.events).toEqual([]);
    q.enqueue(bytes(160), tagB);
    expect(pullAll(q, 1).kinds).toEqual(['audio-start']);
    expect(seen.sentMs(tagB)).toBe(20);
  });

  it('holds the queue to maxBufferedMs and counts what it refused', () => {
    const { q } = queue({ maxBufferedMs: 100 });
    expect(q.enqueue(bytes(1000), tagA)).toBe(800);
    expect(q.queuedMs).toBe(100);
    expect(q.overflowBytes).toBe(200);
    expect(q.enqueue(bytes(10), tagB)).toBe(0);
    expect(q.overflowBytes).toBe(210);
  });

  it('grows past its initial ring without losing or reordering bytes', () => {
    const { q } = queue();
    const total = 160 * 1000; // 20 s, larger than the 2 s initial ring
    q.enqueue(bytes(300), tagA);
    pullAll(q, 1);
    for (let o = 300; o < total; o += 4000) q.enqueue(bytes(Math.min(4000, total - o), o), tagA);
    const { data } = pullAll(q, 999);
    expect(data.flat()).toEqual([...bytes(total - 160, 160)]);
  });
});

describe('PlayoutQueue notifications', () => {
  it('reports the frame and itemFinished after the last frame was committed, not while pulling it', () => {
    const { q, seen } = queue();
    q.enqueue(bytes(300), tagA);
    q.endItem(tagA);
    const out = new Uint8Array(160);
    q.pull(out);
    expect(seen.frames).toBe(0);
    q.commitFrame();
    expect(seen.frames).toBe(1);
    q.pull(out);
    expect(seen.events).toEqual([]);
    q.commitFrame();
    expect(seen.events).toEqual(['finished:A', 'drained']);
    expect(seen.sentMs(tagA)).toBe(37.5);
  });

  it('fires itemFinished at endItem when everything was already sent, once', () => {
    const { q, seen } = queue();
    q.enqueue(bytes(320), tagA);
    pullAll(q, 2);
    expect(seen.events).toEqual(['drained']);
    q.endItem(tagA);
    q.endItem(tagA);
    expect(seen.events).toEqual(['drained', 'finished:A']);
  });

  it('finishes items in order and drains once at the end; the next item completes the previous one', () => {
    const { q, seen } = queue();
    q.enqueue(bytes(160), tagA);
    q.enqueue(bytes(160), tagB);
    q.endItem(tagB);
    pullAll(q, 4);
    expect(seen.events).toEqual(['finished:A', 'finished:B', 'drained']);
  });

  it('an item that played out before the next one began finishes when the next one arrives', () => {
    const { q, seen } = queue();
    q.enqueue(bytes(160), tagA);
    pullAll(q, 1);
    expect(seen.events).toEqual(['drained']); // A is not known to be complete yet
    q.enqueue(bytes(160), tagB);
    pullAll(q, 1);
    expect(seen.events).toEqual(['drained', 'finished:A', 'drained']);
  });

  it('frameSent passes the producer tag through by identity; observe() replaces the observer', () => {
    const { q, seen } = queue();
    const tags: Tag[] = [];
    q.observe({ frameSent: (t) => tags.push(t), itemFinished: () => undefined, drained: () => undefined });
    q.enqueue(bytes(480), tagA);
    pullAll(q, 3);
    expect(tags).toEqual([tagA, tagA, tagA]);
    expect(tags.every((t) => t === tagA)).toBe(true);
    expect(seen.frames).toBe(0); // replaced by observe()
  });

  it('survives an observer that throws', () => {
    const errors: string[] = [];
    const q = new PlayoutQueue<Tag>({
      silenceByte: SILENCE,
      observer: {
        frameSent: () => undefined,
        itemFinished: () => undefined,
        drained: () => {
          throw new Error('observer bug');
        },
      },
      onListenerError: (event) => errors.push(event),
    });
    q.enqueue(bytes(160), tagA);
    expect(() => pullAll(q, 2)).not.toThrow();
    expect(q.listenerErrors).toBe(1);
    expect(errors).toEqual(['drained']);
  });
});
