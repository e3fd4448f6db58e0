import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DtmfCollector, type DtmfDeliveryReason } from '../../src/agent/dtmf-collector.js';

function collector(settings: { maxDigits?: number; terminator?: string | null; interDigitTimeoutMs?: number } = {}) {
  const clock = new ManualClock();
  const delivered: Array<[string, DtmfDeliveryReason]> = [];
  const c = new DtmfCollector({ maxDigits: settings.maxDigits ?? 4, terminator: settings.terminator === undefined ? '#' : settings.terminator, interDigitTimeoutMs: settings.interDigitTimeoutMs ?? 3_000 }, clock, (d, r) => delivered.push([d, r]));
  return { c, clock, delivered };
}

describe('DTMF collection (agent file dtmf.collect)', () => {
  it('delivers when maxDigits are in', () => {
    const { c, delivered, clock } = collector();
    for (const k of '12345') c.push(k);
    expect(delivered).toEqual([['1234', 'max_digits']]);
    expect(c.pending).toBe('5');
    clock.advance(3_000);
    expect(delivered).toEqual([['1234', 'max_digits'], ['5', 'timeout']]);
  });

  it('delivers on the terminator, without it; a lone terminator delivers nothing', () => {
    const { c, delivered } = collector();
    c.push('#');
    c.push('4');
    c.push('2');
    c.push('#');
    expect(delivered).toEqual([['42', 'terminator']]);
  });

  it('delivers after interDigitTimeoutMs of silence, restarting the wait on each key', () => {
    const { c, delivered, clock } = collector({ terminator: null });
    c.push('7');
    clock.advance(2_999);
    c.push('#'); // not a terminator here: an ordinary key
    clock.advance(2_999);
    expect(delivered).toEqual([]);
    clock.advance(1);
    expect(delivered).toEqual([['7#', 'timeout']]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('close() drops held digits and leaves no timer; later keys are ignored', () => {
    const { c, delivered, clock } = collector();
    c.push('1');
    c.close();
    c.close();
    c.push('2');
    clock.advance(10_000);
    expect(delivered).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});
