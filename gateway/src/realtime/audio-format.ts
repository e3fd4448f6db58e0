import type { RealtimeAudioFormat } from './backend.js';

/**
 * Bytes per millisecond of audio in each session format: G.711 is 8 kHz x 1 byte, PCM16 is
 * 24 kHz x 2 bytes. Used to turn received byte counts into the ms a truncate may name.
 */
export function bytesPerMs(format: RealtimeAudioFormat): number {
  switch (format) {
    case 'pcmu':
    case 'pcma':
      return 8;
    case 'pcm16':
      return 48;
  }
}

/** Duration of `bytes` of audio in `format`, ms (fractional). */
export function audioMs(format: RealtimeAudioFormat, bytes: number): number {
  return bytes / bytesPerMs(format);
}
