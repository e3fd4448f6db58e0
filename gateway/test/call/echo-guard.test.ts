import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { energyOfG711, g711Codec } from '../../src/audio/index.js';
import { EchoGuard } from '../../src/call/echo-guard.js';
import { agentG711, encode, FRAME_SAMPLES, noise, sine } from './signals.js';

const PCMU = g711Codec('PCMU');
/** 250 ms tail = 13 frames of 20 ms (rounded up). */
const OPTS = { marginDb: 12, tailMs: 250 };
const LOUD = -10;
/** Below the guard's −55 dBov "agent is silent" floor. */
const QUIET = -70;

/** sentMs callback from a fixed table: ms of each item already sent as RTP. */
const sent =
  (table: Record<string, number>) =>
  (itemId: string): number =>
    table[itemId] ?? 0;

function guardWith(levels: number[], itemId = 'item-a', opts = OPTS): EchoGuard {
  const g = new EchoGuard(opts);
  g.noteAgentAudio(itemId, agentG711(levels), PCMU);
  return g;
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
    const g = guardWith(repeat(LOUD, 50));
    const at = sent({ 'item-a': 200 });
    expect(g.isEcho(-30, true, at)).toBe(true); // 20 dB below: typical handset echo return loss
    expect(g.isEcho(-25, true, at)).toBe(true); // 15 dB below
    expect(g.isEcho(-20, true, at)).toBe(false); // 10 dB below: within the margin, could be speech
    expect(g.isEcho(-8, true, at)).toBe(false); // louder than the agent: the caller talking over it
    expect(g.suppressedFrames).toBe(2);
  });

  it('the margin boundary is inclusive: exactly marginDb below is echo', () => {
    const g = guardWith(repeat(LOUD, 20));
    const agentLevel = energyOfG711(encode(sine(LOUD), PCMU), PCMU);
    const at = sent({ 'item-a': 100 });
    expect(g.isEcho(agentLevel - 12, true, at)).toBe(true);
    expect(g.isEcho(agentLevel - 11.99, true, at)).toBe(false);
  });

  it('compares with the loudest agent frame in the window', () => {
    // Frames 0..9 quiet-ish (−40), frame 10 loud, 11..19 quiet-ish again.
    const g = guardWith([...repeat(-40, 10), LOUD, ...repeat(-40, 9)]);
    expect(g.isEcho(-35, true, sent({ 'item-a': 400 }))).toBe(true); // window holds frame 10 at −10
  });

  it('measured frames: agent audio 20 dB down is echo, noise-like speech near the agent level is not', () => {
    const g = guardWith(repeat(LOUD, 50));
    const at = sent({ 'item-a': 300 });
    const echo = energyOfG711(encode(sine(LOUD - 20), PCMU), PCMU);
    const speech = energyOfG711(encode(noise(-14), PCMU), PCMU);
    expect(g.isEcho(echo, true, at)).toBe(true);
    expect(g.isEcho(speech, true, at)).toBe(false);
  });
});

describe('nothing is gated when the agent was silent or played long ago', () => {
  it('not recently playing: never echo, nothing counted', () => {
    const g = guardWith(repeat(LOUD, 50));
    expect(g.isEcho(-100, false, sent({ 'item-a': 1000 }))).toBe(false);
    expect(g.suppressedFrames).toBe(0);
  });

  it('agent audio that is only queued (0 ms sent) cannot echo yet', () => {
    const g = guardWith(repeat(LOUD, 50));
    expect(g.isEcho(-60, true, sent({}))).toBe(false);
    expect(g.isEcho(-60, true, sent({ 'item-a': 19 }))).toBe(false); // less than one whole frame sent
    expect(g.isEcho(-60, true, sent({ 'item-a': 20 }))).toBe(true);
  });

  it('an agent that sent only silence or near-silence (below −55 dBov) gates nothing', () => {
    const digitalSilence = new EchoGuard(OPTS);
    digitalSilence.noteAgentAudio('item-a', new Uint8Array(10 * FRAME_SAMPLES).fill(PCMU.silenceByte), PCMU);
    expect(digitalSilence.isEcho(-120, true, sent({ 'item-a': 200 }))).toBe(false);
    const nearSilence = guardWith(repeat(-60, 10));
    expect(nearSilence.isEcho(-90, true, sent({ 'item-a': 200 }))).toBe(false);
    expect(nearSilence.suppressedFrames + digitalSilence.suppressedFrames).toBe(0);
  });

  it('a loud frame counts for tailMs after it was sent, then no longer (250 ms = 13 frames)', () => {
    // Frames 0..9 loud, then quiet. After p frames sent the window is frames [p−13, p).
    const g = guardWith([...repeat(LOUD, 10), ...repeat(QUIET, 40)]);
    expect(g.isEcho(-30, true, sent({ 'item-a': 440 }))).toBe(true); // p = 22: frame 9 is in the window
    expect(g.isEcho(-30, true, sent({ 'item-a': 459 }))).toBe(true); // still p = 22
    expect(g.isEcho(-30, true, sent({ 'item-a': 460 }))).toBe(false); // p = 23: frames 10..22, all quiet
  });

  it('the window follows tailMs (100 ms = 5 frames; 20 ms = the last frame only)', () => {
    const levels = [...repeat(LOUD, 10), ...repeat(QUIET, 40)];
    const g100 = guardWith(levels, 'item-a', { marginDb: 12, tailMs: 100 });
    expect(g100.isEcho(-30, true, sent({ 'item-a': 280 }))).toBe(true); // p = 14: [9, 14)
    expect(g100.isEcho(-30, true, sent({ 'item-a': 300 }))).toBe(false); // p = 15: [10, 15)
    const g20 = guardWith(levels, 'item-a', { marginDb: 12, tailMs: 20 });
    expect(g20.isEcho(-30, true, sent({ 'item-a': 200 }))).toBe(true); // p = 10: [9, 10)
    expect(g20.isEcho(-30, true, sent({ 'item-a': 220 }))).toBe(false); // p = 11: [10, 11)
  });

  it('an answer that ended before the current one played for longer than tailMs does not gate the caller', () => {
    // item-a (loud) played to its end; item-b (at −40) followed and has played 1 s, far beyond the
    // 250 ms tail. A caller at −30 dBov is 10 dB LOUDER than anything sent in the last 250 ms: it
    // cannot be echo. (EchoGuard looks at the last tail frames of every item, however old.)
    const g = new EchoGuard(OPTS);
    g.noteAgentAudio('item-a', agentG711(repeat(LOUD, 50)), PCMU);
    g.noteAgentAudio('item-b', agentG711(repeat(-40, 50)), PCMU);
    expect(g.isEcho(-30, true, sent({ 'item-a': 1000, 'item-b': 1000 }))).toBe(false);
  });
});

