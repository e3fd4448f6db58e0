import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { energyOfG711, g711Codec } from '../../src/audio/index.js';
import { EchoGuard } from '../../src/call/echo-guard.js';
import { PlaybackLedger, type PlaybackItem } from '../../src/call/playback-ledger.js';
import { PlayoutQueue } from '../../src/rtp/index.js';
import { agentG711, encode, FRAME_SAMPLES, noise, sine } from './signals.js';

const PCMU = g711Codec('PCMU');
/** 250 ms tail = 13 frames of 20 ms (rounded up). */
const OPTS = { marginDb: 12, tailMs: 250 };
const LOUD = -10;
/** Below the guard's −55 dBov "agent is silent" floor. */
const QUIET = -70;

/**
 * The guard over a real playback ledger and playout queue: `play` queues agent audio (levels are
 * measured as it is queued), `send(n)` is n pacer ticks (what the caller actually heard).
 */
function harness(opts = OPTS) {
  const queue = new PlayoutQueue<PlaybackItem>({ silenceByte: PCMU.silenceByte });
  const ledger = new PlaybackLedger(queue, { codec: 'PCMU', measureLevels: true });
  const guard = new EchoGuard(opts, ledger);
  const frame = new Uint8Array(FRAME_SAMPLES);
  return {
    guard,
    ledger,
    play: (itemId: string, audio: Uint8Array, end = true) => {
      ledger.play('resp-1', itemId, 0, audio);
      if (end) ledger.endItem(itemId);
    },
    send: (frames: number) => {
      for (let i = 0; i < frames; i++) {
        queue.pull(frame);
        queue.commitFrame();
      }
    },
  };
}

/** A guard whose agent played `levels` (one item) and has sent `sentFrames` of them. */
function guardWith(levels: number[], sentFrames: number, opts = OPTS) {
  const h = harness(opts);
  h.play('item-a', agentG711(levels));
  h.send(sentFrames);
  return h.guard;
}

const repeat = (level: number, n: number): number[] => Array.from({ length: n }, () => level);

describe('test signals are at the level they claim', () => {
  it('sine frames measure within 0.1 dB, noise frames within 1 dB (160 random samples), after µ-law', () => {
    for (const level of [-3.01, -10, -30, -50]) expect(Math.abs(energyOfG711(encode(sine(level), PCMU), PCMU) - level)).toBeLessThan(0.1);
    for (const level of [-10, -30, -50]) expect(Math.abs(energyOfG711(encode(noise(level), PCMU), PCMU) - level)).toBeLessThan(1);
  });
});

describe('echo: a caller frame well below what the agent just sent', () => {
  it('is echo at marginDb or more below the agent, speech when closer or louder', () => {
    const g = guardWith(repeat(LOUD, 50), 10);
    expect(g.isEchoLevel(-30)).toBe(true); // 20 dB below: typical handset echo return loss
    expect(g.isEchoLevel(-25)).toBe(true); // 15 dB below
    expect(g.isEchoLevel(-20)).toBe(false); // 10 dB below: within the margin, could be speech
    expect(g.isEchoLevel(-8)).toBe(false); // louder than the agent: the caller talking over it
    expect(g.suppressedFrames).toBe(2);
  });

  it('the margin boundary is inclusive: exactly marginDb below is echo', () => {
    const g = guardWith(repeat(LOUD, 20), 5);
    const agentLevel = energyOfG711(encode(sine(LOUD), PCMU), PCMU);
    expect(g.isEchoLevel(agentLevel - 12)).toBe(true);
    expect(g.isEchoLevel(agentLevel - 11.99)).toBe(false);
  });

  it('compares with the loudest agent frame in the window', () => {
    // Frames 0..9 quiet-ish (−40), frame 10 loud, 11..19 quiet-ish again.
    const g = guardWith([...repeat(-40, 10), LOUD, ...repeat(-40, 9)], 20);
    expect(g.isEchoLevel(-35)).toBe(true); // window holds frame 10 at −10
  });

  it('measured frames: agent audio 20 dB down is echo, noise-like speech near the agent level is not', () => {
    const g = guardWith(repeat(LOUD, 50), 15);
    expect(g.isEcho(encode(sine(LOUD - 20), PCMU), PCMU)).toBe(true);
    expect(g.isEcho(encode(noise(-14), PCMU), PCMU)).toBe(false);
  });
});

