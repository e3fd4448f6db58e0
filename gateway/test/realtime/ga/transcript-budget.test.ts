import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TranscriptBudget } from '../../../src/realtime/ga/transcript-budget.js';

describe('TranscriptBudget: transcript text per item and per call is bounded', () => {
  it('keeps deltas up to the item cap, then drops and counts the rest', () => {
    const b = new TranscriptBudget({ maxTranscriptItemChars: 10, maxTranscriptCallChars: 100 });
    expect(b.admitDelta('a', 'Hello')).toBe('Hello');
    expect(b.admitDelta('a', ' world!')).toBe(' worl');
    expect(b.admitDelta('a', 'more')).toBe('');
    expect(b.dropped).toBe(2 + 4);
    expect(b.admitDelta('b', 'fresh item')).toBe('fresh item');
  });

  it('the final text is cut to the item cap and replaces the deltas in the call count', () => {
    const b = new TranscriptBudget({ maxTranscriptItemChars: 8, maxTranscriptCallChars: 12 });
    b.admitDelta('a', 'abcd');
    expect(b.admitFinal('a', 'abcdefghij')).toBe('abcdefgh');
    expect(b.admitFinal('b', 'xyz12345')).toBe('xyz1'); // 8 of the call's 12 are item a's
    expect(b.dropped).toBe(2 + 4);
  });

  it('never splits a surrogate pair', () => {
    const b = new TranscriptBudget({ maxTranscriptItemChars: 3, maxTranscriptCallChars: 100 });
    expect(b.admitDelta('a', 'ab😀')).toBe('ab');
  });

  it('70 deltas of 8 MiB on one item keep at most the caps (the RangeError of issue 9 cannot happen)', () => {
    const b = new TranscriptBudget({ maxTranscriptItemChars: 16_384, maxTranscriptCallChars: 1_048_576 });
    const delta = 'x'.repeat(8 * 1024 * 1024);
    let kept = 0;
    for (let i = 0; i < 70; i++) kept += b.admitDelta('item', delta).length;
    expect(kept).toBe(16_384);
    expect(b.dropped).toBe(70 * delta.length - 16_384);
  });

  it('property: per item and per call, kept text never exceeds the caps; kept + dropped = offered', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.string({ maxLength: 40 }), fc.boolean()), { maxLength: 60 }),
        (itemCap, callCap, events) => {
          const b = new TranscriptBudget({ maxTranscriptItemChars: itemCap, maxTranscriptCallChars: callCap });
          const perItem = new Map<string, number>();
          let offered = 0;
          let keptDeltas = 0;
          for (const [item, text, final] of events) {
            offered += text.length;
            const kept = final ? b.admitFinal(item, text) : b.admitDelta(item, text);
            expect(text.startsWith(kept)).toBe(true);
            perItem.set(item, final ? kept.length : (perItem.get(item) ?? 0) + kept.length);
            if (!final) keptDeltas += kept.length;
            expect(perItem.get(item)).toBeLessThanOrEqual(itemCap);
            expect([...perItem.values()].reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(callCap);
            if (!final) expect(offered - b.dropped).toBeGreaterThanOrEqual(0);
          }
          void keptDeltas;
        },
      ),
    );
  });
});
