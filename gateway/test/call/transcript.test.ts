import { describe, expect, it } from 'vitest';
import { TranscriptLog } from '../../src/call/transcript.js';
import { ManualClock } from '../../src/clock.js';
import { FakeBackend } from './fakes.js';

function log() {
  const clock = new ManualClock(0, 1_700_000_000_000);
  const backend = new FakeBackend();
  const transcript = new TranscriptLog(backend, () => clock.wallNow());
  const say = (role: 'user' | 'assistant', itemId: string, text: string, final = true) => backend.emit('transcript', { role, itemId, text, final });
  return { clock, backend, transcript, say };
}

describe('only final, non-empty turns are kept', () => {
  it('deltas (final: false) are not turns', () => {
    const { transcript, say } = log();
    say('assistant', 'item-1', 'Hel', false);
    say('assistant', 'item-1', 'lo', false);
    expect(transcript.turns).toEqual([]);
    say('assistant', 'item-1', 'Hello, how can I help?');
    expect(transcript.turns.map((t) => t.text)).toEqual(['Hello, how can I help?']);
  });

  it('empty and whitespace-only finals are dropped; text is trimmed', () => {
    const { transcript, say } = log();
    say('user', 'item-1', '');
    say('user', 'item-2', '  \n ');
    say('user', 'item-3', '  I need my balance.  ');
    expect(transcript.turns.map((t) => [t.itemId, t.text])).toEqual([['item-3', 'I need my balance.']]);
  });
});

describe('turns keep their order, role, item and wall-clock time', () => {
  it('records each turn when its text became final', () => {
    const { transcript, say, clock } = log();
    say('assistant', 'item-a', 'Hi, this is the help line.');
    clock.advance(2_500);
    say('user', 'item-u', 'My card was declined.');
    clock.advance(1_000);
    say('assistant', 'item-b', 'Let me check that.');
    expect(transcript.turns).toEqual([
      { role: 'assistant', text: 'Hi, this is the help line.', at: 1_700_000_000_000, itemId: 'item-a' },
      { role: 'user', text: 'My card was declined.', at: 1_700_000_002_500, itemId: 'item-u' },
      { role: 'assistant', text: 'Let me check that.', at: 1_700_000_003_500, itemId: 'item-b' },
    ]);
  });
});

describe('a truncated agent turn is marked interrupted', () => {
  it('marks the assistant turn of the truncated item only', () => {
    const { transcript, say, backend } = log();
    say('assistant', 'item-a', 'Your balance is one hundred and');
    say('user', 'item-u', 'Stop.');
    backend.emit('truncated', { itemId: 'item-a', audioEndMs: 1_200 });
    expect(transcript.turns.map((t) => t.text)).toEqual(['Your balance is one hundred and [interrupted]', 'Stop.']);
  });

  it('a truncation for a caller item or an unknown item changes nothing', () => {
    const { transcript, say, backend } = log();
    say('user', 'item-u', 'Hello?');
    say('assistant', 'item-a', 'Hi.');
    backend.emit('truncated', { itemId: 'item-u', audioEndMs: 100 });
    backend.emit('truncated', { itemId: 'item-x', audioEndMs: 100 });
    expect(transcript.turns.map((t) => t.text)).toEqual(['Hello?', 'Hi.']);
  });
});

describe('summary(n)', () => {
  it('is the last n turns, one per line, as "caller:" / "agent:"', () => {
    const { transcript, say } = log();
    say('assistant', 'a1', 'Hello.');
    say('user', 'u1', 'Hi, I lost my card.');
    say('assistant', 'a2', 'I can block it.');
    say('user', 'u2', 'Yes please.');
    expect(transcript.summary(2)).toBe('agent: I can block it.\ncaller: Yes please.');
    expect(transcript.summary(10)).toBe('agent: Hello.\ncaller: Hi, I lost my card.\nagent: I can block it.\ncaller: Yes please.');
  });

  it('defaults to the last six turns', () => {
    const { transcript, say } = log();
    for (let i = 1; i <= 8; i++) say(i % 2 === 1 ? 'user' : 'assistant', `item-${i}`, `turn ${i}`);
    const lines = transcript.summary().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('caller: turn 3');
    expect(lines[5]).toBe('agent: turn 8');
  });

  it('is empty before anyone spoke, and carries the interrupted marker', () => {
    const { transcript, say, backend } = log();
    expect(transcript.summary()).toBe('');
    say('assistant', 'a1', 'The opening hours are');
    backend.emit('truncated', { itemId: 'a1', audioEndMs: 900 });
    expect(transcript.summary()).toBe('agent: The opening hours are [interrupted]');
  });
});
