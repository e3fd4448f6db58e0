import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ownedCopy, ownedText } from '../src/owned-bytes.js';

/** A buffer that is the whole of its memory, not a view into a shared pool chunk. */
function ownsItsMemory(b: Buffer): boolean {
  return b.byteOffset === 0 && b.buffer.byteLength === b.length;
}

describe('owned bytes', () => {
  it('the premise: a small Buffer.from is a slice of a shared pool chunk far larger than itself', () => {
    const pooled = Buffer.from('v=0\r\n');
    expect(ownsItsMemory(pooled)).toBe(false);
    expect(pooled.buffer.byteLength).toBe(Buffer.poolSize);
  });

  it('ownedCopy copies any bytes, from any view, into memory of their own', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(20), (bytes, skip) => {
        const source = Buffer.concat([Buffer.alloc(skip), bytes]).subarray(skip);
        const copy = ownedCopy(source);
        expect(copy).toEqual(Buffer.from(bytes));
        expect(ownsItsMemory(copy)).toBe(true);
        copy.fill(1);
        expect(source).toEqual(Buffer.from(bytes)); // a copy, not a view
      }),
    );
  });

  it('ownedText encodes as Buffer.from would, into memory of its own', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom<BufferEncoding>('utf8', 'latin1'), (text, encoding) => {
        const bytes = ownedText(text, encoding);
        expect(bytes).toEqual(Buffer.from(text, encoding));
        expect(ownsItsMemory(bytes)).toBe(true);
      }),
    );
  });
});
