import { mulberry32 } from './prng.js';

/**
 * Userspace network impairment for one direction of a media stream: the kernel here has no netem
 * qdisc, and a userspace stage is reproducible from a seed anyway. Each packet gets a fate: dropped,
 * or delivered after a delay (jitter, reordering) possibly twice (duplication).
 */
export interface ImpairmentProfile {
  /** Independent loss probability 0..1. */
  loss?: number;
  /** Gilbert–Elliott burst loss: p = P(good→bad), r = P(bad→good); packets in "bad" are lost. */
  burst?: { p: number; r: number };
  /** Drop exactly these packet indices (0-based, counted per direction after the start offset). */
  dropIndices?: number[];
  /** Uniform extra delay 0..jitterMs added to each packet. */
  jitterMs?: number;
  /** Probability that a packet is held back by reorderMs (arrives after its successors). */
  reorder?: number;
  reorderMs?: number;
  /** Probability that a packet is delivered twice. */
  duplicate?: number;
  /** Leave the first N packets untouched (e.g. so latching and jitter-buffer priming see clean media). */
  skipFirst?: number;
}

export interface PacketFate {
  drop: boolean;
  delaysMs: number[]; // one entry per delivery (two when duplicated)
}

export class Impairment {
  readonly #profile: ImpairmentProfile;
  readonly #rand: () => number;
  readonly #dropSet: Set<number>;
  #index = 0;
  #burstBad = false;
  dropped = 0;
  duplicated = 0;
  reordered = 0;

  constructor(profile: ImpairmentProfile, seed: number) {
    this.#profile = profile;
    this.#rand = mulberry32(seed);
    this.#dropSet = new Set(profile.dropIndices ?? []);
  }

  get isIdentity(): boolean {
    const p = this.#profile;
    return !p.loss && !p.burst && !p.dropIndices?.length && !p.jitterMs && !p.reorder && !p.duplicate;
  }

  /** Fates drawn so far (the next packet's index). */
  get count(): number {
    return this.#index;
  }

  next(): PacketFate {
    const p = this.#profile;
    const raw = this.#index++;
    // Draw every random number on every packet so fates do not shift when one knob changes.
    const rLoss = this.#rand();
    const rBurst = this.#rand();
    const rJitter = this.#rand();
    const rReorder = this.#rand();
    const rDup = this.#rand();
    const skip = p.skipFirst ?? 0;
    if (raw < skip) return { drop: false, delaysMs: [0] };
    const index = raw - skip;
    if (p.burst) this.#burstBad = this.#burstBad ? rBurst >= p.burst.r : rBurst < p.burst.p;
    const drop = this.#dropSet.has(index) || (p.loss !== undefined && rLoss < p.loss) || (p.burst !== undefined && this.#burstBad);
    if (drop) {
      this.dropped++;
      return { drop: true, delaysMs: [] };
    }
    let delay = (p.jitterMs ?? 0) * rJitter;
    if (p.reorder !== undefined && rReorder < p.reorder) {
      delay += p.reorderMs ?? 40;
      this.reordered++;
    }
    if (p.duplicate !== undefined && rDup < p.duplicate) {
      this.duplicated++;
      return { drop: false, delaysMs: [delay, delay + 1] };
    }
    return { drop: false, delaysMs: [delay] };
  }
}
