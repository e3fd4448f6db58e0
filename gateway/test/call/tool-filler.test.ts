import { describe, expect, it } from 'vitest';
import { g711Codec } from '../../src/audio/index.js';
import { ManualClock } from '../../src/clock.js';
import { PlaybackLedger, type PlaybackItem } from '../../src/call/playback-ledger.js';
import { ToolFiller } from '../../src/call/tool-filler.js';
import { PlayoutQueue } from '../../src/rtp/index.js';
import { silentLog, settle } from './fakes.js';
import { agentG711 } from './signals.js';

const FRAME = 160;

/** A filler over a real ledger and playout queue; `tick(n)` is n pacer ticks of 20 ms on the clock. */
function setup(opts: { afterMs?: number; maxPlays?: number; clipFrames?: number } = {}) {
  const clock = new ManualClock();
  const queue = new PlayoutQueue<PlaybackItem>({ silenceByte: 0xff });
  const ledger = new PlaybackLedger(queue, { codec: 'PCMU', measureLevels: false });
  const samples = new Int16Array((opts.clipFrames ?? 10) * FRAME).fill(8_000);
  const filler = new ToolFiller({ afterMs: opts.afterMs ?? 800, maxPlays: opts.maxPlays ?? 2, samples }, ledger, clock, silentLog);
  const frame = new Uint8Array(FRAME);
  const encoded = new Uint8Array(1);
  g711Codec('PCMU').encode(samples.subarray(0, 1), encoded);
  const fillerByte = encoded[0];
  /** Per tick: whether a frame of the filler (not silence, not model audio) left. */
  const sent: string[] = [];
  const tick = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      clock.advance(20);
      const kind = queue.pull(frame);
      sent.push(kind === 'silence' ? '.' : frame[0] === fillerByte ? 'F' : 'A');
      queue.commitFrame();
      await settle();
    }
  };
  return { clock, ledger, filler, tick, sent };
}

describe('the slow-tool filler', () => {
  it('a tool that answers before afterMs: nothing plays and no timer is left', async () => {
    const { clock, filler, tick, sent } = setup();
    filler.toolStarted('c1');
    await tick(30);
    filler.toolFinished('c1');
    await tick(40);
    expect(sent.join('')).not.toContain('F');
    expect(filler.plays).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('starts afterMs into the wait and is cut the moment the tool answers, mid-clip', async () => {
    const { filler, tick, sent, ledger } = setup({ afterMs: 800, clipFrames: 50 });
    filler.toolStarted('c1');
    await tick(39);
    expect(sent.join('')).not.toContain('F');
    await tick(11); // 1000 ms: the clip started at the 800 ms tick
    const firstFiller = sent.indexOf('F');
    expect(firstFiller * 20 + 20).toBeGreaterThanOrEqual(800);
    expect(firstFiller * 20 + 20).toBeLessThanOrEqual(820);
    filler.toolFinished('c1');
    // The answer arrives next: it plays at once, nothing of the filler after it.
    ledger.play('resp_answer', 'item_answer', 0, agentG711(-10, 5));
    await tick(6);
    expect(sent.slice(-6).join('')).toBe('AAAAA.');
    expect(filler.cuts).toBe(1);
  });

  it('plays again afterMs after a clip ended, at most maxPlays times', async () => {
    const { clock, filler, tick, sent } = setup({ afterMs: 400, maxPlays: 2, clipFrames: 5 });
    filler.toolStarted('c1');
    await tick(200); // 4 s of a very slow tool
    const runs = sent.join('').match(/F+/g) ?? [];
    expect(runs).toEqual(['FFFFF', 'FFFFF']);
    expect(filler.plays).toBe(2);
    filler.toolFinished('c1');
    expect(clock.pendingTimers).toBe(0);
  });

  it('waits while agent audio plays (a "let me check" of the same response) and plays once it is quiet', async () => {
    const { filler, tick, sent, ledger } = setup({ afterMs: 200, clipFrames: 3 });
    ledger.play('resp_1', 'item_1', 0, agentG711(-10, 20)); // 400 ms of the model speaking
    ledger.endItem('item_1');
    filler.toolStarted('c1');
    await tick(40);
    const text = sent.join('');
    expect(text.startsWith('A'.repeat(20))).toBe(true);
    expect(text.indexOf('F')).toBeGreaterThan(20);
    filler.toolFinished('c1');
  });

  it('two tools at once: the filler stops only when the last one answers', async () => {
    const { filler, tick, sent } = setup({ afterMs: 200, clipFrames: 50 });
    filler.toolStarted('a');
    filler.toolStarted('b');
    await tick(20);
    filler.toolFinished('a');
    await tick(5);
    expect(sent.slice(-5).join('')).toBe('FFFFF');
    filler.toolFinished('b');
    await tick(3);
    expect(sent.slice(-2).join('')).toBe('..');
  });

  it('close() (the call ends) leaves no timer behind', async () => {
    const { clock, filler } = setup();
    filler.toolStarted('c1');
    expect(clock.pendingTimers).toBe(1);
    filler.close();
    expect(clock.pendingTimers).toBe(0);
    filler.toolStarted('c2');
    expect(clock.pendingTimers).toBe(0);
  });
});
