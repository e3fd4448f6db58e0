import { describe, expect, it } from 'vitest';
import { areaOf, shortFile, summariseProfile, type CpuProfile } from '../../src/load/cpu-profile-summary.js';

const url = (p: string) => `file:///repo/dist/${p}`;

/** root -> onTick (rtp) -> send (dgram); root -> (idle); root -> (garbage collector). */
function profile(): CpuProfile {
  return {
    startTime: 0,
    endTime: 10_000,
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4, 5] },
      { id: 2, callFrame: { functionName: 'onTick', url: url('gateway/src/rtp/session/rtp-session.js'), lineNumber: 9 }, children: [3] },
      { id: 3, callFrame: { functionName: 'doSend', url: 'node:dgram', lineNumber: 833 } },
      { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      { id: 5, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
    ],
    // 3 ms in onTick itself, 5 ms sending, 100 ms idle, 2 ms GC.
    samples: [2, 3, 3, 4, 5, 2],
    timeDeltas: [1000, 2000, 3000, 100_000, 2000, 2000],
  };
}

describe('cpu-profile-summary', () => {
  it('adds self time per function, file and area, idle left out; inclusive time follows the stack', () => {
    const s = summariseProfile(profile());
    expect(s.totalMs).toBe(10);
    expect(s.byFunction).toEqual([
      { name: 'doSend node:dgram:834', ms: 5, share: 50 },
      { name: 'onTick gateway/src/rtp/session/rtp-session.js:10', ms: 3, share: 30 },
      { name: '(garbage collector) (native):0', ms: 2, share: 20 },
    ]);
    expect(s.byArea.map((r) => [r.name, r.ms])).toEqual([
      ['node internals', 5],
      ['gateway/rtp', 3],
      ['(garbage collector)', 2],
    ]);
    expect(s.inclusive).toEqual([{ name: 'onTick gateway/src/rtp/session/rtp-session.js:10', ms: 8, share: 80 }]);
  });

  it('names files by their place in the repository or their npm package', () => {
    expect(shortFile(url('gateway/src/audio/mulaw.js'))).toBe('gateway/src/audio/mulaw.js');
    expect(shortFile('file:///repo/node_modules/ws/lib/sender.js')).toBe('ws/lib/sender.js');
    expect(areaOf('file:///repo/node_modules/ws/lib/sender.js')).toBe('npm:ws');
    expect(areaOf(url('gateway/src/realtime/openai/connection.js'))).toBe('gateway/realtime');
    expect(areaOf('node:internal/timers')).toBe('node internals');
  });
});
