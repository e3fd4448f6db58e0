import { describe, expect, it } from 'vitest';
import { parseServerEvent, summarizeRaw } from '../../../src/realtime/ga/server-events.js';

describe('server event boundary (zod)', () => {
  it('accepts a well-formed consumed event and keeps the raw value', () => {
    const raw = { type: 'response.output_audio.delta', event_id: 'e1', response_id: 'r1', item_id: 'i1', output_index: 0, content_index: 0, delta: 'AAAA', extra: true };
    const p = parseServerEvent(raw);
    expect(p.kind).toBe('event');
    if (p.kind === 'event') {
      expect(p.event).toMatchObject({ type: 'response.output_audio.delta', delta: 'AAAA', extra: true });
      expect(p.raw).toBe(raw);
    }
  });

  it('marks a consumed event with a missing or mistyped field invalid, with the path', () => {
    const p = parseServerEvent({ type: 'response.output_audio.delta', event_id: 'e1', response_id: 'r1', item_id: 'i1', output_index: 0, content_index: 0 });
    expect(p).toMatchObject({ kind: 'invalid', type: 'response.output_audio.delta' });
    if (p.kind === 'invalid') expect(p.issues).toMatch(/^delta:/);
    expect(parseServerEvent({ type: 'input_audio_buffer.speech_started', event_id: 'e', item_id: 'i', audio_start_ms: '12' }).kind).toBe('invalid');
  });

  it('separates SDK events we ignore from unknown ones and from non-events', () => {
    expect(parseServerEvent({ type: 'response.content_part.added', event_id: 'e' }).kind).toBe('ignored');
    expect(parseServerEvent({ type: 'response.audio.delta', delta: 'x' }).kind).toBe('unknown'); // beta name
    expect(parseServerEvent('hello').kind).toBe('invalid');
    expect(parseServerEvent(null).kind).toBe('invalid');
    expect(parseServerEvent({ type: 7 }).kind).toBe('invalid');
  });

  it('summarizes raw events for logs without the audio payload', () => {
    const long = 'A'.repeat(4000);
    expect(summarizeRaw({ type: 'x', delta: long })).toEqual({ type: 'x', delta: '<4000 chars>' });
  });
});
