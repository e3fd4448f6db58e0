import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inputAudioAppend, inputAudioAppendText } from '../../../src/realtime/ga/client-events.js';

const text = (bytes: Uint8Array): string => inputAudioAppendText(bytes).toString('utf8');

describe('input_audio_buffer.append as frame bytes', () => {
  it('encodes the RFC 4648 §10 test vectors', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, b64] of vectors) {
      expect(text(Buffer.from(plain, 'latin1'))).toBe(`{"type":"input_audio_buffer.append","audio":"${b64}"}`);
    }
  });

  it('is exactly the JSON text of the event object, for any bytes and any view into a larger buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(7), fc.nat(7), (body, before, after) => {
        const backing = new Uint8Array(before + body.length + after).fill(0xa5);
        backing.set(body, before);
        const view = backing.subarray(before, before + body.length);
        const out = inputAudioAppendText(view);
        expect(out.toString('utf8')).toBe(JSON.stringify(inputAudioAppend(view)));
        expect(JSON.parse(out.toString('utf8'))).toEqual({ type: 'input_audio_buffer.append', audio: Buffer.from(body).toString('base64') });
      }),
    );
  });

  it('returns a buffer of its own each time (the socket may still hold the previous one)', () => {
    const a = inputAudioAppendText(new Uint8Array([1, 2, 3]));
    const b = inputAudioAppendText(new Uint8Array([4, 5, 6]));
    expect(a.toString()).toBe('{"type":"input_audio_buffer.append","audio":"AQID"}');
    expect(b.toString()).toBe('{"type":"input_audio_buffer.append","audio":"BAUG"}');
  });
});
