import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TurnState } from '../../../src/realtime/ga/turn-state.js';

describe('live turn state', () => {
  it('is quiet only without a response in progress and without caller speech', () => {
    const t = new TurnState();
    expect(t.quiet).toBe(true);
    t.activeResponseId = 'r1';
    expect(t.quiet).toBe(false);
    t.responseDone('r0'); // another response: no effect
    expect(t.quiet).toBe(false);
    t.responseDone('r1');
    t.speaking = true;
    expect(t.quiet).toBe(false);
  });

  it('reset reports the response still streaming unless we cancelled it, and forgets item audio', () => {
    const t = new TurnState();
    t.activeResponseId = 'r1';
    t.addItemAudio('i1', 800);
    t.addItemAudio('i1', 800);
    expect(t.itemAudioBytes('i1')).toBe(1600);
    expect(t.reset()).toBe('r1');
    expect(t.itemAudioBytes('i1')).toBeUndefined();
    t.activeResponseId = 'r2';
    expect(t.cancel()).toBe('r2');
    expect(t.reset()).toBeUndefined();
  });

  it('remembers a bounded number of cancelled responses and items, oldest evicted first', () => {
    const t = new TurnState();
    for (let i = 0; i < 40; i++) t.cancel(`r${i}`);
    expect(t.isCancelled('r0')).toBe(false);
    expect(t.isCancelled('r8')).toBe(true);
    expect(t.isCancelled('r39')).toBe(true);
    for (let i = 0; i < 70; i++) t.addItemAudio(`i${i}`, 1);
    expect(t.itemAudioBytes('i5')).toBeUndefined();
    expect(t.itemAudioBytes('i6')).toBe(1);
  });

  it('cancel: the live response by default, each response once, a finished one marked but not sent', () => {
    const t = new TurnState();
    expect(t.cancel()).toBeUndefined(); // nothing live
    t.activeResponseId = 'r1';
    expect(t.cancel()).toBe('r1');
    expect(t.cancel('r1')).toBeUndefined(); // once, whoever asks first
    expect(t.isCancelled('r1')).toBe(true);
    expect(t.cancel('r0')).toBeUndefined(); // not live: no response.cancel, but its late audio is dropped
    expect(t.isCancelled('r0')).toBe(true);
  });

  it('truncateMs: whole ms of what was heard, clamped to the audio received; undefined for unknown items', () => {
    const t = new TurnState();
    t.addItemAudio('g711', 8000); // 1000 ms at 8 bytes/ms
    t.addItemAudio('pcm', 48 * 250); // 250 ms at 48 bytes/ms
    expect(t.truncateMs('g711', 400.7, 'pcmu')).toBe(400);
    expect(t.truncateMs('g711', 5000, 'pcma')).toBe(1000);
    expect(t.truncateMs('g711', -20, 'pcmu')).toBe(0);
    expect(t.truncateMs('g711', Number.NaN, 'pcmu')).toBe(0);
    expect(t.truncateMs('pcm', 300, 'pcm16')).toBe(250);
    expect(t.truncateMs('other', 10, 'pcmu')).toBeUndefined();
  });

  it('truncateMs is an integer in [0, received ms] for any input (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double(), fc.constantFrom('pcmu', 'pcma', 'pcm16') as fc.Arbitrary<'pcmu' | 'pcma' | 'pcm16'>, (bytes, played, format) => {
        const t = new TurnState();
        t.addItemAudio('i', bytes);
        const ms = t.truncateMs('i', played, format);
        expect(Number.isInteger(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(bytes / (format === 'pcm16' ? 48 : 8));
      }),
    );
  });
});
