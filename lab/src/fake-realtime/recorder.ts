/**
 * On-disk record of one fake session:
 *   session-<i>.events.jsonl   every event both ways, `{t, dir, event}` (t = ms since server start,
 *                              high resolution); base64 audio replaced by `<N bytes>` to keep it small
 *   session-<i>.in.wav         caller audio as received (G.711 as WAV format 7/6, or PCM16 24 kHz)
 *   session-<i>.in.g711        the raw G.711 bytes as received (pcmu/pcma), for byte-exact comparisons
 * A session whose input format changed midway gets one file pair per format segment (-1, -2, ...).
 */
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { RealtimeAudioFormat } from 'connect-realtime-gateway';
import { formatSampleRate } from './audio.js';
import { wavFile } from './wav.js';

export interface AudioSegment {
  format: RealtimeAudioFormat;
  chunks: Uint8Array[];
  bytes: number;
}

export class SessionRecorder {
  readonly #dir: string;
  readonly #index: number;
  readonly #events: WriteStream;

  constructor(dir: string, index: number) {
    mkdirSync(dir, { recursive: true });
    this.#dir = dir;
    this.#index = index;
    this.#events = createWriteStream(join(dir, `session-${index}.events.jsonl`));
    // A full disk must not crash the fake mid-scenario; the run's report will show the gap.
    this.#events.on('error', () => undefined);
  }

  event(line: unknown): void {
    this.#events.write(`${JSON.stringify(line)}\n`);
  }

  /** Writes the audio files and closes the event log. Returns the paths written. */
  finish(segments: readonly AudioSegment[]): Promise<string[]> {
    const paths: string[] = [];
    segments.forEach((seg, k) => {
      if (seg.bytes === 0) return;
      const base = join(this.#dir, `session-${this.#index}${segments.length > 1 ? `-${k + 1}` : ''}.in`);
      const data = Buffer.concat(seg.chunks);
      const encoding = seg.format === 'pcm16' ? 'pcm16' : seg.format === 'pcmu' ? 'mulaw' : 'alaw';
      writeFileSync(`${base}.wav`, wavFile(encoding, formatSampleRate(seg.format), data));
      paths.push(`${base}.wav`);
      if (seg.format !== 'pcm16') {
        writeFileSync(`${base}.g711`, data);
        paths.push(`${base}.g711`);
      }
    });
    return new Promise((resolve) => this.#events.end(() => resolve(paths)));
  }
}
