/**
 * The shape of a loss sequence, as the E-model wants it: the loss percentage and the burst ratio
 * (ITU-T G.107 §7.5: the mean length of observed loss bursts divided by the mean burst length
 * expected for random loss at the same rate, 1/(1 − P)). For a Gilbert–Elliott channel with
 * transition probabilities p (good→bad) and r (bad→good) it tends to 1/(p + r).
 */
export interface LossPattern {
  frames: number;
  lost: number;
  lossPct: number;
  /** Runs of consecutive losses. */
  bursts: number;
  meanBurst: number;
  maxBurst: number;
  /** 1 for random loss (and for no loss); > 1 when losses cluster. */
  burstR: number;
}

export function lossPattern(lost: ArrayLike<boolean>): LossPattern {
  const frames = lost.length;
  let count = 0;
  let bursts = 0;
  let run = 0;
  let maxBurst = 0;
  for (let i = 0; i < frames; i++) {
    if (lost[i]) {
      count++;
      run++;
      if (run === 1) bursts++;
      if (run > maxBurst) maxBurst = run;
    } else {
      run = 0;
    }
  }
  const p = frames === 0 ? 0 : count / frames;
  const meanBurst = bursts === 0 ? 0 : count / bursts;
  // All frames lost: one endless burst; the ratio is undefined, so call it the worst random case.
  const burstR = bursts === 0 || p >= 1 ? 1 : meanBurst * (1 - p);
  return { frames, lost: count, lossPct: 100 * p, bursts, meanBurst, maxBurst, burstR };
}
