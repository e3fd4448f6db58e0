/**
 * The filler while a slow tool runs (agent definition `toolFiller`): once a tool call has been
 * running `afterMs` and no agent audio is playing, the gateway's own clip plays through the playback
 * ledger (one item of its own response, like the apology); `afterMs` after it ended, again, at most
 * `maxPlays` times per stretch of waiting. The moment the last outstanding tool returns, a clip still
 * on the wire is cut (the ledger flushes it before the next 20 ms packet) — before the result goes to
 * the model, so the answer's audio is never queued behind the filler.
 *
 * The clip never reaches the model: it is not an item of the conversation, so nothing is said to have
 * been spoken. A barge-in over it stops it like any agent audio (the backend ignores a truncate of an
 * item it does not hold).
 */
import type { Clock, TimerId } from '../clock.js';
import type { Logger } from '../log.js';
import type { PlaybackLedger } from './playback-ledger.js';

/** What the filler needs of the ledger. */
export type FillerPlayback = Pick<PlaybackLedger, 'isPlaying' | 'playClip' | 'responseDone' | 'whenPlayedOut' | 'stop'>;

export interface ToolFillerConfig {
  afterMs: number;
  maxPlays: number;
  /** 8 kHz mono linear PCM. */
  samples: Int16Array;
}

/** Ledger ids of the filler clips: one per play, so a cut one never swallows the next. */
const FILLER_ID_PREFIX = 'gateway-filler-';

export class ToolFiller {
  readonly #config: ToolFillerConfig;
  readonly #playback: FillerPlayback;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #running = new Set<string>();
  #timer: TimerId | undefined;
  /** The clip on the wire (or queued), if any. */
  #playing: string | undefined;
  #playsThisWait = 0;
  #closed = false;
  /** Clips started, and cut by a tool result (observability and tests). */
  plays = 0;
  cuts = 0;

  constructor(config: ToolFillerConfig, playback: FillerPlayback, clock: Clock, logger: Logger) {
    this.#config = config;
    this.#playback = playback;
    this.#clock = clock;
    this.#logger = logger;
  }

  /** A tool call began. The first of a stretch of waiting arms the timer. */
  toolStarted(callId: string): void {
    if (this.#closed) return;
    if (this.#running.size === 0) {
      this.#playsThisWait = 0;
      this.#arm();
    }
    this.#running.add(callId);
  }

  /** A tool call returned (before its output goes to the model). The last one stops the filler. */
  toolFinished(callId: string): void {
    if (!this.#running.delete(callId) || this.#running.size > 0) return;
    this.#disarm();
    const playing = this.#playing;
    this.#playing = undefined;
    if (playing === undefined || !this.#playback.isPlaying) return;
    const stopped = this.#playback.stop();
    this.cuts++;
    this.#logger.info({ sentMs: stopped?.sentMs, flushedMs: stopped?.flushedMs }, 'tool filler cut: the tool answered');
  }

  /** The call is ending: no timer left behind. */
  close(): void {
    this.#closed = true;
    this.#running.clear();
    this.#disarm();
  }

  #arm(): void {
    this.#disarm();
    this.#timer = this.#clock.setTimeout(() => this.#due(), this.#config.afterMs);
  }

  #disarm(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #due(): void {
    this.#timer = undefined;
    if (this.#closed || this.#running.size === 0 || this.#playsThisWait >= this.#config.maxPlays) return;
    if (this.#playback.isPlaying) {
      // The agent is talking (e.g. "let me check"): silence is not the problem yet; look again later.
      this.#arm();
      return;
    }
    const id = `${FILLER_ID_PREFIX}${++this.plays}`;
    if (!this.#playback.playClip(id, this.#config.samples)) return;
    this.#playback.responseDone(id);
    this.#playing = id;
    this.#playsThisWait++;
    this.#logger.info({ play: this.#playsThisWait, tools: this.#running.size }, 'tool filler playing: a tool is slow');
    void this.#playback.whenPlayedOut(id).then(() => {
      if (this.#playing !== id) return;
      this.#playing = undefined;
      if (!this.#closed && this.#running.size > 0) this.#arm();
    });
  }
}
