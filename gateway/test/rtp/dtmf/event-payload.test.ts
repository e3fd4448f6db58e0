import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DTMF_DIGITS,
  digitToEvent,
  eventToDigit,
  isDtmfDigit,
  parseDtmfPayload,
  writeDtmfPayload,
} from '../../../src/rtp/dtmf/index.js';

describe('RFC 4733 §2.3 payload format', () => {
  it('parses a start packet for digit 5', () => {
    const bytes = Uint8Array.from([
      0x05, // event = 5
      0x0a, // E=0 R=0 volume=10
      0x00, 0xa0, // duration = 160 (20 ms at 8 kHz)
    ]);
    expect(parseDtmfPayload(bytes)).toEqual({ event: 5, end: false, volume: 10, duration: 160 });
  });

  it('parses an end packet for # with the E bit', () => {
    const bytes = Uint8Array.from([
      0x0b, // event = 11 (#)
      0x8a, // E=1 R=0 volume=10
      0x03, 0x20, // duration = 800 (100 ms)
    ]);
    expect(parseDtmfPayload(bytes)).toEqual({ event: 11, end: true, volume: 10, duration: 800 });
  });

  it('ignores the reserved R bit', () => {
    const bytes = Uint8Array.from([
      0x01, // event = 1
      0x7f, // E=0 R=1 volume=63
      0xff, 0xff, // duration = 65535
    ]);
    expect(parseDtmfPayload(bytes)).toEqual({ event: 1, end: false, volume: 63, duration: 65535 });
  });

  it('rejects payloads shorter than four bytes', () => {
    expect(parseDtmfPayload(Uint8Array.from([0x01, 0x0a, 0x00]))).toBeUndefined();
    expect(parseDtmfPayload(new Uint8Array(0))).toBeUndefined();
  });

  it('writes the same bytes it parses', () => {
    const out = new Uint8Array(4);
    writeDtmfPayload({ event: 11, end: true, volume: 10, duration: 800 }, out);
    expect([...out]).toEqual([0x0b, 0x8a, 0x03, 0x20]);
  });

  it('refuses fields that do not fit', () => {
    const out = new Uint8Array(4);
    expect(() => writeDtmfPayload({ event: 1, end: false, volume: 64, duration: 0 }, out)).toThrow(RangeError);
    expect(() => writeDtmfPayload({ event: 1, end: false, volume: 0, duration: 0x10000 }, out)).toThrow(RangeError);
    expect(() => writeDtmfPayload({ event: 256, end: false, volume: 0, duration: 0 }, out)).toThrow(RangeError);
    expect(() => writeDtmfPayload({ event: 1, end: false, volume: 0, duration: 0 }, new Uint8Array(3))).toThrow(RangeError);
  });

  it('round-trips every field combination (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 0, max: 0xffff }),
        (event, end, volume, duration) => {
          const out = new Uint8Array(4);
          writeDtmfPayload({ event, end, volume, duration }, out);
          expect(parseDtmfPayload(out)).toEqual({ event, end, volume, duration });
        },
      ),
    );
  });
});

describe('RFC 4733 §3.2 DTMF event codes', () => {
  it('maps events 0-15 to 0-9 * # A-D', () => {
    expect([...Array(16).keys()].map((e) => eventToDigit(e)).join('')).toBe('0123456789*#ABCD');
    expect(eventToDigit(16)).toBeUndefined();
    expect(eventToDigit(-1)).toBeUndefined();
  });

  it('maps digits back, accepting lower-case A-D', () => {
    for (const [i, d] of [...DTMF_DIGITS].entries()) expect(digitToEvent(d)).toBe(i);
    expect(digitToEvent('a')).toBe(12);
    expect(digitToEvent('E')).toBe(-1);
    expect(digitToEvent('12')).toBe(-1);
    expect(isDtmfDigit('#')).toBe(true);
    expect(isDtmfDigit('x')).toBe(false);
  });
});
