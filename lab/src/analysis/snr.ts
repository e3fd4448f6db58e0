/** Signal-to-noise ratio of `test` against `reference` over their common length, in dB. */
export function snrDb(reference: ArrayLike<number>, test: ArrayLike<number>): number {
  const n = Math.min(reference.length, test.length);
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < n; i++) {
    const r = reference[i] as number;
    const e = r - (test[i] as number);
    signal += r * r;
    noise += e * e;
  }
  if (noise === 0) return signal === 0 ? 0 : Infinity;
  if (signal === 0) return -Infinity;
  return 10 * Math.log10(signal / noise);
}
