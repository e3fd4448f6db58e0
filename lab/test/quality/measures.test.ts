import { describe, expect, it } from 'vitest';
import { syntheticVowel, toInt16 } from '../../src/analysis/index.js';
import type { RtpRecord } from '../../src/netem/media-relay.js';
import { Impairment } from '../../src/netem/impairment.js';
import { lossPattern } from '../../src/quality/loss-pattern.js';
import { reportBlocks } from '../../src/quality/rtcp-reports.js';
import { compareSignals, utteranceSnr, utteranceSpans } from '../../src/quality/signal-compare.js';
import { wireStream } from '../../src/quality/wire-stream.js';

/** Speech-like test signal: vowels of 300 ms, each at its own pitch, with 200 ms pauses. */
function talk(seconds: number): Int16Array {
  const out = new Int16Array(Math.round(seconds * 8000));
  for (let at = 0, k = 0; at + 2400 < out.length; at += 4000, k++) {
    out.set(toInt16(syntheticVowel({ f0Hz: 110 + 17 * k, rateHz: 8000, seconds: 0.3, peakDbfs: -12 - k })), at);
  }
  return out;
}

describe('loss pattern', () => {
  it('counts bursts and rates random loss at BurstR 1 and clustered loss above it', () => {
    const p = lossPattern([false, true, true, false, false, true, false, false, false, false]);
    expect(p).toMatchObject({ frames: 10, lost: 3, bursts: 2, maxBurst: 2, meanBurst: 1.5 });
    expect(p.lossPct).toBeCloseTo(30, 9);
    expect(p.burstR).toBeCloseTo(1.5 * 0.7, 9);
    expect(lossPattern([false, false]).burstR).toBe(1);
    expect(lossPattern([]).lossPct).toBe(0);
  });

  it('measures the burst ratio of the lab’s Gilbert–Elliott and random impairment (1/(p+r) and 1)', () => {
    const ge = new Impairment({ burst: { p: 0.02, r: 0.25 } }, 7);
    const geLost = Array.from({ length: 200_000 }, () => ge.next().drop);
    const g = lossPattern(geLost);
    expect(g.burstR).toBeGreaterThan(3.4);
    expect(g.burstR).toBeLessThan(4.0); // 1/(0.02+0.25) = 3.7
    const random = new Impairment({ loss: 0.05 }, 7);
    const r = lossPattern(Array.from({ length: 200_000 }, () => random.next().drop));
    expect(r.lossPct).toBeGreaterThan(4.8);
    expect(r.lossPct).toBeLessThan(5.2);
    expect(r.burstR).toBeGreaterThan(0.95);
    expect(r.burstR).toBeLessThan(1.05);
  });
});

describe('signal comparison', () => {
  const ref = talk(3);

  it('finds the reference inside a longer recording and calls an exact copy bit-exact', () => {
    const rec = new Int16Array(ref.length + 12_345);
    rec.set(ref, 4321);
    const c = compareSignals(ref, rec)!;
    expect(c.offsetSamples).toBeCloseTo(4321, 6);
    expect(c.snrDb).toBe(99);
    expect(c.dropouts).toEqual({ count: 0, ms: 0 });
    expect(c.truncatedMs).toBe(0);
    expect(c.heardFrames).toBe(c.speechFrames);
  });

  it('measures added noise as SNR and segmental SNR', () => {
    let seed = 1;
    const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 2;
    let signal = 0;
    let err = 0;
    const rec = new Int16Array(ref.length + 800);
    for (let i = 0; i < ref.length; i++) {
      const n = Math.round(noise() * 900);
      rec[i + 800] = ref[i]! + n;
      signal += ref[i]! ** 2;
      err += n * n;
    }
    const c = compareSignals(ref, rec)!;
    expect(c.snrDb).toBeCloseTo(10 * Math.log10(signal / err), 0);
    expect(c.segSnrDb).toBeGreaterThan(8);
    expect(c.segSnrDb).toBeLessThan(30);
  });

  it('counts silenced speech frames as dropouts and a cut-off end as truncation', () => {
    const rec = new Int16Array(ref.length);
    rec.set(ref);
    // Two gaps inside vowels: frames 2–3 of the first vowel, frame 26 (second vowel starts at frame 25).
    rec.fill(0, 2 * 160, 4 * 160);
    rec.fill(0, 26 * 160, 27 * 160);
    // Everything from the fourth vowel on is gone (barge-in flushed it).
    rec.fill(0, 3 * 4000);
    const c = compareSignals(ref, rec)!;
    expect(c.dropouts).toEqual({ count: 2, ms: 60 });
    expect(c.truncatedMs).toBe(c.speechFrames * 20 - (c.heardFrames + 3) * 20);
    expect(c.truncatedMs).toBeGreaterThan(800);
  });

  it('lines a cut-off answer up where it starts, not where a louder later syllable fits best', () => {
    // A quiet first vowel, then ever louder ones; only the first ~vowel reached the listener.
    const answer = new Int16Array(24_000);
    for (let k = 0; k < 6; k++) answer.set(toInt16(syntheticVowel({ f0Hz: 150, rateHz: 8000, seconds: 0.3, peakDbfs: -30 + 5 * k })), k * 4000);
    const rec = new Int16Array(40_000);
    rec.set(answer.subarray(0, 3000), 9000);
    const c = compareSignals(answer, rec, 8000)!;
    expect(c.offsetSamples).toBeCloseTo(9000, 6);
    expect(c.snrDb).toBe(99);
    expect(c.truncatedMs).toBeGreaterThan(1000);
    expect(c.dropouts.count).toBe(0);
  });

  it('returns nothing for a reference without speech', () => {
    expect(compareSignals(new Int16Array(1600), talk(1))).toBeUndefined();
  });
});

