/** Both directions of a call measured from synthetic evidence: answers cut short, function-call items, loss. */
import { describe, expect, it } from 'vitest';
import { encodeMulaw } from 'connect-realtime-gateway';
import { syntheticVowel, toInt16 } from '../../src/analysis/index.js';
import { analyzeCallQuality } from '../../src/quality/call-quality.js';
import { evidence, rtpRecord } from '../runner/helpers/evidence.js';

/** Vowels of 300 ms every 500 ms, each at its own pitch: a speech-like answer. */
function answer(seconds: number, f0: number): Int16Array {
  const out = new Int16Array(Math.round(seconds * 8000));
  for (let at = 0, k = 0; at + 2400 < out.length; at += 4000, k++) out.set(toInt16(syntheticVowel({ f0Hz: f0 + 13 * k, rateHz: 8000, seconds: 0.3, peakDbfs: -14 })), at);
  return out;
}

function mulaw(pcm: Int16Array): Buffer {
  const b = Buffer.alloc(pcm.length);
  encodeMulaw(pcm, b);
  return b;
}

describe('model → caller quality', () => {
  it('measures each answer up to where the next one starts, skips items without audio, counts lost packets', () => {
    const first = answer(4, 120); // interrupted after 1 s
    const second = answer(2, 190);
    // What the gateway sent the caller: 0.5 s silence, 1 s of the first answer, 0.5 s silence, the second, 0.5 s silence.
    const track = new Int16Array(8000 * 4.5);
    track.set(first.subarray(0, 8000), 4000);
    track.set(second, 16_000);
    const bytes = mulaw(track);
    const rtp = [];
    for (let f = 0; f * 160 < bytes.length; f++) {
      const lost = f === 130; // one lost packet inside the second answer
      rtp.push(rtpRecord(1000 + 20 * f, 'toCaller', f, bytes.subarray(f * 160, (f + 1) * 160), lost ? { fate: 'dropped' } : { delaysMs: [0] }));
    }
    const ev = evidence({
      rtp,
      realtime: {
        sentAudio: [
          { itemId: 'fc', bytes: mulaw(first), firstDeltaAt: NaN }, // a function call: no audio deltas
          { itemId: 'a1', bytes: mulaw(first), firstDeltaAt: 1490 },
          { itemId: 'a2', bytes: mulaw(second), firstDeltaAt: 2990 },
        ],
      },
    });
    const q = analyzeCallQuality({ evidence: ev }).quality.modelToCaller;
    expect(q.unavailable).toBeUndefined();
    expect(q.rtp).toMatchObject({ frames: 225, lost: 1 });
    expect(q.latencyMs).toBeCloseTo(10, 6);
    expect(q.dropouts).toEqual({ count: 1, ms: 20 });
    // The first answer's last 3 s never played: truncated, not a dropout.
    expect(q.truncatedMs).toBeGreaterThan(1200);
    expect(q.snrDb).toBeGreaterThan(8);
    expect(q.snrDb).toBeLessThan(40);
    expect(q.heardMs + q.dropouts.ms + q.truncatedMs).toBe(q.speechMs);
    expect(q.emodel!.Bpl).toBe(4.3);
    expect(q.emodel!.Ppl).toBeCloseTo(100 / 225, 6);
  });
});
