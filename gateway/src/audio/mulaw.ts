/**
 * G.711 µ-law, bit-exact with the ITU-T G.191 STL reference (`ulaw_compress` / `ulaw_expand`).
 *
 * The reference works on left-justified 16-bit samples and looks only at the top 14 bits, taking the
 * ONE's complement of negative samples (so -1..-4 encode like +0..+3, to 0x7F "negative zero").
 * Popular npm ports negate in two's complement instead and differ on many negative inputs; we follow
 * the reference. Both directions are table lookups built once at module load: the encoder is indexed
 * by the 14 significant bits (16 KiB), the decoder by the code (256 entries).
 *
 *   code bit:   7      6..4       3..0
 *             sign   segment   mantissa      (all bits inverted on the wire; sign 1 = positive)
 */

/** Decoded value of each code on the 16-bit scale (±32124 at the extremes, 0 for 0x7F and 0xFF). */
export const MULAW_DECODE_TABLE: Readonly<Int16Array> = buildDecodeTable();

/** Code for each 14-bit input `(sample >> 2) & 0x3FFF`. */
const ENCODE_TABLE: Uint8Array = buildEncodeTable();

/** µ-law silence: positive zero (0xFF); 0x7F (negative zero) decodes to the same 0. */
export const MULAW_SILENCE = 0xff;

/** Encodes one 16-bit linear sample. Inputs outside int16 are taken modulo 2^16, like a C short. */
export function mulawEncodeSample(sample: number): number {
  return ENCODE_TABLE[(sample >> 2) & 0x3fff] as number;
}

/** Decodes one code (only the low 8 bits are used). */
export function mulawDecodeSample(code: number): number {
  return MULAW_DECODE_TABLE[code & 0xff] as number;
}

/**
 * Encodes `n` samples of `pcm` into `out` without allocating. `n` is clamped to both buffers;
 * returns the number of samples encoded.
 */
export function encodeMulaw(pcm: Int16Array, out: Uint8Array, n: number = pcm.length): number {
  const count = clampCount(n, pcm.length, out.length);
  const table = ENCODE_TABLE;
  for (let i = 0; i < count; i++) out[i] = table[((pcm[i] as number) >> 2) & 0x3fff] as number;
  return count;
}

/** Decodes `n` codes into `out` without allocating; `n` is clamped; returns the number decoded. */
export function decodeMulaw(codes: Uint8Array, out: Int16Array, n: number = codes.length): number {
  const count = clampCount(n, codes.length, out.length);
  const table = MULAW_DECODE_TABLE;
  for (let i = 0; i < count; i++) out[i] = table[codes[i] as number] as number;
  return count;
}

function clampCount(n: number, a: number, b: number): number {
  // `n > 0` is false for NaN, so a bad count does nothing instead of looping on garbage.
  return n > 0 ? Math.min(Math.floor(n), a, b) : 0;
}

/**
 * Closed-form segment arithmetic (G.711 Table 2): bias the 13-bit magnitude by 33 so segment k
 * starts at 64·2^(k-1), find the segment from the bit length, keep the 4 bits after the leading one,
 * then invert (µ-law transmits inverted codes).
 */
function buildEncodeTable(): Uint8Array {
  const table = new Uint8Array(1 << 14);
  for (let index = 0; index < 1 << 14; index++) {
    const value = (index << 18) >> 18; // sign-extend the 14-bit index
    const magnitude = value < 0 ? ~value : value; // one's complement, as the reference does
    const biased = Math.min(magnitude + 33, 0x1fff);
    const segment = 33 - Math.clz32(biased >> 6); // 1..8: 1 + bit length of biased/64
    const mantissa = (biased >> segment) & 0x0f;
    const code = ((8 - segment) << 4) | (0x0f - mantissa);
    table[index] = value >= 0 ? code | 0x80 : code;
  }
  return table;
}

/** Each code decodes to the middle of its interval: ((2·mantissa + 33)·2^exponent − 33)·4. */
function buildDecodeTable(): Int16Array {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) {
    const inverted = ~code & 0xff;
    const exponent = (inverted >> 4) & 0x07;
    const mantissa = inverted & 0x0f;
    const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    table[code] = code & 0x80 ? magnitude : -magnitude;
  }
  return table;
}
