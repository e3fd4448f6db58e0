import { existsSync } from 'node:fs';
import { estimateDelaySamples } from '../../analysis/delay.js';
import { readWav } from '../../callers/wav.js';
import type { CheckResult, Evidence } from '../evidence.js';
import { alignedSnrDb } from './signal.js';

/**
 * `caller-recording-heard-agent` (registered in catalog/media.ts): the audio a caller recorded itself
 * (an independent stack's own decoder, e.g. baresip's, not the lab's tap) contains each of the agent's
 * answers, in order: found by cross-correlation against the fixture the fake Realtime sent, and matching it with
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
  // In order, each after the end of the one before: two answers with the same audio must be heard twice.
  const found: Array<{ atMs: number; snrDb: number }> = [];
  let from = 0;
  for (const reference of answers) {
    const match = earliestMatch(reference, heard, from, spec.minSnrDb);
    if (!match) {
      found.push({ atMs: (from / 8000) * 1000, snrDb: -Infinity });
      continue;
    }
    found.push({ atMs: (match.at / 8000) * 1000, snrDb: match.snrDb });
    from = Math.min(heard.length, match.at + reference.length);
  }
  const worst = Math.min(...found.map((f) => f.snrDb));
  return {
    name: spec.check,
    passed: worst >= spec.minSnrDb,
    value: Number.isFinite(worst) ? Math.round(worst * 10) / 10 : null,
    limit,
    detail: found.map((f, i) => (Number.isFinite(f.snrDb) ? `answer ${i + 1} at ${(f.atMs / 1000).toFixed(2)} s into the recording, ${f.snrDb.toFixed(1)} dB` : `answer ${i + 1} not in the recording after ${(f.atMs / 1000).toFixed(2)} s`)).join('; '),
  };
}

/**
 * Where `reference` is in `heard[from…]`: the best cross-correlation match, or, when the same audio
 * is there more than once, its earliest occurrence that still reaches `minSnrDb` (the best match may
 * be a later copy, which would leave nothing for the answer after it).
 */
function earliestMatch(reference: Int16Array, heard: Int16Array, from: number, minSnrDb: number): { at: number; snrDb: number } | undefined {
  let best: { at: number; snrDb: number } | undefined;
  let end = heard.length;
  // Each round looks only before the last match, so it ends after at most heard.length / reference.length rounds.
  while (end - from >= reference.length) {
    const window = heard.subarray(from, end);
    const match = { at: from + Math.max(0, estimateDelaySamples(reference, window)), snrDb: alignedSnrDb(reference, window) };
    if (best && match.snrDb < minSnrDb) break;
    best = match;
    if (match.snrDb < minSnrDb) break;
    end = match.at;
  }
  return best;
}
