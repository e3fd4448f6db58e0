/** What the caller's microphone produces per tick: silence, speech, echo, RFC 4733 events. */
import { describe, expect, it } from 'vitest';
import { encodeMulaw, g711Codec, parseDtmfPayload } from 'connect-realtime-gateway';
import { EchoPath } from '../../src/callers/lab-caller/media/echo-path.js';
import { OutgoingStream } from '../../src/callers/lab-caller/media/outgoing-stream.js';
import { tone } from './helpers/signals.js';

function stream(codec: 'PCMU' | 'PCMA' = 'PCMU', te: number | 'none' = 101) {
  const echo = new EchoPath();
  const s = new OutgoingStream({ codec: g711Codec(codec), payloadType: codec === 'PCMU' ? 0 : 8, telephoneEventPt: te === 'none' ? undefined : te, timestampBase: 0xffff_ff00, echo });
  return { s, echo };
}

describe('OutgoingStream', () => {
  it('sends the law’s silence byte by default (µ-law 0xFF, A-law 0xD5) with a marker only on the first packet', () => {
    for (const [law, byte] of [['PCMU', 0xff], ['PCMA', 0xd5]] as const) {
      const { s } = stream(law);
      const f0 = s.next(0);
      expect([f0.kind, f0.marker, f0.payloadType]).toEqual(['silence', true, law === 'PCMU' ? 0 : 8]);
      expect(f0.payload.every((b) => b === byte)).toBe(true);
      expect(s.next(1).marker).toBe(false);
    }
  });

  it('steps the timestamp by 160 per tick, wrapping at 2^32', () => {
    const { s } = stream();
    expect(s.next(0).timestamp).toBe(0xffff_ff00);
    expect(s.next(1).timestamp).toBe(0xffff_ffa0);
    expect(s.next(2).timestamp).toBe(0x40);
  });

  it('encodes a speech insert frame by frame, padding the last frame with zeros', () => {
    const { s } = stream();
    const speech = tone(50, 440, -10); // 400 samples: 2.5 frames
    s.speak(speech);
    const frames = [0, 1, 2, 3].map((t) => {
      const f = s.next(t);
      return { kind: f.kind, payload: Buffer.from(f.payload) };
    });
    expect(frames.map((f) => f.kind)).toEqual(['speech', 'speech', 'speech', 'silence']);
    const padded = new Int16Array(480);
    padded.set(speech);
    const expected = Buffer.alloc(480);
    encodeMulaw(padded, expected);
    expect(Buffer.concat(frames.slice(0, 3).map((f) => f.payload)).equals(expected)).toBe(true);
  });

  it('mixes echo under speech and labels echo-only frames', () => {
    const { s, echo } = stream();
    echo.configure({ gainDb: 0, delayMs: 0 });
    echo.push(tone(20, 1000, -20), 160, 7, 0, 160, 160);
    expect(s.next(0).kind).toBe('silence');
    expect(s.next(1).kind).toBe('echo');
    expect(s.next(2).kind).toBe('silence');
  });

  it('replaces audio with RFC 4733 packets while a digit is keyed, then leaves the gap', () => {
    const { s } = stream();
    expect(s.queueDtmf('5', 60, 40)).toBe(true);
    const frames = Array.from({ length: 9 }, (_, t) => {
      const f = s.next(t);
      return { kind: f.kind, pt: f.payloadType, marker: f.marker, ts: f.timestamp, digit: f.dtmfDigit, p: f.kind === 'dtmf' ? parseDtmfPayload(f.payload) : undefined };
    });
    // 60 ms = 3 packets (durations 160, 320, 480 with E on the last) + 2 repeated ends, then 2 gap ticks.
    expect(frames.map((f) => f.kind)).toEqual(['dtmf', 'dtmf', 'dtmf', 'dtmf', 'dtmf', 'silence', 'silence', 'silence', 'silence']);
    const dtmf = frames.slice(0, 5);
    expect(dtmf.map((f) => f.p!.duration)).toEqual([160, 320, 480, 480, 480]);
    expect(dtmf.map((f) => f.p!.end)).toEqual([false, false, true, true, true]);
    expect(dtmf.map((f) => f.marker)).toEqual([true, false, false, false, false]);
    expect(new Set(dtmf.map((f) => f.ts)).size).toBe(1);
    expect(dtmf.every((f) => f.pt === 101 && f.p!.event === 5)).toBe(true);
    expect(frames[0]!.digit).toBe('5');
    expect(frames[5]!.ts).toBe((0xffff_ff00 + 5 * 160) >>> 0);
  });

  it('refuses DTMF without a negotiated telephone-event', () => {
    const { s } = stream('PCMU', 'none');
    expect(s.queueDtmf('1', 100, 50)).toBe(false);
  });
});
