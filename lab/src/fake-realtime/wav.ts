/**
 * Just enough RIFF/WAVE for the fake: read 16-bit PCM fixtures, write what the fake received in the
 * format it arrived in (PCM 16-bit, or G.711 with WAVE_FORMAT_MULAW 7 / WAVE_FORMAT_ALAW 6, 8-bit).
 */
import { readFileSync } from 'node:fs';

export interface Pcm16Wav {
  sampleRate: number;
  samples: Int16Array;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;

export function readPcm16Wav(path: string): Pcm16Wav {
  const buf = readFileSync(path);
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${path}: not a RIFF/WAVE file`);
  }
  let offset = 12;
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  // Bounded: every iteration advances by at least the 8-byte chunk header.
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ' && body + 16 <= buf.length) {
      fmt = { format: buf.readUInt16LE(body), channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (fmt === undefined) throw new Error(`${path}: data chunk before fmt chunk`);
      if (fmt.format !== WAVE_FORMAT_PCM || fmt.channels !== 1 || fmt.bits !== 16) {
        throw new Error(`${path}: need PCM 16-bit mono, got format ${fmt.format}, ${fmt.channels} ch, ${fmt.bits} bit`);
      }
      const end = Math.min(buf.length, body + size);
      const samples = new Int16Array((end - body) >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(body + 2 * i);
      return { sampleRate: fmt.sampleRate, samples };
    }
    offset = body + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

export type WavEncoding = 'pcm16' | 'mulaw' | 'alaw';

/** A complete WAV file around `data` (already in the given encoding, little-endian for pcm16). */
export function wavFile(encoding: WavEncoding, sampleRate: number, data: Uint8Array): Buffer {
  const bits = encoding === 'pcm16' ? 16 : 8;
  const format = encoding === 'pcm16' ? WAVE_FORMAT_PCM : encoding === 'mulaw' ? WAVE_FORMAT_MULAW : WAVE_FORMAT_ALAW;
  // Non-PCM formats carry cbSize (fmt chunk of 18 bytes), as WAVEFORMATEX requires.
  const fmtSize = encoding === 'pcm16' ? 16 : 18;
  const header = Buffer.alloc(20 + fmtSize + 8);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(header.length - 8 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(fmtSize, 16);
  header.writeUInt16LE(format, 20);
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE((sampleRate * bits) / 8, 28); // byte rate
  header.writeUInt16LE(bits / 8, 32); // block align
  header.writeUInt16LE(bits, 34);
  if (fmtSize === 18) header.writeUInt16LE(0, 36); // cbSize
  header.write('data', 20 + fmtSize, 'ascii');
  header.writeUInt32LE(data.length, 24 + fmtSize);
  return Buffer.concat([header, data]);
}