describe('nothing is gated when the agent was silent or played long ago', () => {
  it('frames are examined while the agent plays and for tailMs after, never later', () => {
    const h = harness();
    h.play('item-a', agentG711(repeat(LOUD, 5)));
    const echo = encode(sine(-35), PCMU);
    const decisions: boolean[] = [];
    for (let tick = 0; tick < 25; tick++) {
      h.send(1);
      decisions.push(h.guard.isEcho(echo, PCMU));
    }
    // Ticks 0..3 playing (the 5th frame drains the queue), then 13 frames of tail, then nothing.
    expect(decisions.indexOf(false)).toBe(4 + 13);
    expect(decisions.slice(17).every((d) => !d)).toBe(true);
    expect(h.guard.suppressedFrames).toBe(17);
  });

  it('agent audio that is only queued (0 ms sent) cannot echo yet', () => {
    const h = harness();
    h.play('item-a', agentG711(repeat(LOUD, 50)));
    expect(h.guard.isEchoLevel(-60)).toBe(false);
    h.send(1);
    expect(h.guard.isEchoLevel(-60)).toBe(true);
  });

  it('a padded partial last frame carries no level (less than one whole frame sent)', () => {
    const h = harness();
    h.play('item-a', encode(sine(LOUD, 100), PCMU)); // 12.5 ms, padded when sent
    h.send(1);
    expect(h.ledger.sentMs('item-a')).toBe(12.5);
    expect(h.guard.isEchoLevel(-60)).toBe(false);
  });

  it('an agent that sent only silence or near-silence (below −55 dBov) gates nothing', () => {
    const digitalSilence = harness();
    digitalSilence.play('item-a', new Uint8Array(10 * FRAME_SAMPLES).fill(PCMU.silenceByte));
    digitalSilence.send(10);
    expect(digitalSilence.guard.isEchoLevel(-120)).toBe(false);
    const nearSilence = guardWith(repeat(-60, 10), 10);
    expect(nearSilence.isEchoLevel(-90)).toBe(false);
    expect(nearSilence.suppressedFrames + digitalSilence.guard.suppressedFrames).toBe(0);
  });

  it('a loud frame counts for tailMs after it was sent, then no longer (250 ms = 13 frames)', () => {
    // Frames 0..9 loud, then quiet. After p frames sent the window is frames [p−13, p).
    const h = harness();
    h.play('item-a', agentG711([...repeat(LOUD, 10), ...repeat(QUIET, 40)]));
    h.send(22);
    expect(h.guard.isEchoLevel(-30)).toBe(true); // p = 22: frame 9 is in the window
    h.send(1);
    expect(h.guard.isEchoLevel(-30)).toBe(false); // p = 23: frames 10..22, all quiet
  });

  it('the window follows tailMs (100 ms = 5 frames; 20 ms = the last frame only)', () => {
    const levels = [...repeat(LOUD, 10), ...repeat(QUIET, 40)];
    const h100 = harness({ marginDb: 12, tailMs: 100 });
    h100.play('item-a', agentG711(levels));
    h100.send(14);
    expect(h100.guard.isEchoLevel(-30)).toBe(true); // p = 14: [9, 14)
    h100.send(1);
    expect(h100.guard.isEchoLevel(-30)).toBe(false); // p = 15: [10, 15)
    const h20 = harness({ marginDb: 12, tailMs: 20 });
    h20.play('item-a', agentG711(levels));
    h20.send(10);
    expect(h20.guard.isEchoLevel(-30)).toBe(true); // p = 10: [9, 10)
    h20.send(1);
    expect(h20.guard.isEchoLevel(-30)).toBe(false); // p = 11: [10, 11)
  });

  it('an answer that ended before the current one played for longer than tailMs does not gate the caller', () => {
    // item-a (loud) played to its end; item-b (at −40) followed and has played 1 s, far beyond the
    // 250 ms tail. A caller at −30 dBov is 10 dB LOUDER than anything sent in the last 250 ms.
    const h = harness();
    h.play('item-a', agentG711(repeat(LOUD, 50)));
    h.play('item-b', agentG711(repeat(-40, 50)));
    h.send(100);
    expect(h.guard.isEchoLevel(-30)).toBe(false);
  });

  it('the tail reaches back into the end of the previous item', () => {
    const h = harness();
    h.play('item-a', agentG711(repeat(LOUD, 20)));
    h.play('item-b', agentG711(repeat(QUIET, 20)));
    h.send(20 + 12);
    expect(h.guard.isEchoLevel(-30)).toBe(true); // the last frame of item-a is 13 frames back
    h.send(1);
    expect(h.guard.isEchoLevel(-30)).toBe(false);
  });
});

