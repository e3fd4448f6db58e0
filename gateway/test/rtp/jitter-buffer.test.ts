import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { g711Codec, LossConcealer } from '../../src/audio/index.js';
import { ManualClock } from '../../src/clock.js';
import { JitterBuffer, type JitterBufferOptions } from '../../src/rtp/jitter/jitter-buffer.js';
import { MediaScheduler } from '../../src/rtp/pacing/media-scheduler.js';

const PCMU = g711Codec('PCMU');
const TS0 = 1000;

/** A loud, recognisable 160-byte frame per sequence number (never "quiet", so never shrink-dropped). */
function payloadFor(seq: number, len = 160): Uint8Array {
  const p = new Uint8Array(len);
  for (let i = 0; i < len; i++) p[i] = (seq * 7 + i) & 0x3f;
  return p;
}

function makeBuffer(opts: Partial<JitterBufferOptions> = {}): JitterBuffer {
  return new JitterBuffer({ codec: PCMU, concealer: new LossConcealer(), ...opts });
}

interface Out {
  ts: number;
  concealed: boolean;
  bytes: number[];
}

function tickN(jb: JitterBuffer, n: number): Array<Out | undefined> {
  const out: Array<Out | undefined> = [];
  for (let i = 0; i < n; i++) {
    const f = jb.tick();
    out.push(f && { ts: f.timestamp, concealed: f.concealed, bytes: [...f.payload] });
  }
  return out;
}

/** Pushes seq k at ts TS0 + 160k, arrival 20k ms. */
function push(jb: JitterBuffer, seq: number, opts: { ts?: number; marker?: boolean; at?: number } = {}): string {
  return jb.push(seq, opts.ts ?? TS0 + seq * 160, opts.marker ?? false, payloadFor(seq), opts.at ?? seq * 20);
}

describe('jitter buffer: ordering, duplicates, lateness', () => {
  it('plays an uninterrupted stream byte-identical, one frame per tick', () => {
    const jb = makeBuffer();
    const frames: Out[] = [];
    for (let seq = 0; seq < 50; seq++) {
      push(jb, seq);
      const f = tickN(jb, 1)[0];
      if (f) frames.push(f);
    }
    expect(frames).toHaveLength(50);
    frames.forEach((f, k) => {
      expect(f.ts).toBe(TS0 + k * 160);
      expect(f.concealed).toBe(false);
      expect(f.bytes).toEqual([...payloadFor(k)]);
    });
    expect(jb.stats()).toMatchObject({ concealedFrames: 0, underruns: 0, lateDrops: 0, duplicates: 0, framesOut: 50 });
  });

  it('waits for the target delay before the first frame', () => {
    const jb = makeBuffer({ minDelayMs: 60 });
    push(jb, 0);
    expect(jb.tick()).toBeUndefined();
    push(jb, 1);
    expect(jb.tick()).toBeUndefined();
    push(jb, 2);
    expect(jb.tick()?.timestamp).toBe(TS0);
  });

  it('reorders packets that arrive out of order within the buffer', () => {
    const jb = makeBuffer({ minDelayMs: 40 });
    for (const seq of [0, 2, 1, 4, 3, 5]) push(jb, seq, { at: 0 });
    const out = tickN(jb, 6);
    expect(out.map((f) => f?.ts)).toEqual([0, 1, 2, 3, 4, 5].map((k) => TS0 + k * 160));
    expect(out.every((f) => f?.concealed === false)).toBe(true);
  });

  it('drops and counts duplicates', () => {
    const jb = makeBuffer();
    expect(push(jb, 0)).toBe('stored');
    expect(push(jb, 0)).toBe('duplicate');
    expect(jb.stats().duplicates).toBe(1);
  });

  it('conceals a lost frame once a later packet proves the loss, and drops the straggler as late', () => {
    const jb = makeBuffer();
    for (let seq = 0; seq < 10; seq++) {
      push(jb, seq);
      jb.tick();
    }
    push(jb, 11); // 10 is missing, 11 is here: loss proven at 10's playout
    const f = jb.tick();
    expect(f?.timestamp).toBe(TS0 + 10 * 160);
    expect(f?.concealed).toBe(true);
    // Concealment continues the signal; it is not silence insertion.
    expect(f && [...f.payload].some((b) => b !== PCMU.silenceByte)).toBe(true);
    expect(push(jb, 10)).toBe('late');
    const next = jb.tick();
    expect(next?.timestamp).toBe(TS0 + 11 * 160);
    expect(next?.concealed).toBe(false);
    expect(jb.stats()).toMatchObject({ concealedFrames: 1, lateDrops: 1, underruns: 0 });
  });

  it('keeps the PCM view and the G.711 view of a concealed frame consistent', () => {
    const jb = makeBuffer();
    for (let seq = 0; seq < 5; seq++) {
      push(jb, seq);
      jb.tick();
    }
    push(jb, 6);
    const f = jb.tick();
    const pcm = new Int16Array(160);
    PCMU.decode(f?.payload ?? new Uint8Array(160), pcm);
    expect([...pcm]).toEqual([...(f?.pcm ?? [])]);
  });
});

