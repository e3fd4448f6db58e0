/** The fake Realtime's hostile modes (security tests): what each sends, and that scripts validate them. */
import { ManualClock } from 'connect-realtime-gateway';
import { describe, expect, it } from 'vitest';
import { startHostileMode, type FakeHostileMode } from '../../src/fake-realtime/hostile.js';
import { parseFakeScript } from '../../src/fake-realtime/script.js';

function run(mode: FakeHostileMode, index = 0, advanceMs = 600) {
  const clock = new ManualClock(0);
  const frames: string[] = [];
  let seq = 0;
  startHostileMode(mode, {
    index,
    sendRaw: (text) => void frames.push(text),
    eventId: () => `ev_${++seq}`,
    newId: (p) => `${p}_${++seq}`,
    after: (ms, fn) => clock.setTimeout(fn, ms),
    outputFormat: () => 'pcmu',
  });
  clock.advance(advanceMs);
  const events = (): Array<Record<string, unknown>> => frames.map((f) => (f.length > 100_000 ? { type: 'oversized', bytes: f.length } : (JSON.parse(f) as Record<string, unknown>)));
  return { clock, frames, events };
}

describe('fake Realtime hostile modes', () => {
  it('unannouncedAudio: audio deltas for an item no output_item.added named', () => {
    const { events } = run({ unannouncedAudio: { deltas: 5 } });
    const evs = events();
    expect(evs.map((e) => e.type)).toEqual(Array(5).fill('response.output_audio.delta'));
    expect(evs.every((e) => e.item_id === evs[0]?.item_id && Buffer.from(String(e.delta), 'base64').length === 160)).toBe(true);
  });

  it('audioFlood: announced, all the audio at once, then done', () => {
    const { events } = run({ audioFlood: { seconds: 2, chunkMs: 100 } });
    const types = events().map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['response.created', 'response.output_item.added', 'response.content_part.added']);
    expect(types.filter((t) => t === 'response.output_audio.delta')).toHaveLength(20);
    expect(types.slice(-2)).toEqual(['response.output_audio.done', 'response.done']);
  });

  it('hugeTranscript: one delta per tick, then the done event; oversizedFrame: one frame of the size asked for, on every session', () => {
    const huge = run({ hugeTranscript: { deltas: 3, chars: 200_000 } }, 0, 500);
    expect(huge.events().filter((e) => e.type === 'oversized')).toHaveLength(1);
    huge.clock.advance(100);
    expect(huge.frames.filter((f) => f.length > 200_000)).toHaveLength(4); // 3 deltas + the done event
    expect(run({ oversizedFrame: { bytes: 300_000 } }, 3).frames.map((f) => f.length)).toEqual([300_000]);
    expect(run({ hugeTranscript: { deltas: 3, chars: 10 } }, 1).frames).toEqual([]); // session 0 only
  });

  it('neverEndingResponse: audio keeps coming in real time, and no response.done', () => {
    const { clock, events } = run({ neverEndingResponse: true });
    clock.advance(1000);
    const types = events().map((e) => e.type);
    expect(types.filter((t) => t === 'response.output_audio.delta').length).toBeGreaterThanOrEqual(10);
    expect(types).not.toContain('response.done');
  });

  it('a script names the modes in its `hostile:` section; unknown keys and absurd sizes are refused', () => {
    expect(parseFakeScript('turns: []\nhostile: { afterMs: 10, unannouncedAudio: { deltas: 3 } }', '/').hostile).toEqual({ afterMs: 10, unannouncedAudio: { deltas: 3 } });
    expect(() => parseFakeScript('turns: []\nhostile: { flood: true }', '/')).toThrow(/hostile/);
    expect(() => parseFakeScript('turns: []\nhostile: { oversizedFrame: { bytes: 99999999999 } }', '/')).toThrow(/hostile/);
  });
});
