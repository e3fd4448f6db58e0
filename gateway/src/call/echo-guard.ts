import { energyOfG711, type G711Codec } from '../audio/index.js';
import type { PlaybackLedger } from './playback-ledger.js';

/**
 * A half-duplex echo gate in front of the AI's ears. On many phone legs the caller's handset or
 * speakerphone sends part of the agent's own voice back; a server-side VAD hears it as speech and
 * the agent "barges in on itself" (a top complaint against other voice gateways). The gateway knows
 * exactly what it played and when (the playback ledger), so a caller frame whose level is well below
 * what the agent was sending in the last `tailMs` (the echo path's delay and ring-out) is treated as
 * echo and replaced by silence before it reaches the model. Real speech over the agent is louder than
 * its echo and passes; the cost is that a caller talking `marginDb` quieter than the agent cannot
 * interrupt.
 */
export interface EchoGuardOptions {
  /** Caller frames this many dB (or more) below the agent's recent level count as echo. */
  marginDb: number;
  /** How far back agent audio can still be echoing, ms. */
  tailMs: number;
}

const FRAME_MS = 20;
/** Agent frames quieter than this carry no echo worth gating. */
const SILENT_AGENT_DBOV = -55;

export class EchoGuard {
  readonly #opts: EchoGuardOptions;
  readonly #ledger: PlaybackLedger;
  readonly #tailFrames: number;
  /** Caller frames since the agent's audio last played (saturates). */
  #framesSincePlaying = Number.MAX_SAFE_INTEGER;
  /** Frames replaced by silence. */
  suppressedFrames = 0;

  constructor(opts: EchoGuardOptions, ledger: PlaybackLedger) {
    if (!(opts.marginDb > 0)) throw new RangeError(`echo guard marginDb must be > 0, got ${opts.marginDb}`);
    if (!(opts.tailMs >= FRAME_MS)) throw new RangeError(`echo guard tailMs must be >= ${FRAME_MS}, got ${opts.tailMs}`);
    this.#opts = opts;
    this.#ledger = ledger;
    this.#tailFrames = Math.ceil(opts.tailMs / FRAME_MS);
  }

  get options(): Readonly<EchoGuardOptions> {
    return this.#opts;
  }

  /**
   * Called once per 20 ms caller frame, in order: true when the frame is explained by the agent's
   * recent output (it is then counted as suppressed). Only looks at the frame while the agent plays
   * or stopped less than `tailMs` ago.
   */
  isEcho(payload: Uint8Array, codec: G711Codec): boolean {
    this.#framesSincePlaying = this.#ledger.isPlaying ? 0 : Math.min(this.#framesSincePlaying + 1, Number.MAX_SAFE_INTEGER);
    if (this.#framesSincePlaying > this.#tailFrames) return false;
    return this.isEchoLevel(energyOfG711(payload, codec));
  }

  /** The decision for a caller frame at `callerDbov`, against the loudest agent frame sent within `tailMs`. */
  isEchoLevel(callerDbov: number): boolean {
    const agent = this.#ledger.loudestRecent(this.#tailFrames);
    if (agent <= SILENT_AGENT_DBOV) return false;
    const echo = callerDbov <= agent - this.#opts.marginDb;
    if (echo) this.suppressedFrames++;
    return echo;
  }
}
