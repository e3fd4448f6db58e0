import { fftInPlace } from '../analysis/fft.js';
import { encodePng } from './png.js';

const SIZE = 256; // 32 ms at 8 kHz: 31 Hz bins
const FLOOR_DB = -110;
const TOP_DB = -10;

/**
 * A spectrogram of 8 kHz audio as a PNG: time left to right (`width` columns), 0–4 kHz bottom to
 * top, level in dB full scale on a dark-to-bright colour ramp.
 */
export function spectrogramPng(signal: Int16Array, width = 900): Buffer {
  const height = SIZE / 2;
  const rgb = new Uint8Array(width * height * 3);
  const window = new Float64Array(SIZE).map((_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (SIZE - 1)));
  const scale = 1 / (32768 * (SIZE / 4)); // full-scale sine in one bin ≈ 0 dB with a Hann window
  const re = new Float64Array(SIZE);
  const im = new Float64Array(SIZE);
  for (let x = 0; x < width; x++) {
    const centre = Math.floor(((x + 0.5) * signal.length) / width);
    const start = centre - SIZE / 2;
    for (let i = 0; i < SIZE; i++) {
      re[i] = ((signal[start + i] as number | undefined) ?? 0) * window[i]!;
      im[i] = 0;
    }
    fftInPlace(re, im);
    for (let bin = 0; bin < height; bin++) {
      const mag = Math.hypot(re[bin]!, im[bin]!) * scale;
      const db = mag > 0 ? 20 * Math.log10(mag) : FLOOR_DB;
      const level = Math.min(1, Math.max(0, (db - FLOOR_DB) / (TOP_DB - FLOOR_DB)));
      const y = height - 1 - bin;
      const [r, g, b] = ramp(level);
      const at = (y * width + x) * 3;
      rgb[at] = r;
      rgb[at + 1] = g;
      rgb[at + 2] = b;
    }
  }
  return encodePng(width, height, rgb);
}

/** Black → blue → magenta → orange → pale yellow. */
function ramp(v: number): [number, number, number] {
  const stops: Array<[number, number, number, number]> = [
    [0, 0, 0, 4],
    [0.25, 40, 11, 84],
    [0.5, 159, 42, 99],
    [0.75, 245, 125, 21],
    [1, 252, 255, 164],
  ];
  for (let i = 1; i < stops.length; i++) {
    const [p1, r1, g1, b1] = stops[i]!;
    const [p0, r0, g0, b0] = stops[i - 1]!;
    if (v <= p1) {
      const f = (v - p0) / (p1 - p0);
      return [Math.round(r0 + f * (r1 - r0)), Math.round(g0 + f * (g1 - g0)), Math.round(b0 + f * (b1 - b0))];
    }
  }
  return [252, 255, 164];
}
