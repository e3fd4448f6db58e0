import { energyOfG711, MIN_LEVEL_DBOV, type G711Codec } from '../audio/index.js';

/**
 * A half-duplex echo gate in front of the AI's ears. On many phone legs the caller's handset or
 * speakerphone sends part of the agent's own voice back; a server-side VAD hears it as speech and
 * the agent "barges in on itself" (a top complaint against other voice gateways). The gateway knows
 * exactly what it played and when, so a caller frame whose level is well below what the agent was
 * sending in the last `tailMs` (the echo path's delay and ring-out) is treated as echo and replaced
 * by silence before it reaches the model. Real speech over the agent is louder than its echo and
 * passes; the cost is that a caller talking `marginDb` quieter than the agent cannot interrupt.
 */
export interface EchoGuardOptions {
  /** Caller frames this many dB (or more) below the agent's recent level count as echo. */
  marginDb: number;
  /** How far back agent audio can still be echoing, ms. */
  tailMs: number;
}

const FRAME_BYTES = 160; // 20 ms of G.711
const FRAME_MS = 20;
/** Agent frames quieter than this carry no echo worth gating. */
const SILENT_AGENT_DBOV = -55;

interface ItemLevels {
  levels: number[]; // dBov per 20 ms frame, in play order
}

export class EchoGuard {
  readonly #opts: EchoGuardOptions;
  readonly #items = new Map<string, ItemLevels>();
  readonly #order: string[] = [];
  readonly #scratch = new Uint8Array(FRAME_BYTES);
  #scratchFill = 0;
  /** Frames replaced by silence. */
  suppressedFrames = 0;

  constructor(opts: EchoGuardOptions) {
    if (!(opts.marginDb > 0)) throw new RangeError(`echo guard marginDb must be > 0, got ${opts.marginDb}`);
    if (!(opts.tailMs >= FRAME_MS)) throw new RangeError(`echo guard tailMs must be >= ${FRAME_MS}, got ${opts.tailMs}`);
    this.#opts = opts;
  }

  /** Records the level of agent audio as it is queued for playout (G.711, 160 bytes per frame). */
  noteAgentAudio(itemId: string, bytes: Uint8Array, codec: G711Codec): void {
    let item = this.#items.get(itemId);
    if (!item) {
      item = { levels: [] };
      this.#items.set(itemId, item);
      this.#order.push(itemId);
      // A call has a handful of answers in flight at most; keep the last few.
      if (this.#order.length > 4) this.#items.delete(this.#order.shift()!);
      this.#scratchFill = 0;
    }
    let off = 0;
    while (off < bytes.length) {
      const n = Math.min(FRAME_BYTES - this.#scratchFill, bytes.length - off);
      this.#scratch.set(bytes.subarray(off, off + n), this.#scratchFill);
      this.#scratchFill += n;
      off += n;
      if (this.#scratchFill === FRAME_BYTES) {
        item.levels.push(energyOfG711(this.#scratch, codec));
        this.#scratchFill = 0;
      }
    }
  }

  /**
   * The loudest agent frame sent within `tailMs` before now, given how far each item's playout got
   * (`sentMs(itemId)`), or undefined when the agent was silent in that window.
   */
  #recentAgentLevel(sentMs: (itemId: string) => number): number | undefined {
    let loudest = MIN_LEVEL_DBOV;
    // Items play one after another, so "the last tailMs of playout" walks back from the newest item
    // that has played anything into the end of the one before it, with one shared frame budget.
    let budget = Math.ceil(this.#opts.tailMs / FRAME_MS);
    for (let k = this.#order.length - 1; k >= 0 && budget > 0; k--) {
      const id = this.#order[k]!;
      const item = this.#items.get(id);
      if (!item) continue;
      const played = Math.min(Math.floor(sentMs(id) / FRAME_MS), item.levels.length);
      if (played <= 0) continue;
      const from = Math.max(0, played - budget);
      for (let i = from; i < played; i++) {
        const level = item.levels[i]!;
        if (level > loudest) loudest = level;
      }
      budget -= played - from;
    }
    return loudest > SILENT_AGENT_DBOV ? loudest : undefined;
  }

  /**
   * True when a caller frame at `callerDbov` is explained by the agent's recent output. `recentlyPlaying`
   * must be true while the agent's audio is playing or stopped less than `tailMs` ago.
   */
  isEcho(callerDbov: number, recentlyPlaying: boolean, sentMs: (itemId: string) => number): boolean {
    if (!recentlyPlaying) return false;
    const agent = this.#recentAgentLevel(sentMs);
    if (agent === undefined) return false;
    const echo = callerDbov <= agent - this.#opts.marginDb;
    if (echo) this.suppressedFrames++;
    return echo;
  }
}
