/**
 * SoX as a reference tool: buffers go through temp raw files under os.tmpdir() and `sox` runs
 * synchronously. Dither is always off (`-D`): sox otherwise adds random noise when it lowers the
 * precision (e.g. 16-bit -> 8-bit G.711), which would make a bit-exact comparison meaningless.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type SoxEncoding = 'signed-integer' | 'u-law' | 'a-law';

/** A headerless sample format: rate, encoding and bits per sample (16 for signed, 8 for G.711). */
export interface SoxRawFormat {
  rate: number;
  encoding: SoxEncoding;
  bits: 8 | 16;
}

/** True when a `sox` binary answers on PATH. */
export function soxAvailable(): boolean {
  const r = spawnSync('sox', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

function formatArgs(f: SoxRawFormat): string[] {
  // -L: little-endian, stated explicitly so the files mean the same on any host.
  return ['-t', 'raw', '-r', String(f.rate), '-e', f.encoding, '-b', String(f.bits), '-c', '1', '-L'];
}

/** Runs `sox -D <in> <out> [effects…]` on raw bytes; throws with sox's stderr if it fails. */
export function runSox(input: Uint8Array, from: SoxRawFormat, to: SoxRawFormat, effects: readonly string[] = []): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'sox-'));
  try {
    const inPath = join(dir, 'in.raw');
    const outPath = join(dir, 'out.raw');
    writeFileSync(inPath, input);
    const args = ['-D', ...formatArgs(from), inPath, ...formatArgs(to), outPath, ...effects];
    const r = spawnSync('sox', args, { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`sox ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
    return new Uint8Array(readFileSync(outPath));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function int16ToLeBytes(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(2 * i, samples[i] as number, true);
  return out;
}

export function leBytesToInt16(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length >> 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, true);
  return out;
}

/** Encodes 16-bit PCM to G.711 with sox. */
export function soxEncodeG711(pcm: Int16Array, law: 'u-law' | 'a-law', rate = 8000): Uint8Array {
  return runSox(int16ToLeBytes(pcm), { rate, encoding: 'signed-integer', bits: 16 }, { rate, encoding: law, bits: 8 });
}

/** Decodes G.711 to 16-bit PCM with sox. */
export function soxDecodeG711(codes: Uint8Array, law: 'u-law' | 'a-law', rate = 8000): Int16Array {
  return leBytesToInt16(runSox(codes, { rate, encoding: law, bits: 8 }, { rate, encoding: 'signed-integer', bits: 16 }));
}

/**
 * Resamples 16-bit PCM with sox's `rate` effect (default `-v`, very high quality, linear phase).
 * sox trims its own filter delay, so the output is time-aligned with the input.
 */
export function soxResample(pcm: Int16Array, inRate: number, outRate: number, quality: '-v' | '-h' | '-m' | '-q' = '-v'): Int16Array {
  const bytes = runSox(
    int16ToLeBytes(pcm),
    { rate: inRate, encoding: 'signed-integer', bits: 16 },
    { rate: outRate, encoding: 'signed-integer', bits: 16 },
    ['rate', quality, String(outRate)],
  );
  return leBytesToInt16(bytes);
}