function rec(partial: Partial<RtpRecord> & { t: number; seq: number }): RtpRecord {
  return { dir: 'toGateway', rtcp: false, fate: 'forwarded', length: 172, pt: 0, ts: partial.seq * 160, ssrc: 1, payload: Buffer.alloc(160, 0xff), ...partial };
}

describe('SNR per utterance', () => {
  /** Vowels of 300 ms every 800 ms (500 ms pauses): utterances a receiver may move between. */
  function phrases(count: number): Int16Array {
    const out = new Int16Array(count * 6400 + 1600);
    for (let k = 0; k < count; k++) out.set(toInt16(syntheticVowel({ f0Hz: 120 + 13 * k, rateHz: 8000, seconds: 0.3, peakDbfs: -12 })), 800 + k * 6400);
    return out;
  }

  it('splits the reference at pauses of 300 ms or more', () => {
    const spans = utteranceSpans(phrases(4));
    expect(spans).toHaveLength(4);
    spans.forEach(([start, end], k) => {
      expect(start).toBe(800 + k * 6400);
      expect(end - start).toBe(2400);
    });
  });

  it('keeps a bit-exact SNR when a receiver drops one silent frame between utterances, where one alignment collapses', () => {
    const sent = phrases(6);
    // In the pause after the third utterance (16000-20000), the receiver skips one 20 ms frame.
    const cut = 18_000;
    const received = new Int16Array(sent.length - 160 + 400);
    received.set(sent.subarray(0, cut), 400);
    received.set(sent.subarray(cut + 160), 400 + cut);
    const whole = compareSignals(sent, received);
    expect(whole?.snrDb).toBeLessThan(5);
    const per = utteranceSnr(sent, received, whole?.offsetSamples ?? 0);
    expect(per?.snrDb).toBe(99);
    expect(per?.segSnrDb).toBe(35);
  });

  it('still counts real damage inside an utterance', () => {
    const sent = phrases(3);
    const received = sent.slice();
    let seed = 3;
    for (let i = 6400 + 800; i < 6400 + 3200; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      received[i] = Math.max(-32768, Math.min(32767, (received[i] as number) + ((seed % 2001) - 1000)));
    }
    const per = utteranceSnr(sent, received, 0);
    expect(per?.snrDb).toBeGreaterThan(10);
    expect(per?.snrDb).toBeLessThan(40);
  });
});

describe('wire stream', () => {
  it('rebuilds loss, duplicates, reordering and RFC 3550 jitter from the tap and the fates', () => {
    const records = [
      rec({ t: 0, seq: 10, delaysMs: [0] }),
      rec({ t: 20, seq: 11, fate: 'dropped' }),
      rec({ t: 40, seq: 12, delaysMs: [30] }), // arrives at 70, after 13
      rec({ t: 60, seq: 13, delaysMs: [0, 1] }), // duplicated
      rec({ t: 80, seq: 14, delaysMs: [0] }),
      rec({ t: 85, seq: 14, dir: 'toCaller' }),
    ];
    const ws = wireStream(records, 'toGateway')!;
    expect(ws.frames.map((f) => f.lost)).toEqual([false, true, false, false, false]);
    expect(ws.loss.lost).toBe(1);
    expect(ws.duplicates).toBe(1);
    expect(ws.reordered).toBe(1);
    expect(ws.frames[2]!.arrivedAt).toBe(70);
    expect(ws.jitterMs).toBeGreaterThan(0);
    const steady = wireStream([0, 1, 2, 3, 4].map((i) => rec({ t: 20 * i + 7, seq: 65534 + i, ts: ((65534 + i) * 160) >>> 0 })), 'toGateway')!;
    expect(steady.frames).toHaveLength(5); // across the sequence wrap
    expect(steady.jitterMs).toBe(0);
    expect(steady.loss.lost).toBe(0);
  });

  it('does not count the sequence numbers of RFC 4733 events in the stream as lost audio', () => {
    const records = [10, 11, 12, 13, 14, 15].map((seq) => rec({ t: 20 * seq, seq, ...(seq >= 12 && seq <= 13 ? { pt: 101, payload: Buffer.from([5, 0x0a, 0, 160]) } : {}) }));
    const ws = wireStream(records, 'toGateway')!;
    expect(ws.frames.map((f) => f.seq)).toEqual([10, 11, 14, 15]);
    expect(ws.loss.lost).toBe(0);
    // A real gap beside them still is loss.
    const gap = wireStream(records.filter((r) => r.seq !== 14), 'toGateway')!;
    expect(gap.frames.map((f) => [f.seq, f.lost])).toEqual([[10, false], [11, false], [14, true], [15, false]]);
  });
});

describe('RTCP report blocks', () => {
  it('reads SR and RR blocks of a compound packet', () => {
    const rr = Buffer.alloc(32);
    rr[0] = 0x81;
    rr[1] = 201;
    rr.writeUInt16BE(7, 2);
    rr.writeUInt32BE(0xaaaa, 4);
    rr.writeUInt32BE(0xbbbb, 8);
    rr.writeUInt32BE((64 << 24) | 0xfffffe, 12); // 25 %, cumulative −2
    rr.writeUInt32BE(70_000, 16);
    rr.writeUInt32BE(80, 20);
    const sdes = Buffer.from([0x81, 202, 0, 1, 0, 0, 0, 1]);
    const blocks = reportBlocks(Buffer.concat([rr, sdes]));
    expect(blocks).toEqual([{ reporter: 0xaaaa, source: 0xbbbb, fractionLost: 0.25, cumulativeLost: -2, highestSeq: 70_000, jitter: 80 }]);
    expect(reportBlocks(Buffer.from([0x81, 201, 0, 50]))).toEqual([]);
  });
});
