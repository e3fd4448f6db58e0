import { describe, expect, it } from 'vitest';
import { SafeEmitter } from '../src/safe-emitter.js';

describe('SafeEmitter', () => {
  it('a throwing listener is counted, reported to the owner and to every fault hook; never thrown', () => {
    const owner: string[] = [];
    const e = new SafeEmitter<{ tick: [n: number] }>((event, err) => owner.push(`${event}: ${(err as Error).message}`));
    const faults: string[] = [];
    e.onListenerFault((event) => faults.push(`first ${event}`));
    e.onListenerFault(() => {
      throw new Error('a broken hook');
    });
    e.onListenerFault((event) => faults.push(`third ${event}`));
    e.on('tick', (n) => {
      if (n === 2) throw new Error('bad tick');
    });
    expect(() => {
      e.safeEmit('tick', 1);
      e.safeEmit('tick', 2);
    }).not.toThrow();
    expect(e.listenerErrors).toBe(1);
    expect(owner).toEqual(['tick: bad tick']);
    expect(faults).toEqual(['first tick', 'third tick']);
  });
});
