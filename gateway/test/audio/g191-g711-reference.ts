/**
 * Test oracle: a line-by-line port of the ITU-T G.191 STL `g711.c` (v3.01) loops — the segment
 * search, not a table — so the production tables are checked against an independent algorithm.
 * C `short` arithmetic is reproduced with JS int32 ops (all intermediate values fit in 16 bits, and
 * `~` / `>>` behave like C's on promoted ints).
 */

/** alaw_compress for one sample: uses the 12 MSBs of a left-justified 16-bit sample. */
export function g191AlawCompress(linear: number): number {
  let ix = linear < 0 ? ~linear >> 4 : linear >> 4; // 0 <= ix < 2048; 1's complement for negatives
  if (ix > 15) {
    // exponent = 0 for ix <= 15
    let iexp = 1;
    while (ix > 16 + 15) {
      ix >>= 1;
      iexp++;
    }
    ix -= 16; // remove leading '1'
    ix += iexp << 4;
  }
  if (linear >= 0) ix |= 0x0080; // add sign bit
  return (ix ^ 0x0055) & 0xff; // toggle even bits
}

/** alaw_expand for one code. */
export function g191AlawExpand(code: number): number {
  let ix = code ^ 0x0055; // re-toggle toggled bits
  ix &= 0x007f; // remove sign bit
  const iexp = ix >> 4;
  let mant = ix & 0x000f;
  if (iexp > 0) mant = mant + 16; // add leading '1'
  mant = (mant << 4) + 0x0008; // left justify, add 1/2 quantization step
  if (iexp > 1) mant = mant << (iexp - 1);
  return code > 127 ? mant : -mant;
}

/** ulaw_compress for one sample: uses the 14 MSBs of a left-justified 16-bit sample. */
export function g191UlawCompress(linear: number): number {
  let absno = linear < 0 ? (~linear >> 2) + 33 : (linear >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  let i = absno >> 6;
  let segno = 1;
  while (i !== 0) {
    segno++;
    i >>= 1;
  }
  const highNibble = 0x0008 - segno;
  let lowNibble = (absno >> segno) & 0x000f;
  lowNibble = 0x000f - lowNibble;
  let code = (highNibble << 4) | lowNibble;
  if (linear >= 0) code = code | 0x0080;
  return code;
}

/** ulaw_expand for one code. */
export function g191UlawExpand(code: number): number {
  const sign = code < 0x0080 ? -1 : 1;
  let mantissa = ~code;
  const exponent = (mantissa >> 4) & 0x0007;
  const segment = exponent + 1;
  mantissa = mantissa & 0x000f;
  const step = 4 << segment;
  // `| 0`: C shorts have no negative zero (JS would give −0 for code 0x7F).
  return (sign * ((0x0080 << exponent) + step * mantissa + step / 2 - 4 * 33)) | 0;
}
