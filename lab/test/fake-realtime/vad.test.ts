import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnergyVad, type VadTransition } from '../../src/fake-realtime/vad.js';
import { concat, silence, tone } from './helpers.js';

const params = { thresholdDbov: -45, minSpeechMs: 60, silenceMs: 200 };

function run(pcm: Int16Array, rate = 8000, split: number[] = []): VadTransition[] {
  const out: VadTransition[] = [];
  const vad = new EnergyVad(rate, params, (t) => out.push(t));
  let off = 0;
  for (const n of split) {
    vad.push(pcm.subarray(off, Math.min(pcm.length, off + n)));
    off = Math.min(pcm.length, off + n);
  }
  vad.push(pcm.subarray(off));
  return out;
}

describe('energy VAD (fake Realtime server_vad)', () => {
  it('reports speech onset at the first voiced frame and the end after the hang-over', () => {
    // 300 ms silence, 500 ms speech, 400 ms silence.
    const t = run(concat(silence(300), tone(500), silence(400)));
    expect(t).toEqual([
      { kind: 'start', onsetMs: 300 },
      // Last voiced frame ends at 800 ms; 200 ms of silence later the hang-over expires.
      { kind: 'stop', endMs: 1000 },
    ]);
  });

  it('ignores a blip shorter than the minimum speech duration', () => {
    expect(run(concat(silence(100), tone(40), silence(400)))).toEqual([]);
  });

  it('ignores audio below the threshold', () => {
    expect(run(concat(tone(500, 8000, 440, -60), silence(300)))).toEqual([]);
  });

  it('bridges pauses shorter than the hang-over into one turn', () => {
    const t = run(concat(tone(300), silence(120), tone(300), silence(300)));
    expect(t.map((x) => x.kind)).toEqual(['start', 'stop']);
  });

  it('works on 24 kHz PCM16 input (20 ms = 480 samples)', () => {
    const t = run(concat(silence(200, 24000), tone(300, 24000), silence(300, 24000)), 24000);
    expect(t).toEqual([
      { kind: 'start', onsetMs: 200 },
      { kind: 'stop', endMs: 700 },
    ]);
  });

  it('gives the same transitions however the input is chunked (property)', () => {
    const pcm = concat(silence(240), tone(420), silence(260), tone(200), silence(500));
    const whole = run(pcm);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 900 }), { maxLength: 30 }), (split) => {
        expect(run(pcm, 8000, split)).toEqual(whole);
      }),
      { numRuns: 60 },
    );
  });
});