describe('level bookkeeping across items and partial frames', () => {
  it('a partial frame is measured once it is complete', () => {
    const h = harness();
    const frame = encode(sine(LOUD), PCMU);
    h.play('item-a', frame.subarray(0, 159), false);
    h.send(1); // waits for the rest of the frame: nothing sent
    expect(h.guard.isEchoLevel(-40)).toBe(false);
    h.play('item-a', frame.subarray(159));
    h.send(1);
    expect(h.guard.isEchoLevel(-40)).toBe(true);
  });

  it("a new item starts a new frame: the previous item's unfinished tail is not mixed into it", () => {
    const h = harness();
    h.play('item-a', encode(sine(LOUD, 100), PCMU), false); // 100 loud bytes, never completed
    h.play('item-b', agentG711([QUIET]));
    h.send(2);
    // item-a has no whole frame; item-b's first frame is its own quiet frame.
    expect([h.ledger.sentMs('item-a'), h.ledger.sentMs('item-b')]).toEqual([12.5, 20]);
    expect(h.guard.isEchoLevel(-60)).toBe(false);
  });

  it("each item's levels are looked up at that item's own playout position", () => {
    const h = harness();
    h.play('item-a', agentG711(repeat(QUIET, 20)));
    h.play('item-b', agentG711(repeat(LOUD, 20)));
    h.send(20);
    expect(h.guard.isEchoLevel(-30)).toBe(false); // b queued, not sent
    h.send(2);
    expect(h.guard.isEchoLevel(-30)).toBe(true);
  });

  it('looks back over a bounded number of finished items: the ledger forgets the oldest', () => {
    // A 4 s tail covers all the audio here, so only the ledger's bound decides.
    const longTail = { marginDb: 12, tailMs: 4_000 };
    const withinBound = harness(longTail);
    withinBound.play('i0', agentG711(repeat(LOUD, 5)));
    for (let i = 1; i < 8; i++) withinBound.play(`i${i}`, agentG711(repeat(QUIET, 5)));
    withinBound.send(40);
    expect(withinBound.guard.isEchoLevel(-30)).toBe(true);

    const beyond = harness(longTail);
    beyond.play('i0', agentG711(repeat(LOUD, 5)));
    for (let i = 1; i < 9; i++) beyond.play(`i${i}`, agentG711(repeat(QUIET, 5)));
    beyond.send(45);
    expect(beyond.ledger.size).toBe(8);
    expect(beyond.guard.isEchoLevel(-30)).toBe(false);
  });

  it('property: how the agent audio is chunked does not change any decision', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -75, max: -3 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: -90, max: 0 }),
        (levels, chunkSizes, caller) => {
          const bytes = agentG711(levels);
          const whole = harness();
          whole.play('item-a', bytes);
          const chunked = harness();
          let off = 0;
          for (let i = 0; off < bytes.length; i++) {
            const n = chunkSizes[i % chunkSizes.length]!;
            chunked.play('item-a', bytes.subarray(off, off + n), false);
            off += n;
          }
          chunked.ledger.endItem('item-a');
          for (let p = 0; p <= levels.length; p++) {
            expect(chunked.guard.isEchoLevel(caller)).toBe(whole.guard.isEchoLevel(caller));
            whole.send(1);
            chunked.send(1);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('constructor', () => {
  const ledger = () => new PlaybackLedger(new PlayoutQueue<PlaybackItem>({ silenceByte: 0xff }), { codec: 'PCMU', measureLevels: true });

  it('rejects a margin that is not > 0 (0 means "no guard": the caller does not construct one)', () => {
    for (const marginDb of [0, -3, Number.NaN]) {
      expect(() => new EchoGuard({ marginDb, tailMs: 250 }, ledger()), String(marginDb)).toThrow(RangeError);
    }
    expect(() => new EchoGuard({ marginDb: 0, tailMs: 250 }, ledger())).toThrow(/marginDb must be > 0/);
  });

  it('rejects a tail shorter than one 20 ms frame', () => {
    for (const tailMs of [19, 0, Number.NaN]) {
      expect(() => new EchoGuard({ marginDb: 12, tailMs }, ledger()), String(tailMs)).toThrow(RangeError);
    }
    expect(() => new EchoGuard({ marginDb: 12, tailMs: 19 }, ledger())).toThrow(/tailMs must be >= 20/);
  });

  it('accepts the smallest usable options', () => {
    expect(new EchoGuard({ marginDb: 0.5, tailMs: 20 }, ledger()).suppressedFrames).toBe(0);
  });
});