describe('jitter buffer: end of talkspurt and underrun', () => {
  it('stops when the stream stops: no concealed tail, no loss, one underrun', () => {
    const jb = makeBuffer();
    for (let seq = 0; seq < 10; seq++) {
      push(jb, seq);
      jb.tick();
    }
    const after = tickN(jb, 100);
    expect(after.every((f) => f === undefined)).toBe(true);
    expect(jb.stats()).toMatchObject({ concealedFrames: 0, underruns: 1, framesOut: 10 });
  });

  it('plays a delayed (not lost) packet when it arrives, keeping the stream byte-identical', () => {
    const jb = makeBuffer();
    const got: Out[] = [];
    const collect = (): void => {
      const f = tickN(jb, 1)[0];
      if (f) got.push(f);
    };
    for (let seq = 0; seq < 5; seq++) {
      push(jb, seq);
      collect();
    }
    collect(); // seq 5 is late: underrun, nothing invented
    collect();
    push(jb, 5, { at: 140 });
    push(jb, 6, { at: 141 });
    for (let i = 0; i < 10; i++) collect(); // the spike raised the target: it rebuffers, then plays both
    expect(got.map((f) => f.ts)).toEqual([0, 1, 2, 3, 4, 5, 6].map((k) => TS0 + k * 160));
    expect(got.every((f, k) => f.bytes.join() === [...payloadFor(k)].join())).toBe(true);
    // underrun 1: seq 5 late; underrun 2: the stream ended after seq 6
    expect(jb.stats()).toMatchObject({ concealedFrames: 0, underruns: 2 });
  });

  it('RFC 3551 §4.1: a timestamp jump with contiguous sequence numbers is silence, not loss', () => {
    const jb = makeBuffer({ minDelayMs: 60 });
    for (let seq = 0; seq < 3; seq++) push(jb, seq, { at: 0 });
    // The sender suppressed 2 frames of silence: seq continues, timestamp skips 320 samples.
    push(jb, 3, { ts: TS0 + 5 * 160, at: 1 });
    const out = tickN(jb, 6).filter((f) => f !== undefined);
    expect(out.map((f) => f?.ts)).toEqual([TS0, TS0 + 160, TS0 + 320, TS0 + 5 * 160]);
    expect(out.every((f) => f?.concealed === false)).toBe(true);
    expect(jb.stats()).toMatchObject({ concealedFrames: 0, talkspurtGaps: 1 });
  });

  it('starts a new talkspurt after an underrun when the marker bit comes with a timestamp jump', () => {
    const jb = makeBuffer();
    for (let seq = 0; seq < 3; seq++) {
      push(jb, seq);
      jb.tick();
    }
    tickN(jb, 50); // silence: underrun, output stopped
    push(jb, 10, { ts: TS0 + 5000 * 160, marker: true, at: 1000 });
    const f = jb.tick();
    expect(f?.timestamp).toBe(TS0 + 5000 * 160);
    expect(f?.concealed).toBe(false);
    expect(jb.stats().concealedFrames).toBe(0);
  });

  it('treats the gap left by a DTMF event in the same sequence space as intended', () => {
    const jb = makeBuffer({ minDelayMs: 40 });
    push(jb, 0, { at: 0 });
    push(jb, 1, { at: 0 });
    jb.noteForeignSequence(2); // three telephone-event packets used seqs 2..4
    jb.noteForeignSequence(3);
    jb.noteForeignSequence(4);
    push(jb, 5, { ts: TS0 + 6 * 160, at: 1 });
    const out = tickN(jb, 4).filter((f) => f !== undefined);
    expect(out.map((f) => f?.ts)).toEqual([TS0, TS0 + 160, TS0 + 6 * 160]);
    expect(jb.stats().concealedFrames).toBe(0);
  });

  it('skips, rather than conceals, a gap longer than maxConcealMs', () => {
    const jb = makeBuffer({ maxConcealMs: 60 });
    for (let seq = 0; seq < 3; seq++) {
      push(jb, seq);
      jb.tick();
    }
    push(jb, 8); // 5 frames (100 ms) lost
    const f = jb.tick();
    expect(f?.timestamp).toBe(TS0 + 8 * 160);
    expect(jb.stats()).toMatchObject({ concealedFrames: 0, skippedFrames: 5 });
  });
});

