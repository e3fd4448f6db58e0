import { describe, expect, it } from 'vitest';
import { measureAppendCost } from '../../src/load/append-cost.js';

describe('append-cost', () => {
  it('sends one append per everyMs per call and measures the CPU it took; the floor sends none', async () => {
    const batched = await measureAppendCost(3, 100, 1);
    expect(batched.appends).toBe(3 * 10);
    expect(batched.cpuMs).toBeGreaterThan(0);
    const floor = await measureAppendCost(3, null, 0.2);
    expect(floor.appends).toBe(0);
  }, 20_000);
});
