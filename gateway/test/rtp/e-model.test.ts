import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  effectiveEquipmentImpairment,
  eModel,
  G711_BPL_WITH_PLC,
  G711_BPL_WITHOUT_PLC,
  g711Rating,
  mosFromR,
  pureDelayImpairment,
} from '../../src/rtp/stats/e-model.js';

describe('G.107 E-model', () => {
  it('gives the Recommendation’s reference values with every parameter at its default', () => {
    const r = eModel();
    // G.107 §7.7: No = −61.18 dBm0p, Ro = 94.77, Is = 1.41, and R = 93.2 for the default connection.
    expect(r.No).toBeCloseTo(-61.18, 2);
    expect(r.Ro).toBeCloseTo(94.77, 2);
    expect(r.Is).toBeCloseTo(1.41, 2);
    expect(r.Idte).toBe(0);
    expect(r.Idd).toBe(0);
    expect(r.Idle).toBeGreaterThan(0.1);
    expect(r.Idle).toBeLessThan(0.2);
    expect(r.IeEff).toBe(0);
    expect(Math.round(r.R * 10) / 10).toBe(93.2);
    expect(r.mos).toBeCloseTo(4.41, 2);
  });

  it('computes Ie,eff for G.711 with the G.113 Appendix I robustness factors (eq. 7-29)', () => {
    // Ie,eff = Ie + (95 − Ie)·Ppl/(Ppl/BurstR + Bpl), G.711: Ie = 0.
    expect(effectiveEquipmentImpairment(0, 1, 1, G711_BPL_WITH_PLC)).toBeCloseTo(3.64, 2);
    expect(effectiveEquipmentImpairment(0, 2, 1, G711_BPL_WITH_PLC)).toBeCloseTo(7.01, 2);
    expect(effectiveEquipmentImpairment(0, 5, 1, G711_BPL_WITH_PLC)).toBeCloseTo(15.78, 2);
    expect(effectiveEquipmentImpairment(0, 1, 1, G711_BPL_WITHOUT_PLC)).toBeCloseTo(17.92, 2);
    expect(effectiveEquipmentImpairment(0, 2, 1, G711_BPL_WITHOUT_PLC)).toBeCloseTo(30.16, 2);
    // Bursty loss of the same rate hurts more: BurstR = 2 at 5 % with PLC.
    expect(effectiveEquipmentImpairment(0, 5, 2, G711_BPL_WITH_PLC)).toBeCloseTo(95 * 5 / (2.5 + 25.1), 6);
    expect(effectiveEquipmentImpairment(11, 0, 1, 4.3)).toBe(11);
    // At 100 % loss with any robustness Ie,eff tends to 95·100/(100 + Bpl).
    expect(effectiveEquipmentImpairment(0, 100, 1, 25.1)).toBeCloseTo(9500 / 125.1, 6);
  });

  it('maps R to MOS by Annex B', () => {
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(100)).toBe(4.5);
    expect(mosFromR(120)).toBe(4.5);
    expect(mosFromR(50)).toBeCloseTo(2.575, 6);
    expect(mosFromR(80)).toBeCloseTo(1 + 2.8 + 80 * 20 * 20 * 7e-6, 9);
  });

  it('charges no pure-delay impairment up to mT = 100 ms, then eq. 7-27', () => {
    expect(pureDelayImpairment(0)).toBe(0);
    expect(pureDelayImpairment(100)).toBe(0);
    // Ta = 200 ms: X = 1, Idd = 25·(2^(1/6) − 3·(1 + 3^−6)^(1/6) + 2).
    expect(pureDelayImpairment(200)).toBeCloseTo(25 * (2 ** (1 / 6) - 3 * (1 + 3 ** -6) ** (1 / 6) + 2), 9);
    expect(pureDelayImpairment(200)).toBeCloseTo(3.04, 2);
    // Ta = 400 ms: X = 2.
    expect(pureDelayImpairment(400)).toBeCloseTo(25 * (65 ** (1 / 6) - 3 * (1 + (2 / 3) ** 6) ** (1 / 6) + 2), 9);
  });

  it('lowers R as loss, burstiness or delay grow (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 30, noNaN: true }), fc.double({ min: 0.1, max: 10, noNaN: true }), fc.double({ min: 1, max: 4, noNaN: true }), (ppl, more, burst) => {
        const base = eModel({ Bpl: G711_BPL_WITH_PLC, Ppl: ppl, BurstR: burst }).R;
        expect(eModel({ Bpl: G711_BPL_WITH_PLC, Ppl: ppl + more, BurstR: burst }).R).toBeLessThan(base);
        if (ppl > 0.01) expect(eModel({ Bpl: G711_BPL_WITH_PLC, Ppl: ppl, BurstR: burst + 1 }).R).toBeLessThan(base);
        // Concealment makes the same loss cost less.
        if (ppl > 0.01) expect(eModel({ Bpl: G711_BPL_WITHOUT_PLC, Ppl: ppl, BurstR: burst }).R).toBeLessThan(base);
      }),
    );
    fc.assert(
      fc.property(fc.double({ min: 5, max: 600, noNaN: true }), fc.double({ min: 1, max: 200, noNaN: true }), (ta, more) => {
        const at = (d: number) => eModel({ Ta: d, T: d, Tr: 2 * d }).R;
        expect(at(ta + more)).toBeLessThan(at(ta));
      }),
    );
  });

  it('rates a lab direction with the matching Bpl and the measured delay as T, Tr and Ta', () => {
    const clean = g711Rating({ lossPct: 0, burstR: 1, concealment: true, oneWayDelayMs: 0 });
    expect(clean.R).toBeCloseTo(eModel().R, 9);
    const lossy = g711Rating({ lossPct: 5, burstR: 1, concealment: true, oneWayDelayMs: 80 });
    expect(lossy.Bpl).toBe(25.1);
    expect(lossy.R).toBeCloseTo(eModel({ Ppl: 5, Bpl: 25.1, Ta: 80, T: 80, Tr: 160 }).R, 9);
    expect(lossy.IeEff).toBeCloseTo(15.78, 2);
    const raw = g711Rating({ lossPct: 5, burstR: 0.7, concealment: false, oneWayDelayMs: 80 });
    expect(raw.Bpl).toBe(4.3);
    // A burst ratio below 1 (losses more spread than random) is rated as random loss.
    expect(raw.IeEff).toBeCloseTo(effectiveEquipmentImpairment(0, 5, 1, 4.3), 9);
  });
});