describe('jitter buffer: bounds and adaptation', () => {
  it('never holds more than maxDelayMs: a burst is trimmed from the oldest end', () => {
    const jb = makeBuffer({ maxDelayMs: 100 });
    for (let seq = 0; seq < 30; seq++) push(jb, seq, { at: 0 });
    const f = jb.tick();
    expect(jb.bufferedMs).toBeLessThanOrEqual(100);
    expect(f?.timestamp).toBeGreaterThan(TS0);
    expect(jb.stats().overflowDrops).toBeGreaterThan(0);
  });

  it('raises the target delay with measured jitter and lowers it when the network calms', () => {
    const jb = makeBuffer({ minDelayMs: 20, maxDelayMs: 200 });
    expect(jb.targetDelayMs).toBe(20);
    let t = 0;
    for (let seq = 0; seq < 100; seq++) {
      const wobble = seq % 10 === 0 ? 70 : 0;
      push(jb, seq, { at: seq * 20 + wobble });
      jb.tick();
      t = seq * 20;
    }
    const raised = jb.targetDelayMs;
    expect(raised).toBeGreaterThanOrEqual(80);
    for (let seq = 100; seq < 1200; seq++) {
      push(jb, seq, { at: t + (seq - 99) * 20 });
      jb.tick();
    }
    expect(jb.targetDelayMs).toBeLessThan(raised);
    expect(jb.targetDelayMs).toBeLessThanOrEqual(40);
  });

  it('tells a stall of our own process from network jitter: a burst read after a late tick neither raises the target nor overflows', () => {
    const run = (reportLateness: boolean): { target: number; overflowDrops: number } => {
      const jb = makeBuffer({ minDelayMs: 20, maxDelayMs: 200 });
      for (let seq = 0; seq < 20; seq++) {
        push(jb, seq);
        jb.tick(seq * 20, 0);
      }
      // 300 ms without a tick: 15 packets queue in the socket and are read at the wake-up.
      for (let seq = 20; seq < 35; seq++) push(jb, seq, { at: 680 });
      if (reportLateness) jb.tick(680, 300);
      else jb.tick();
      return { target: jb.targetDelayMs, overflowDrops: jb.stats().overflowDrops };
    };
    expect(run(true)).toEqual({ target: 20, overflowDrops: 0 });
    // The same arrivals with no word of the stall look like 300 ms of jitter.
    const blind = run(false);
    expect(blind.target).toBe(200);
    expect(blind.overflowDrops).toBeGreaterThan(0);
  });

  it('handles 10 ms packets and the 32-bit timestamp wrap byte-identically', () => {
    const jb = makeBuffer();
    const start = 0xffffffff - 800 + 1;
    const stream = new Uint8Array(160 * 20);
    for (let i = 0; i < stream.length; i++) stream[i] = (i * 13) & 0x3f;
    const out: number[] = [];
    for (let k = 0; k < 40; k++) {
      jb.push(k, (start + k * 80) >>> 0, false, stream.subarray(k * 80, k * 80 + 80), k * 10);
      if (k % 2 === 1) {
        const f = jb.tick();
        if (f) out.push(...f.payload);
      }
    }
    out.push(...(jb.tick()?.payload ?? []));
    expect(out).toEqual([...stream]);
    expect(jb.stats().concealedFrames).toBe(0);
  });

  it("follows the sender's timeline when it jumps back (a run of rising late packets while starved)", () => {
    const jb = makeBuffer();
    for (let seq = 0; seq < 20; seq++) {
      push(jb, seq);
      jb.tick();
    }
    // Same SSRC and sequence, but timestamps restart 2 s in the past (a broken re-INVITE on the far side).
    const results: string[] = [];
    const played: number[] = [];
    for (let i = 0; i < 6; i++) {
      results.push(jb.push(20 + i, (TS0 + (i - 100) * 160) >>> 0, false, payloadFor(20 + i), 400 + i * 20));
      const f = jb.tick();
      if (f) played.push(f.timestamp);
    }
    expect(results).toEqual(['late', 'late', 'late', 'late', 'stored', 'stored']);
    expect(jb.stats().resyncs).toBe(1);
    expect(played).toEqual([(TS0 - 96 * 160) >>> 0, (TS0 - 95 * 160) >>> 0]);
    expect(jb.targetDelayMs).toBe(20); // the 2 s lateness was not mistaken for jitter
  });

  it('re-syncs after reset (new source)', () => {
    const jb = makeBuffer();
    push(jb, 0);
    jb.tick();
    jb.reset();
    jb.push(0, 999_999, false, payloadFor(0), 100);
    expect(jb.tick()?.timestamp).toBe(999_999);
    expect(jb.stats().resyncs).toBe(1);
  });

  it('rejects impossible bounds', () => {
    expect(() => makeBuffer({ minDelayMs: 100, maxDelayMs: 50 })).toThrow(RangeError);
  });
});

