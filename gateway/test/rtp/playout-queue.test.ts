import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlayoutQueue, type ItemFinished } from '../../src/rtp/pacing/playout-queue.js';

const SILENCE = 0xff;
const tagA = { responseId: 'resp_1', itemId: 'item_A' };
const tagB = { responseId: 'resp_1', itemId: 'item_B' };

function bytes(n: number, start = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (start + i) % 251; // never 0xff
  return b;
}

function pullAll(q: PlayoutQueue, frames: number): { kinds: string[]; data: number[][] } {
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
    const q = new PlayoutQueue({ silenceByte: SILENCE });
    const all = bytes(800);
    q.enqueue(all.subarray(0, 7), tagA);
    q.enqueue(all.subarray(7, 500), tagA);
    q.enqueue(all.subarray(500, 800), tagA);
    q.endItem('item_A');
    const { kinds, data } = pullAll(q, 6);
    expect(kinds).toEqual(['audio-start', 'audio', 'audio', 'audio', 'audio', 'silence']);
    expect(data.slice(0, 5).flat()).toEqual([...all]);
    expect(data[5]).toEqual(new Array(160).fill(SILENCE));
  });

  it('pads the last partial frame of a finished item with silence, never mixing two items in a frame', () => {
    const q = new PlayoutQueue({ silenceByte: SILENCE });
    q.enqueue(bytes(100), tagA);
    q.enqueue(bytes(160, 7), tagB);
    const { data } = pullAll(q, 2);
    expect(data[0]?.slice(0, 100)).toEqual([...bytes(100)]);
    expect(data[0]?.slice(100)).toEqual(new Array(60).fill(SILENCE));
    expect(data[1]).toEqual([...bytes(160, 7)]);
    expect(q.sentMs('item_A')).toBe(12.5);
    expect(q.sentMs('item_B')).toBe(20);
  });

  it('waits (sending silence) rather than padding an unfinished item mid-word', () => {
    const q = new PlayoutQueue({ silenceByte: SILENCE });
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
  it('sentMs is exactly the audio that left, and receivedMs what arrived (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 300 }), (chunks, pulls) => {
        const q = new PlayoutQueue({ silenceByte: SILENCE });
        let total = 0;
        for (const n of chunks) {
          q.enqueue(bytes(n, total), tagA);
          total += n;
        }
        q.endItem('item_A');
        pullAll(q, pulls);
        const sent = Math.min(total, pulls * 160);
        expect(q.sentMs('item_A')).toBe(sent / 8);
        expect(q.receivedMs('item_A')).toBe(total / 8);
        expect(q.queuedMs).toBe((total - sent) / 8);
      }),
    );
  });

  it('flush() drops the rest instantly (barge-in) and reports it; sentMs stays exact', () => {
    const q = new PlayoutQueue({ silenceByte: SILENCE });
    q.enqueue(bytes(8000), tagA); // 1 s
    pullAll(q, 3);
    expect(q.flush()).toEqual({ droppedMs: 1000 - 60 });
    expect(q.sentMs('item_A')).toBe(60);
    expect(q.isPlaying).toBe(false);
    const finished: ItemFinished[] = [];
    q.on('itemFinished', (i) => finished.push(i));
    expect(pullAll(q, 1).kinds).toEqual(['silence']);
    // Deltas of the cut answer still in flight are discarded; it never "finishes playing".
    q.enqueue(bytes(800), tagA);
    q.endItem('item_A');
    expect(pullAll(q, 1).kinds).toEqual(['silence']);
    expect(finished).toEqual([]);
    expect(q.cancelledBytes).toBe(800);
    expect(q.receivedMs('item_A')).toBe(1100);
    expect(q.sentMs('item_A')).toBe(60);
    q.enqueue(bytes(160), tagB);
    expect(pullAll(q, 1).kinds).toEqual(['audio-start']);
  });

  it('holds the queue to maxBufferedMs and counts what it refused', () => {
    const q = new PlayoutQueue({ silenceByte: SILENCE, maxBufferedMs: 100 });
    q.enqueue(bytes(1000), tagA);
    expect(q.queuedMs).toBe(100);
    expect(q.overflowBytes).toBe(200);
    expect(q.receivedMs('item_A')).toBe(125);
  });

  it('grows past its initial ring without losing or reordering bytes', () => {
    const q = new PlayoutQueue({ silenceByte: SILENCE });
    const total = 160 * 1000; // 20 s, larger than the 2 s initial ring
    q.enqueue(bytes(300), tagA);
    pullAll(q, 1);
    for (let o = 300; o < total; o += 4000) q.enqueue(bytes(Math.min(4000, total - o), o), tagA);
    const { data } = pullAll(q, 999);
    expect(data.flat()).toEqual([...bytes(total - 160, 160)]);
  });
});

describe('PlayoutQueue events', () => {
  it('fires itemFinished after the last frame was committed, not while pulling it', () => {
    const q = new PlayoutQueue({ silenceByte: SILENCE });
    const events: string[] = [];
    q.on('itemFinished', (i) => events.push(`finished:${i.itemId}:${i.sentMs}`));
    q.on('drained', () => events.push('drained'));
    q.enqueue(bytes(300), tagA);
    q.endItem('item_A');
    const out = new Uint8Array(160);
    q.pull(out);
    q.commitFrame();
    q.pull(out);
    expect(events).toEqual([]);
    q.commitFrame();
    expect(events).toEqual(['finished:item_A:37.5', 'drained']);
  });

  it('fires itemFinished at endItem when everything was already sent', () => {
    const q = new PlayoutQueue({ silenceByte: SILENCE });
    const finished: string[] = [];
    q.on('itemFinished', (i) => finished.push(i.itemId));
    q.enqueue(bytes(320), tagA);
    pullAll(q, 2);
    expect(finished).toEqual([]);
    q.endItem('item_A');
    q.endItem('item_A');
    expect(finished).toEqual(['item_A']);
  });

  it('finishes items in order and drains once at the end', () => {
    const q = new PlayoutQueue({ silenceByte: SILENCE });
    const events: string[] = [];
    q.on('itemFinished', (i) => events.push(i.itemId));
    q.on('drained', () => events.push('drained'));
    q.enqueue(bytes(160), tagA);
    q.enqueue(bytes(160), tagB);
    q.endItem('item_B');
    pullAll(q, 4);
    expect(events).toEqual(['item_A', 'item_B', 'drained']);
  });

  it('survives a listener that throws', () => {
    const q = new PlayoutQueue({ silenceByte: SILENCE });
    q.on('drained', () => {
      throw new Error('listener bug');
    });
    q.enqueue(bytes(160), tagA);
    expect(() => pullAll(q, 2)).not.toThrow();
    expect(q.listenerErrors).toBe(1);
  });
});
