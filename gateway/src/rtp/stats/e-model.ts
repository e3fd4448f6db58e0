/**
 * ITU-T G.107 (06/2015) E-model: the transmission rating R of a connection and the estimated
 * conversational MOS (MOS-CQE, Annex B). Equation numbers are the Recommendation's (§7).
 *
 * The gateway rates what it receives on each call (its call records and metrics): the codec is G.711
 * (Ie = 0), the packet-loss robustness Bpl comes from ITU-T G.113 Appendix I (25.1 with the G.711
 * Appendix I concealment the gateway runs, 4.3 without), Ppl and BurstR from the loss it counted, and
 * the delays from the one-way delay (T = Ta, Tr = 2·Ta: the echo path and the 4-wire loop follow the
 * same route). Every other parameter keeps its G.107 Table 1 default, which is what makes R = 93.2 the
 * reference. Exported by the public entry, so the lab's quality reports use this same model.
 */

export interface EModelParams {
  /** Send / receive loudness ratings, dB. */
  SLR: number;
  RLR: number;
  /** Sidetone masking rating, listener sidetone rating, dB. */
  STMR: number;
  LSTR: number;
  /** D-value of the telephone, send and receive side. */
  Ds: number;
  Dr: number;
  /** Talker echo loudness rating, weighted echo path loss, dB. */
  TELR: number;
  WEPL: number;
  /** Mean one-way delay of the echo path, round-trip delay in a 4-wire loop, absolute delay; ms. */
  T: number;
  Tr: number;
  Ta: number;
  /** Number of quantizing distortion units. */
  qdu: number;
  /** Equipment impairment factor, packet-loss robustness factor. */
  Ie: number;
  Bpl: number;
  /** Random packet-loss probability, percent. */
  Ppl: number;
  /** Burst ratio: 1 for random loss, > 1 for bursty loss. */
  BurstR: number;
  /** Circuit noise at the 0 dBr point (dBm0p), noise floor at the receive side (dBmp). */
  Nc: number;
  Nfor: number;
  /** Room noise at the send / receive side, dB(A). */
  Ps: number;
  Pr: number;
  /** Advantage factor. */
  A: number;
  /** Delay sensitivity: minimum perceivable delay (ms) and sensitivity class. */
  mT: number;
  sT: number;
}

/** G.107 Table 1 default values. */
export const G107_DEFAULTS: Readonly<EModelParams> = Object.freeze({
  SLR: 8,
  RLR: 2,
  STMR: 15,
  LSTR: 18,
  Ds: 3,
  Dr: 3,
  TELR: 65,
  WEPL: 110,
  T: 0,
  Tr: 0,
  Ta: 0,
  qdu: 1,
  Ie: 0,
  Bpl: 4.3, // irrelevant at the default Ppl = 0
  Ppl: 0,
  BurstR: 1,
  Nc: -70,
  Nfor: -64,
  Ps: 35,
  Pr: 35,
  A: 0,
  mT: 100,
  sT: 1,
});

/** ITU-T G.113 Appendix I: G.711 packet-loss robustness with and without Appendix I concealment. */
export const G711_BPL_WITH_PLC = 25.1;
export const G711_BPL_WITHOUT_PLC = 4.3;

export interface EModelResult {
  R: number;
  mos: number;
  /** The terms of R = Ro − Is − Id − Ie,eff + A (eq. 7-1). */
  Ro: number;
  Is: number;
  Id: number;
  IeEff: number;
  /** Parts of Id, for reports. */
  Idte: number;
  Idle: number;
  Idd: number;
  /** Power sum of the noise sources, dBm0p. */
  No: number;
}

const log10 = Math.log10;
const pow = Math.pow;

/** Effective equipment impairment under packet loss (eq. 7-29). Ppl in percent. */
export function effectiveEquipmentImpairment(Ie: number, Ppl: number, BurstR: number, Bpl: number): number {
  if (Ppl <= 0) return Ie;
  return Ie + ((95 - Ie) * Ppl) / (Ppl / BurstR + Bpl);
}

/** Annex B (eq. B-4): estimated conversational MOS from R. */
export function mosFromR(R: number): number {
  if (R <= 0) return 1;
  if (R >= 100) return 4.5;
  return 1 + 0.035 * R + R * (R - 60) * (100 - R) * 7e-6;
}

/** Delay impairment of pure (absolute) delay Ta (eqs. 7-27, 7-28). */
export function pureDelayImpairment(Ta: number, mT = 100, sT = 1): number {
  if (Ta <= mT) return 0;
  const X = log10(Ta / mT) / log10(2);
  const e = 6 * sT;
  return 25 * (pow(1 + pow(X, e), 1 / e) - 3 * pow(1 + pow(X / 3, e), 1 / e) + 2);
}

