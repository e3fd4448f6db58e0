/**
 * Pitch-period estimate for packet-loss concealment, as in ITU-T G.711 Appendix I (`findpitch`):
 * the last 20 ms of history are matched against the same length ending 40..120 samples earlier
 * (pitch 66..200 Hz at 8 kHz, the range of most voices), maximising the cross-correlation normalised
 * by the energy of the earlier segment. A coarse search on every 2nd sample and lag is refined at
 * full resolution around the winner, which costs ~1/4 of an exhaustive search.
 */

export const PITCH_MIN = 40;
export const PITCH_MAX = 120;
/** Length of the segment being matched (20 ms). */
export const CORRELATION_LENGTH = 160;
/** History needed by the search: the matched segment plus the longest lag. */
export const PITCH_SEARCH_SPAN = CORRELATION_LENGTH + PITCH_MAX;

const LAG_RANGE = PITCH_MAX - PITCH_MIN;
const DECIMATION = 2;
/** Floor on the energy normaliser so near-silence cannot produce huge correlations from noise. */
const MIN_POWER = 250;

/**
 * Returns the pitch period in samples (PITCH_MIN..PITCH_MAX) of the signal ending at `end` in `buf`
 * (which must hold at least PITCH_SEARCH_SPAN samples before `end`). Allocation-free.
 */
export function findPitch(buf: Float64Array, end: number): number {
  const l = end - CORRELATION_LENGTH; // segment to match: the most recent 20 ms
  const r = end - PITCH_SEARCH_SPAN; // candidate j starts at r + j, i.e. lag PITCH_MAX − j

  // Coarse search: every 2nd sample, every 2nd lag, with a running energy.
  let energy = 0;
  let corr = 0;
  for (let i = 0; i < CORRELATION_LENGTH; i += DECIMATION) {
    const v = buf[r + i] as number;
    energy += v * v;
    corr += v * (buf[l + i] as number);
  }
  let bestCorr = corr / Math.sqrt(Math.max(energy, MIN_POWER));
  let bestMatch = 0;
  for (let j = DECIMATION; j <= LAG_RANGE; j += DECIMATION) {
    const dropped = buf[r + j - DECIMATION] as number;
    const added = buf[r + j - DECIMATION + CORRELATION_LENGTH] as number;
    energy += added * added - dropped * dropped;
    corr = 0;
    for (let i = 0; i < CORRELATION_LENGTH; i += DECIMATION) corr += (buf[r + j + i] as number) * (buf[l + i] as number);
    const score = corr / Math.sqrt(Math.max(energy, MIN_POWER));
    // `>=` prefers the shorter period on ties, as the reference does (avoids picking a multiple).
    if (score >= bestCorr) {
      bestCorr = score;
      bestMatch = j;
    }
  }

  // Fine search: every sample, lags within ±1 of the coarse winner.
  const first = Math.max(0, bestMatch - (DECIMATION - 1));
  const last = Math.min(LAG_RANGE, bestMatch + (DECIMATION - 1));
  energy = 0;
  corr = 0;
  for (let i = 0; i < CORRELATION_LENGTH; i++) {
    const v = buf[r + first + i] as number;
    energy += v * v;
    corr += v * (buf[l + i] as number);
  }
  bestCorr = corr / Math.sqrt(Math.max(energy, MIN_POWER));
  bestMatch = first;
  for (let j = first + 1; j <= last; j++) {
    const dropped = buf[r + j - 1] as number;
    const added = buf[r + j - 1 + CORRELATION_LENGTH] as number;
    energy += added * added - dropped * dropped;
    corr = 0;
    for (let i = 0; i < CORRELATION_LENGTH; i++) corr += (buf[r + j + i] as number) * (buf[l + i] as number);
    const score = corr / Math.sqrt(Math.max(energy, MIN_POWER));
    if (score > bestCorr) {
      bestCorr = score;
      bestMatch = j;
    }
  }
  return PITCH_MAX - bestMatch;
}