describe('jitter buffer: gap-free output under random loss, reordering and duplication (property)', () => {
  it('emits consecutive frames: real ones byte-identical, concealed ones only where a packet was missing', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            lost: fc.integer({ min: 0, max: 9 }).map((x) => x === 0), // ~10 % loss
            delayMs: fc.integer({ min: 0, max: 60 }),
            dup: fc.integer({ min: 0, max: 20 }),
          }),
          { minLength: 20, maxLength: 150 },
        ),
        fc.integer({ min: 0, max: 0xffffffff }),
        (packets, ts0) => {
          const clock = new ManualClock(0);
          const scheduler = new MediaScheduler({ clock, phases: 1 });
          const jb = makeBuffer({ minDelayMs: 20, maxDelayMs: 200, maxConcealMs: 100 });
          const received = new Map<number, number>(); // frame index -> time its packet was pushed
          const out: Array<{ k: number; concealed: boolean; ok: boolean; at: number }> = [];
          const tsOf = (k: number): number => (ts0 + k * 160) >>> 0;
          const indexOf = (ts: number): number => ((ts - ts0) >>> 0) / 160;
          const reg = scheduler.register({
            onTick: () => {
              const f = jb.tick();
              if (!f) return;
              const k = indexOf(f.timestamp);
              out.push({ k, concealed: f.concealed, ok: [...f.payload].join() === [...payloadFor(k)].join(), at: clock.now() });
            },
          });
          packets.forEach((p, k) => {
            if (p.lost && k > 0 && k < packets.length - 1) return;
            const deliver = (): void => {
              if (!received.has(k)) received.set(k, clock.now());
              jb.push(k & 0xffff, tsOf(k), false, payloadFor(k), clock.now());
            };
            clock.setTimeout(deliver, 5 + k * 20 + p.delayMs);
            if (p.dup === 0) clock.setTimeout(deliver, 5 + k * 20 + p.delayMs + 3);
          });
          clock.advance(packets.length * 20 + 2000);
          reg.unregister();
          const s = jb.stats();
          // Consecutive frames, except where a too-long gap was skipped.
          let gaps = 0;
          for (let i = 1; i < out.length; i++) {
            const step = (out[i] as { k: number }).k - (out[i - 1] as { k: number }).k;
            expect(step).toBeGreaterThanOrEqual(1);
            gaps += step - 1;
          }
          expect(gaps).toBe(s.skippedFrames + s.overflowDrops + s.shrinkDrops);
          expect(s.resyncs).toBe(0);
          expect(s.overflowDrops + s.shrinkDrops).toBe(0);
          out.forEach((f, i) => {
            if (f.concealed) {
              // concealed only where no packet had arrived by its playout time
              const got = received.get(f.k);
              expect(got === undefined || got > f.at).toBe(true);
            } else if (out[i - 1]?.concealed !== true) {
              // byte-identical, except the first real frame after a loss, which the concealer cross-fades
              expect(f.ok).toBe(true);
            }
          });
          // The last packet always arrives and plays; nothing is invented after it.
          expect(out[out.length - 1]?.k).toBe(packets.length - 1);
          expect(s.framesOut + s.concealedFrames).toBe(out.length);
          expect(clock.pendingTimers).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
