/** The lab's userspace netem: reproducible per-packet fates from a seed. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Impairment, type ImpairmentProfile, type PacketFate } from '../../src/netem/impairment.js';

function fates(profile: ImpairmentProfile, seed: number, n: number): PacketFate[] {
  const imp = new Impairment(profile, seed);
  return Array.from({ length: n }, () => imp.next());
}

/** Lengths of the runs of consecutive drops. */
function dropRuns(fs: PacketFate[]): number[] {
  const runs: number[] = [];
  let run = 0;
  for (const f of fs) {
    if (f.drop) run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  if (run > 0) runs.push(run);
  return runs;
}

const busy: ImpairmentProfile = { loss: 0.1, jitterMs: 30, reorder: 0.05, duplicate: 0.05 };

describe('Impairment', () => {
  it('the same seed gives the same fates; another seed gives others', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
        expect(fates(busy, seed, 300)).toEqual(fates(busy, seed, 300));
        expect(fates(busy, seed + 1, 300)).not.toEqual(fates(busy, seed, 300));
      }),
      { numRuns: 30 },
    );
  });

  it('turning one knob does not move the fates another knob decides', () => {
    const lossOnly = fates({ loss: 0.2 }, 7, 500).map((f) => f.drop);
    const lossAndJitter = fates({ loss: 0.2, jitterMs: 50, duplicate: 0.1 }, 7, 500).map((f) => f.drop);
    expect(lossAndJitter).toEqual(lossOnly);
  });

  it('no profile: every packet delivered once, at once', () => {
    const imp = new Impairment({}, 1);
    expect(imp.isIdentity).toBe(true);
    for (let i = 0; i < 100; i++) expect(imp.next()).toEqual({ drop: false, delaysMs: [0] });
    expect(new Impairment({ skipFirst: 10 }, 1).isIdentity).toBe(true);
    expect(new Impairment({ dropIndices: [3] }, 1).isIdentity).toBe(false);
    expect(new Impairment({ burst: { p: 0.1, r: 0.5 } }, 1).isIdentity).toBe(false);
  });

  it('dropIndices drops exactly those packets', () => {
    const imp = new Impairment({ dropIndices: [0, 5, 6, 19] }, 3);
    const dropped = Array.from({ length: 40 }, () => imp.next()).flatMap((f, i) => (f.drop ? [i] : []));
    expect(dropped).toEqual([0, 5, 6, 19]);
    expect(imp.dropped).toBe(4);
  });

  it('skipFirst leaves the first packets alone, and dropIndices count after them', () => {
    const fs = fates({ skipFirst: 10, dropIndices: [0, 2], loss: 1 }, 9, 14);
    expect(fs.slice(0, 10).every((f) => !f.drop && f.delaysMs.length === 1 && f.delaysMs[0] === 0)).toBe(true);
    expect(fs.slice(10).every((f) => f.drop)).toBe(true);
    const counted = fates({ skipFirst: 10, dropIndices: [0, 2] }, 9, 20).flatMap((f, i) => (f.drop ? [i] : []));
    expect(counted).toEqual([10, 12]);
  });

  it('independent loss drops close to the configured share', () => {
    for (const [loss, seed] of [
      [0.01, 1],
      [0.05, 2],
      [0.2, 3],
      [0.5, 4],
    ] as const) {
      const n = 20_000;
      const share = fates({ loss }, seed, n).filter((f) => f.drop).length / n;
      // ± five binomial standard deviations.
      expect(Math.abs(share - loss), `loss ${loss}: ${share}`).toBeLessThan(5 * Math.sqrt((loss * (1 - loss)) / n));
    }
  });

  it('Gilbert–Elliott burst loss: runs of mean length 1/r, overall share p/(p+r)', () => {
    const p = 0.05;
    const r = 0.25;
    const fs = fates({ burst: { p, r } }, 11, 40_000);
    const runs = dropRuns(fs);
    const meanRun = runs.reduce((a, b) => a + b, 0) / runs.length;
    const share = fs.filter((f) => f.drop).length / fs.length;
    expect(meanRun).toBeGreaterThan(3.5);
    expect(meanRun).toBeLessThan(4.5);
    expect(Math.abs(share - p / (p + r))).toBeLessThan(0.02);
    // Independent loss at the same share has runs barely longer than one packet.
    const independent = dropRuns(fates({ loss: p / (p + r) }, 11, 40_000));
    expect(independent.reduce((a, b) => a + b, 0) / independent.length).toBeLessThan(1.3);
  });

  it('duplicate delivers a packet twice, the copy 1 ms later', () => {
    const imp = new Impairment({ duplicate: 0.3, jitterMs: 10 }, 5);
    const fs = Array.from({ length: 2000 }, () => imp.next());
    const twice = fs.filter((f) => f.delaysMs.length === 2);
    expect(twice.length).toBe(imp.duplicated);
    expect(twice.length / fs.length).toBeGreaterThan(0.25);
    expect(twice.length / fs.length).toBeLessThan(0.35);
    for (const f of twice) expect(f.delaysMs[1]! - f.delaysMs[0]!).toBeCloseTo(1, 9);
    expect(fs.every((f) => !f.drop && f.delaysMs.length >= 1)).toBe(true);
  });

  it('jitter stays within 0..jitterMs and spreads over the range', () => {
    const delays = fates({ jitterMs: 30 }, 13, 5000).map((f) => f.delaysMs[0]!);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(30);
    expect(Math.min(...delays)).toBeLessThan(1);
    expect(Math.max(...delays)).toBeGreaterThan(29);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(Math.abs(mean - 15)).toBeLessThan(1);
  });

  it('reorder holds a share of packets back by reorderMs (40 ms by default)', () => {
    const imp = new Impairment({ reorder: 0.1 }, 17);
    const fs = Array.from({ length: 5000 }, () => imp.next());
    const held = fs.filter((f) => f.delaysMs[0] === 40);
    expect(held.length).toBe(imp.reordered);
    expect(fs.every((f) => f.delaysMs[0] === 0 || f.delaysMs[0] === 40)).toBe(true);
    expect(Math.abs(held.length / fs.length - 0.1)).toBeLessThan(0.02);
    const custom = fates({ reorder: 1, reorderMs: 75, jitterMs: 5 }, 17, 100);
    expect(custom.every((f) => f.delaysMs[0]! >= 75 && f.delaysMs[0]! <= 80)).toBe(true);
  });
});
