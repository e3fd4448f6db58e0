import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConversationLog, cutTextAtRatio } from '../../../src/realtime/openai/conversation-log.js';

function ids() {
  let n = 0;
  return () => `new_${++n}`;
}

describe('conversation log for reconnect replay', () => {
  it('keeps server order even when transcripts arrive late, and replays text items with fresh ids', () => {
    const log = new ConversationLog(100);
    log.noteItem({ id: 'u1', type: 'message', role: 'user', content: [{ type: 'input_audio', transcript: null }] });
    log.noteItem({ id: 'a1', type: 'message', role: 'assistant', content: [] });
    log.appendText('a1', 'Hello ');
    log.appendText('a1', 'there.');
    log.setText('u1', 'Hi, my order?', 'user'); // caller transcription lands after the answer started
    log.noteItem({ id: 'f1', type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '' });
    log.noteItem({ id: 'f1', type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"id":1}' });
    log.addLocal({ kind: 'function_call_output', id: 'o1', callId: 'call_1', output: '{"eta":"Thu"}' });
    const events = log.replayEvents(ids());
    expect(events).toEqual([
      { type: 'conversation.item.create', item: { id: 'new_1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi, my order?' }] } },
      { type: 'conversation.item.create', item: { id: 'new_2', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello there.' }] } },
      { type: 'conversation.item.create', item: { id: 'new_3', type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"id":1}' } },
      { type: 'conversation.item.create', item: { id: 'new_4', type: 'function_call_output', call_id: 'call_1', output: '{"eta":"Thu"}' } },
    ]);
    // The server's echo of a replayed item (new id) is recognised, not appended again.
    log.noteItem({ id: 'new_2', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello there.' }] });
    expect(log.entries).toHaveLength(4);
  });

  it('skips caller turns without a transcription and outputs whose call is gone', () => {
    const log = new ConversationLog(2);
    log.noteItem({ id: 'f1', type: 'function_call', call_id: 'c1', name: 'x', arguments: '{}' });
    log.noteItem({ id: 'u1', type: 'message', role: 'user', content: [{ type: 'input_audio' }] });
    log.addLocal({ kind: 'function_call_output', id: 'o1', callId: 'c1', output: '1' }); // evicts f1 (cap 2)
    expect(log.replayEvents(ids())).toEqual([]);
  });

  it('cuts a truncated agent turn to the heard fraction at a word boundary', () => {
    const log = new ConversationLog(10);
    log.noteItem({ id: 'a1', type: 'message', role: 'assistant', content: [{ type: 'output_audio', transcript: 'one two three four five six seven eight' }] });
    log.truncate('a1', 500, 1000);
    expect(log.entries[0]).toMatchObject({ text: 'one two three four' });
  });

  it('cutTextAtRatio returns a prefix that grows with the ratio (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (text, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const short = cutTextAtRatio(text, lo);
        const long = cutTextAtRatio(text, hi);
        expect(text.startsWith(short)).toBe(true);
        expect(text.startsWith(long)).toBe(true);
        expect(short.length).toBeLessThanOrEqual(Math.max(long.length, Math.floor(text.length * lo)));
      }),
    );
    expect(cutTextAtRatio('abc def', 1)).toBe('abc def');
    expect(cutTextAtRatio('abc def', 0)).toBe('');
  });
});
