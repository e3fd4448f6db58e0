import { describe, expect, it } from 'vitest';
import { TurnState } from '../../src/realtime/openai/turn-state.js';

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
    t.markCancelled('r2');
    expect(t.reset()).toBeUndefined();
  });

  it('remembers a bounded number of cancelled responses and items, oldest evicted first', () => {
    const t = new TurnState();
    for (let i = 0; i < 40; i++) t.markCancelled(`r${i}`);
    expect(t.isCancelled('r0')).toBe(false);
    expect(t.isCancelled('r8')).toBe(true);
    expect(t.isCancelled('r39')).toBe(true);
    for (let i = 0; i < 70; i++) t.addItemAudio(`i${i}`, 1);
    expect(t.itemAudioBytes('i5')).toBeUndefined();
    expect(t.itemAudioBytes('i6')).toBe(1);
  });
});
