import { existsSync } from 'node:fs';
import { estimateDelaySamples } from '../../analysis/delay.js';
import { readWav } from '../../callers/wav.js';
import type { CheckResult, Evidence } from '../evidence.js';
import { alignedSnrDb } from './signal.js';

/**
 * `caller-recording-heard-agent` (registered in catalog/media.ts): the audio a caller recorded itself
 * (an independent stack's own decoder, e.g. baresip's, not the lab's tap) contains each of the agent's
 * answers: found by cross-correlation against the fixture the fake Realtime sent, and matching it with
 * an aligned SNR of at least `minSnrDb` (G.711 itself allows about 35 dB; a wrong, garbled or clipped
 * answer is far below 10 dB).
 */
export function callerRecordingHeardAgent(spec: { check: string; minSnrDb: number }, ev: Evidence): CheckResult {
  const limit = `every answer at >= ${spec.minSnrDb} dB aligned SNR`;
  const path = ev.caller.heardWav;
  if (path === undefined || !existsSync(path)) return { name: spec.check, passed: false, value: null, limit, detail: 'the caller recorded nothing' };
  const { samples: heard, sampleRate } = readWav(path);
  if (sampleRate !== 8000) return { name: spec.check, passed: false, value: null, limit, detail: `recording is ${sampleRate} Hz, expected 8000` };
  const answers = ev.realtime.sentReference8k;
  if (answers.length === 0) return { name: spec.check, passed: false, value: null, limit, detail: 'the fake sent no answer audio' };
  const found = answers.map((reference) => ({
    atMs: (estimateDelaySamples(reference, heard) / 8000) * 1000,
    snrDb: alignedSnrDb(reference, heard),
  }));
  const worst = Math.min(...found.map((f) => f.snrDb));
  return {
    name: spec.check,
    passed: worst >= spec.minSnrDb,
    value: Math.round(worst * 10) / 10,
    limit,
    detail: found.map((f, i) => `answer ${i + 1} at ${(f.atMs / 1000).toFixed(2)} s into the recording, ${f.snrDb.toFixed(1)} dB`).join('; '),
  };
}
