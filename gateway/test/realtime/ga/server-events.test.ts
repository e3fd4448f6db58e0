import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consumedServerEventSchema, parseServerEvent, summarizeRaw } from '../../../src/realtime/ga/server-events.js';

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

  it('audio deltas (checked without zod) are accepted and rejected exactly as the schema does (property)', () => {
    const valid = { type: 'response.output_audio.delta', event_id: 'e1', response_id: 'r1', item_id: 'i1', output_index: 0, content_index: 0, delta: 'AAAA' };
    const oddValue = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.string(),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant({}),
      fc.constant([]),
    );
    const fields = Object.keys(valid).filter((k) => k !== 'type');
    const mutation = fc.dictionary(fc.constantFrom(...fields), oddValue, { maxKeys: 3 });
    fc.assert(
      fc.property(mutation, fc.boolean(), (patch, extraKey) => {
        const raw: Record<string, unknown> = { ...valid, ...patch, ...(extraKey ? { obfuscation: 'x' } : {}) };
        for (const [k, v] of Object.entries(patch)) if (v === undefined) delete raw[k];
        const zod = consumedServerEventSchema.safeParse(raw);
        const ours = parseServerEvent(raw);
        expect(ours.kind).toBe(zod.success ? 'event' : 'invalid');
        if (zod.success && ours.kind === 'event') expect(ours.event).toEqual(zod.data);
      }),
      { numRuns: 2000 },
    );
  });
});
