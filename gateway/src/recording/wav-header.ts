/**
 * The 44-byte canonical RIFF/WAVE header of a call recording: PCM (format 1), 8 kHz, 16-bit, two
 * channels (caller left, agent right). The recorder writes it with a zero data size when the file is
 * opened, rewrites it after every chunk (so a killed process leaves at most the last second outside
 * the sizes) and once more at the end; `repairWavHeader` fixes a file a crash left behind.
 */
import { open } from 'node:fs/promises';

export const WAV_HEADER_BYTES = 44;
export const RECORDING_SAMPLE_RATE = 8_000;
export const RECORDING_CHANNELS = 2;
/** Bytes per stereo sample frame (two 16-bit samples). */
export const RECORDING_BLOCK_ALIGN = 4;
/** RIFF sizes are 32-bit: the data can be at most this long. */
export const MAX_WAV_DATA_BYTES = 0xffff_ffff - 36;

/** Writes the header for `dataBytes` of interleaved samples into `out` (at least 44 bytes). */
export function writeWavHeader(out: Buffer, dataBytes: number): Buffer {
  const data = Math.min(Math.max(0, dataBytes - (dataBytes % RECORDING_BLOCK_ALIGN)), MAX_WAV_DATA_BYTES);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + data, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(RECORDING_CHANNELS, 22);
  out.writeUInt32LE(RECORDING_SAMPLE_RATE, 24);
  out.writeUInt32LE(RECORDING_SAMPLE_RATE * RECORDING_BLOCK_ALIGN, 28);
  out.writeUInt16LE(RECORDING_BLOCK_ALIGN, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(data, 40);
  return out;
}

/** The data size a header states, or undefined when `header` is not one of ours. */
export function headerDataBytes(header: Buffer): number | undefined {
  if (header.length < WAV_HEADER_BYTES) return undefined;
  if (header.toString('ascii', 0, 4) !== 'RIFF' || header.toString('ascii', 8, 12) !== 'WAVE' || header.toString('ascii', 36, 40) !== 'data') return undefined;
  if (header.readUInt16LE(22) !== RECORDING_CHANNELS || header.readUInt32LE(24) !== RECORDING_SAMPLE_RATE || header.readUInt16LE(34) !== 16) return undefined;
  return header.readUInt32LE(40);
}

/**
 * A recording whose header does not state its length (the process was killed between a chunk and its
 * header update): the sizes are set from the file's length, rounded down to whole sample frames.
 * Returns 'repaired', 'ok', or 'foreign' for a file that is not one of our recordings (left alone).
 */
export async function repairWavHeader(path: string): Promise<'repaired' | 'ok' | 'foreign'> {
  const fh = await open(path, 'r+');
  try {
    const header = Buffer.alloc(WAV_HEADER_BYTES);
    const { bytesRead } = await fh.read(header, 0, WAV_HEADER_BYTES, 0);
    const stated = bytesRead === WAV_HEADER_BYTES ? headerDataBytes(header) : undefined;
    if (stated === undefined) return 'foreign';
    const { size } = await fh.stat();
    const actual = Math.min(size - WAV_HEADER_BYTES, MAX_WAV_DATA_BYTES);
    const whole = actual - (actual % RECORDING_BLOCK_ALIGN);
    if (stated === whole && header.readUInt32LE(4) === 36 + whole) return 'ok';
    await fh.write(writeWavHeader(header, whole), 0, WAV_HEADER_BYTES, 0);
    return 'repaired';
  } finally {
    await fh.close();
  }
}