describe('level bookkeeping across items and partial frames', () => {
  it('a partial frame is measured once it is complete', () => {
    const g = new EchoGuard(OPTS);
    const frame = encode(sine(LOUD), PCMU);
    g.noteAgentAudio('item-a', frame.subarray(0, 159), PCMU);
    expect(g.isEcho(-40, true, sent({ 'item-a': 20 }))).toBe(false); // no whole frame measured yet
    g.noteAgentAudio('item-a', frame.subarray(159), PCMU);
    expect(g.isEcho(-40, true, sent({ 'item-a': 20 }))).toBe(true);
  });

  it("a new item starts a new frame: the previous item's unfinished tail is not mixed into it", () => {
    const g = new EchoGuard(OPTS);
    g.noteAgentAudio('item-a', encode(sine(LOUD, 100), PCMU), PCMU); // 100 loud bytes, never completed
    g.noteAgentAudio('item-b', agentG711([QUIET]), PCMU);
    // item-a has no whole frame; item-b's first frame is its own quiet frame.
    expect(g.isEcho(-60, true, sent({ 'item-a': 12.5, 'item-b': 20 }))).toBe(false);
  });

  it("each item's levels are looked up at that item's own playout position", () => {
    const g = new EchoGuard(OPTS);
    g.noteAgentAudio('item-a', agentG711(repeat(QUIET, 20)), PCMU);
    g.noteAgentAudio('item-b', agentG711(repeat(LOUD, 20)), PCMU);
    expect(g.isEcho(-30, true, sent({ 'item-a': 400, 'item-b': 0 }))).toBe(false); // b queued, not sent
    expect(g.isEcho(-30, true, sent({ 'item-a': 400, 'item-b': 40 }))).toBe(true);
  });

  it('keeps the last four items: a fifth one forgets the oldest', () => {
    // A 2 s tail covers all the audio here, so only the item limit decides.
    const longTail = { marginDb: 12, tailMs: 2_000 };
    const four = new EchoGuard(longTail);
    four.noteAgentAudio('i0', agentG711(repeat(LOUD, 5)), PCMU);
    for (const id of ['i1', 'i2', 'i3']) four.noteAgentAudio(id, agentG711(repeat(QUIET, 5)), PCMU);
    const all = sent({ i0: 100, i1: 100, i2: 100, i3: 100, i4: 100 });
    expect(four.isEcho(-30, true, all)).toBe(true);

    const five = new EchoGuard(longTail);
    five.noteAgentAudio('i0', agentG711(repeat(LOUD, 5)), PCMU);
    for (const id of ['i1', 'i2', 'i3', 'i4']) five.noteAgentAudio(id, agentG711(repeat(QUIET, 5)), PCMU);
    expect(five.isEcho(-30, true, all)).toBe(false);
  });

  it('property: how the agent audio is chunked does not change any decision', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -75, max: -3 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: -90, max: 0 }),
        (levels, chunkSizes, caller) => {
          const bytes = agentG711(levels);
          const whole = new EchoGuard(OPTS);
          whole.noteAgentAudio('item-a', bytes, PCMU);
          const chunked = new EchoGuard(OPTS);
          let off = 0;
          for (let i = 0; off < bytes.length; i++) {
            const n = chunkSizes[i % chunkSizes.length]!;
            chunked.noteAgentAudio('item-a', bytes.subarray(off, off + n), PCMU);
            off += n;
          }
          for (let p = 0; p <= levels.length; p++) {
            const at = sent({ 'item-a': p * 20 });
            expect(chunked.isEcho(caller, true, at)).toBe(whole.isEcho(caller, true, at));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('constructor', () => {
  it('rejects a margin that is not > 0 (0 means "no guard": the caller does not construct one)', () => {
    for (const marginDb of [0, -3, Number.NaN]) {
      expect(() => new EchoGuard({ marginDb, tailMs: 250 }), String(marginDb)).toThrow(RangeError);
    }
    expect(() => new EchoGuard({ marginDb: 0, tailMs: 250 })).toThrow(/marginDb must be > 0/);
  });

  it('rejects a tail shorter than one 20 ms frame', () => {
    for (const tailMs of [19, 0, Number.NaN]) {
      expect(() => new EchoGuard({ marginDb: 12, tailMs }), String(tailMs)).toThrow(RangeError);
    }
    expect(() => new EchoGuard({ marginDb: 12, tailMs: 19 })).toThrow(/tailMs must be >= 20/);
  });

  it('accepts the smallest usable options', () => {
    expect(new EchoGuard({ marginDb: 0.5, tailMs: 20 }).suppressedFrames).toBe(0);
  });
});
