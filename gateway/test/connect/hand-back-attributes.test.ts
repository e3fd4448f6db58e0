import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkContactAttributes, contactAttributesBytes, MAX_CONTACT_ATTRIBUTES_BYTES, utf8Length } from '../../src/connect/attribute-limits.js';
import { buildHandBackAttributes, MAX_REASON_BYTES, MAX_SUMMARY_BYTES, MAX_TRANSCRIPT_BYTES, type HandBackInput } from '../../src/connect/hand-back-attributes.js';
import { ELLIPSIS, lastLinesWithin, truncateUtf8 } from '../../src/connect/utf8-text.js';

/** An unpaired UTF-16 surrogate: what a cut in the middle of a pair leaves behind. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const AT = Date.UTC(2026, 8, 1, 12, 30, 0);
const base: HandBackInput = { outcome: 'transfer_to_human', summary: 'Caller wants a refund for order 1234.', reason: 'caller asked for a person', at: AT };

describe('buildHandBackAttributes: the documented ai_* names', () => {
  it('writes outcome, summary, reason and the ISO hand-back time', () => {
    const { attributes, problems } = buildHandBackAttributes(base);
    expect(attributes).toEqual({
      ai_outcome: 'transfer_to_human',
      ai_summary: 'Caller wants a refund for order 1234.',
      ai_reason: 'caller asked for a person',
      ai_handback_at: '2026-09-01T12:30:00.000Z',
    });
    expect(problems).toEqual([]);
    expect(checkContactAttributes(attributes)).toEqual([]);
  });

  it('adds legal extras and drops reserved or illegal ones, saying why', () => {
    const { attributes, problems } = buildHandBackAttributes({ ...base, extra: { customer_verified: 'true', ai_outcome: 'completed', 'bad key': 'x', 'order.id': '1' } });
    expect(attributes.customer_verified).toBe('true');
    expect(attributes.ai_outcome).toBe('transfer_to_human');
    expect(attributes['bad key']).toBeUndefined();
    expect(attributes['order.id']).toBeUndefined();
    expect(problems).toEqual([
      'extra attribute ai_outcome: reserved for the gateway; dropped',
      `extra attribute "bad key": keys may contain only letters, digits, '-' and '_'; dropped`,
      `extra attribute "order.id": keys may contain only letters, digits, '-' and '_'; dropped`,
    ]);
  });

  it('cuts a long summary and reason to their byte budgets with an ellipsis', () => {
    const { attributes, problems } = buildHandBackAttributes({ ...base, summary: 'word '.repeat(2_000), reason: 'é'.repeat(1_000) });
    expect(utf8Length(attributes.ai_summary ?? '')).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(attributes.ai_summary?.endsWith(ELLIPSIS)).toBe(true);
    expect(utf8Length(attributes.ai_reason ?? '')).toBeLessThanOrEqual(MAX_REASON_BYTES);
    expect(problems).toEqual(['ai_summary: cut to 2048 bytes', 'ai_reason: cut to 512 bytes']);
  });

  it('writes the transcript tail as caller:/agent: lines, dropping the oldest turns first', () => {
    const transcript = Array.from({ length: 400 }, (_, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), text: `turn ${i} ${'blah '.repeat(20)}` }));
    const { attributes, problems } = buildHandBackAttributes({ ...base, transcript });
    const text = attributes.ai_transcript ?? '';
    expect(utf8Length(text)).toBeLessThanOrEqual(MAX_TRANSCRIPT_BYTES);
    const lines = text.split('\n');
    expect(lines[0]).toBe(ELLIPSIS);
    expect(lines.at(-1)).toMatch(/^agent: turn 399 /);
    expect(lines.at(-2)).toMatch(/^caller: turn 398 /);
    expect(problems.some((p) => p.startsWith('ai_transcript: only the most recent turns fit'))).toBe(true);
  });

  it('gives the transcript only the room extras left under 32 KB', () => {
    const extra = { notes: 'n'.repeat(30_000) };
    const transcript = [{ role: 'user' as const, text: 'x'.repeat(5_000) }];
    const { attributes } = buildHandBackAttributes({ ...base, extra, transcript });
    expect(contactAttributesBytes(attributes)).toBeLessThanOrEqual(MAX_CONTACT_ATTRIBUTES_BYTES);
    expect(attributes.notes).toHaveLength(30_000);
  });

  it('drops an extra that would break the 32 KB limit', () => {
    const { attributes, problems } = buildHandBackAttributes({ ...base, extra: { a: 'a'.repeat(20_000), b: 'b'.repeat(20_000) } });
    expect(attributes.a).toBeDefined();
    expect(attributes.b).toBeUndefined();
    expect(problems).toContain('extra attribute b: would exceed the 32768-byte Connect limit; dropped');
  });

  it('property: whatever the input, the map is one Connect accepts', () => {
    const key = fc.stringMatching(/^[A-Za-z0-9_ .-]{1,20}$/);
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 5_000 }),
        fc.string({ unit: 'grapheme', maxLength: 1_000 }),
        fc.dictionary(key, fc.string({ unit: 'grapheme', maxLength: 9_000 }), { maxKeys: 8 }),
        fc.array(fc.record({ role: fc.constantFrom('user' as const, 'assistant' as const), text: fc.string({ unit: 'grapheme', maxLength: 3_000 }) }), { maxLength: 30 }),
        (summary, reason, extra, transcript) => {
          const { attributes } = buildHandBackAttributes({ ...base, summary, reason, extra, transcript });
          expect(checkContactAttributes(attributes)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('truncateUtf8 and lastLinesWithin', () => {
  it('keeps text that fits untouched', () => {
    expect(truncateUtf8('hello', 5)).toBe('hello');
  });

  it('never splits a multi-byte character or a surrogate pair', () => {
    // "€" is 3 bytes, "😀" is 4 bytes (a surrogate pair in UTF-16).
    expect(truncateUtf8('€€€€', 9)).toBe('€€…');
    expect(truncateUtf8('😀😀😀', 10)).toBe('😀…');
  });

  it('prefers a nearby word boundary', () => {
    expect(truncateUtf8('the quick brown fox jumps', 20)).toBe('the quick brown…');
  });

  it('property: the result fits, is a prefix (plus ellipsis) and is well-formed UTF-16', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), fc.integer({ min: 0, max: 200 }), (text, max) => {
        const out = truncateUtf8(text, max);
        expect(utf8Length(out)).toBeLessThanOrEqual(max);
        if (!LONE_SURROGATE.test(text)) expect(LONE_SURROGATE.test(out)).toBe(false);
        if (out !== text && out.length > 0) expect(text.startsWith(out.slice(0, -1).trimEnd())).toBe(true);
      }),
    );
  });

  it('property: lastLinesWithin fits and ends with the newest line when that line fits', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 4, max: 500 }), (lines, max) => {
        const out = lastLinesWithin(lines, max);
        expect(utf8Length(out)).toBeLessThanOrEqual(max);
        const last = lines.at(-1) ?? '';
        if (utf8Length(last) + 4 <= max) expect(out.endsWith(last)).toBe(true);
      }),
    );
  });
});
