/**
 * G.711 A-law, bit-exact with the ITU-T G.191 STL reference (`alaw_compress` / `alaw_expand`).
 *
 * The reference keeps the top 12 bits of a left-justified 16-bit sample (sign + 11-bit magnitude,
 * i.e. the 13-bit A-law range at half resolution in the two lowest segments) and takes the ONE's
 * complement of negative samples, so there is no negative zero: every code decodes to a non-zero
 * value and re-encodes to itself. Tables are built once at load: 4 KiB encoder, 256-entry decoder.
 *
 *   code bit:   7      6..4       3..0
 *             sign   segment   mantissa      (even bits toggled on the wire: XOR 0x55; sign 1 = positive)
 */

/** Decoded value of each code on the 16-bit scale (±8 .. ±32256). */
export const ALAW_DECODE_TABLE: Readonly<Int16Array> = buildDecodeTable();

/** Code for each 12-bit input `(sample >> 4) & 0xFFF`. */
const ENCODE_TABLE: Uint8Array = buildEncodeTable();

/** A-law code of the smallest positive level (+8), the conventional silence byte. */
export const ALAW_SILENCE = 0xd5;

/** Encodes one 16-bit linear sample. Inputs outside int16 are taken modulo 2^16, like a C short. */
export function alawEncodeSample(sample: number): number {
  return ENCODE_TABLE[(sample >> 4) & 0x0fff] as number;
}

/** Decodes one code (only the low 8 bits are used). */
export function alawDecodeSample(code: number): number {
  return ALAW_DECODE_TABLE[code & 0xff] as number;
}

/**
 * Encodes `n` samples of `pcm` into `out` without allocating. `n` is clamped to both buffers;
 * returns the number of samples encoded.
 */
export function encodeAlaw(pcm: Int16Array, out: Uint8Array, n: number = pcm.length): number {
  const count = clampCount(n, pcm.length, out.length);
  const table = ENCODE_TABLE;
  for (let i = 0; i < count; i++) out[i] = table[((pcm[i] as number) >> 4) & 0x0fff] as number;
  return count;
}

/** Decodes `n` codes into `out` without allocating; `n` is clamped; returns the number decoded. */
export function decodeAlaw(codes: Uint8Array, out: Int16Array, n: number = codes.length): number {
  const count = clampCount(n, codes.length, out.length);
  const table = ALAW_DECODE_TABLE;
  for (let i = 0; i < count; i++) out[i] = table[codes[i] as number] as number;
  return count;
}

function clampCount(n: number, a: number, b: number): number {
  // `n > 0` is false for NaN, so a bad count does nothing instead of looping on garbage.
  return n > 0 ? Math.min(Math.floor(n), a, b) : 0;
}

/**
 * Closed-form segment arithmetic (G.711 Table 1): magnitudes 0..15 are segment 0 verbatim; above,
 * the segment is the bit length minus 4 and the mantissa the 4 bits after the leading one.
 */
function buildEncodeTable(): Uint8Array {
  const table = new Uint8Array(1 << 12);
  for (let index = 0; index < 1 << 12; index++) {
    const value = (index << 20) >> 20; // sign-extend the 12-bit index
    const magnitude = value < 0 ? ~value : value; // one's complement, as the reference does
    let code = magnitude;
    if (magnitude > 15) {
      const segment = 28 - Math.clz32(magnitude); // bit length − 4: 1..7
      code = (segment << 4) | ((magnitude >> (segment - 1)) & 0x0f);
    }
    table[index] = (value >= 0 ? code | 0x80 : code) ^ 0x55;
  }
  return table;
}

/** Each code decodes to the middle of its interval; segments 0 and 1 share the finest step (16). */
function buildDecodeTable(): Int16Array {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) {
    const toggled = code ^ 0x55;
    const segment = (toggled >> 4) & 0x07;
    const mantissa = toggled & 0x0f;
    const magnitude =
      segment === 0 ? (mantissa << 4) + 8 : (((mantissa | 0x10) << 4) + 8) << (segment - 1);
    table[code] = toggled & 0x80 ? magnitude : -magnitude;
  }
  return table;
}