/** The full E-model (§7) for the given parameters (unset ones take G.107's defaults). */
export function eModel(overrides: Partial<EModelParams> = {}): EModelResult {
  const p: EModelParams = { ...G107_DEFAULTS, ...overrides };
  const OLR = p.SLR + p.RLR;

  // 7.2 Basic signal-to-noise ratio.
  const Nfo = p.Nfor + p.RLR;
  const Pre = p.Pr + 10 * log10(1 + pow(10, (10 - p.LSTR) / 10));
  const Nor = p.RLR - 121 + Pre + 0.008 * pow(Pre - 35, 2);
  const Nos = p.Ps - p.SLR - p.Ds - 100 + 0.004 * pow(p.Ps - OLR - p.Ds - 14, 2);
  const No = 10 * log10(pow(10, p.Nc / 10) + pow(10, Nos / 10) + pow(10, Nor / 10) + pow(10, Nfo / 10)); // 7-3
  const Ro = 15 - 1.5 * (p.SLR + No); // 7-2

  // 7.3 Simultaneous impairment factor.
  const Xolr = OLR + 0.2 * (64 + No - p.RLR);
  const Iolr = 20 * (pow(1 + pow(Xolr / 8, 8), 1 / 8) - Xolr / 8);
  const STMRo = -10 * log10(pow(10, -p.STMR / 10) + Math.exp(-p.T / 4) * pow(10, -p.TELR / 10));
  const Ist =
    12 * pow(1 + pow((STMRo - 13) / 6, 8), 1 / 8) -
    28 * pow(1 + pow((STMRo + 1) / 19.4, 35), 1 / 35) -
    13 * pow(1 + pow((STMRo - 3) / 33, 13), 1 / 13) +
    29;
  const Q = 37 - 15 * log10(p.qdu);
  const G = 1.07 + 0.258 * Q + 0.0602 * Q * Q;
  const Z = 46 / 30 - G / 40;
  const Y = (Ro - 100) / 15 + 46 / 8.4 - G / 9;
  const Iq = 15 * log10(1 + pow(10, Y) + pow(10, Z));
  const Is = Iolr + Ist + Iq; // 7-8

  // 7.4 Delay impairment factor.
  const Roe = -1.5 * (No - p.RLR); // 7-20
  const TERV = p.TELR - 40 * log10((1 + p.T / 10) / (1 + p.T / 150)) + 6 * Math.exp(-0.3 * p.T * p.T); // 7-22
  // With a low STMR the sidetone masks part of the echo (7-23).
  const Re = 80 + 2.5 * ((p.STMR < 9 ? TERV + Ist / 2 : TERV) - 14); // 7-21
  // Below 1 ms the talker echo is heard as sidetone, not as echo.
  let Idte = p.T < 1 ? 0 : ((Roe - Re) / 2 + Math.sqrt(pow(Roe - Re, 2) / 4 + 100) - 1) * (1 - Math.exp(-p.T)); // 7-19
  if (p.STMR > 20) Idte = Math.sqrt(Idte * Idte + Ist * Ist); // 7-24
  const Rle = 10.5 * (p.WEPL + 7) * pow(p.Tr + 1, -0.25); // 7-26
  const Idle = (Ro - Rle) / 2 + Math.sqrt(pow(Ro - Rle, 2) / 4 + 169); // 7-25
  const Idd = pureDelayImpairment(p.Ta, p.mT, p.sT);
  const Id = Idte + Idle + Idd; // 7-18

  // 7.5 Equipment impairment under packet loss.
  const IeEff = effectiveEquipmentImpairment(p.Ie, p.Ppl, p.BurstR, p.Bpl);

  const R = Ro - Is - Id - IeEff + p.A; // 7-1
  return { R, mos: mosFromR(R), Ro, Is, Id, IeEff, Idte, Idle, Idd, No };
}

/**
 * The E-model rating of one direction of a G.711 call: loss percent and burst ratio of the frames the
 * listener missed, whether the receiver conceals, and the one-way delay.
 */
export function g711Rating(m: { lossPct: number; burstR: number; concealment: boolean; oneWayDelayMs: number }): EModelResult & { Bpl: number } {
  const Bpl = m.concealment ? G711_BPL_WITH_PLC : G711_BPL_WITHOUT_PLC;
  const delay = Math.max(0, m.oneWayDelayMs);
  return { ...eModel({ Ie: 0, Bpl, Ppl: m.lossPct, BurstR: Math.max(1, m.burstR), Ta: delay, T: delay, Tr: 2 * delay }), Bpl };
}
