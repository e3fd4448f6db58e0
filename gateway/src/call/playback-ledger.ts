/**
 * What the caller has heard of the agent: the one record of agent audio for a call. Per response and
 * item it keeps what was queued, what left as RTP (fed by the PlayoutQueue, whose opaque tag is the
 * ledger's item) and what was cut, and it is the single source for:
 *  - barge-in truth: the item on the wire and exactly how many ms of it were sent (`stop`);
 *  - the echo guard: the level of every frame as it was sent (`loudestRecent`);
 *  - end_call's "let the answer finish": a promise that settles once a response is done and
 *    everything queued has been sent (`whenPlayedOut`), driven by the queue's notifications.
 *
 * The Realtime backend's TurnState is a different thing: what the *protocol* knows (the response in
 * progress, deltas of responses we cancelled, bytes received per item). The ledger knows what was
 * *played*. A response cut here (the caller talked over it) never plays again, even if the server
 * did not cancel it and its late deltas still arrive.
 *
 * Bounded: finished and cut items are pruned beyond the last few (kept for the echo guard's look-back
 * and for late questions), responses beyond the last few dozen, and a backend that opens ever more
 * items without them playing is refused once MAX_LIVE_ITEMS wait.
 */
import { energyOfG711, g711Codec, MIN_LEVEL_DBOV, type G711Codec, type G711Name } from '../audio/index.js';
import { BYTES_PER_MS, FRAME_SAMPLES, type PlayoutObserver, type PlayoutQueue } from '../rtp/index.js';

/** One item of agent audio: the PlayoutQueue's tag for its bytes. */
export interface PlaybackItem {
  readonly responseId: string;
  readonly itemId: string;
  readonly contentIndex: number;
  /** Bytes the playout queue accepted. */
  queuedBytes: number;
  /** Bytes that left as RTP. */
  sentBytes: number;
  /** live: queued or playing; finished: every byte sent and the item complete; cut: flushed unplayed. */
  state: 'live' | 'finished' | 'cut';
  /** Level (dBov) of each whole 20 ms frame, in play order; empty when levels are not measured. */
  readonly levels: number[];
  /** Which stretch of playback it belongs to: `stop()` starts a new one. */
  readonly epoch: number;
}

interface ResponseRecord {
  /** response.done arrived: no more audio will come for it. */
  done: boolean;
  /** Cut by a barge-in or a flush: later audio of it is dropped. */
  cut: boolean;
}

export interface PlaybackStop {
  /** The item that was on the wire (or, if none had started, the first one waiting). */
  item: PlaybackItem;
  /** Whole ms of it that were sent as RTP: what the caller heard. */
  sentMs: number;
  /** Queued audio dropped, ms. */
  flushedMs: number;
  /** Later responses queued behind it that the caller heard nothing of (cut as well). */
  unplayedResponses: string[];
}

export interface PlaybackLedgerOptions {
  /** The call's codec (levels are measured on the G.711 bytes). */
  codec: G711Name;
  /** Measure a level per frame for the echo guard. */
  measureLevels: boolean;
}

/** Finished or cut items kept for look-back (the echo tail spans at most a couple of them). */
const MAX_SETTLED_ITEMS = 8;
/** Items waiting to play at once; more means a runaway producer. */
export const MAX_LIVE_ITEMS = 256;
/** Responses remembered (done or cut); late deltas of a cut response arrive within a second or two. */
const MAX_RESPONSES = 32;
/** Items examined for a barge-in: the newest of the current stretch. */
const MAX_BARGE_IN_CANDIDATES = 8;

interface Waiter {
  responseId: string | undefined;
  resolve: () => void;
}

export class PlaybackLedger implements PlayoutObserver<PlaybackItem> {
  readonly #queue: PlayoutQueue<PlaybackItem>;
  #codec: G711Codec;
  readonly #measure: boolean;
  /** Every remembered item, in play order (the order they were queued). */
  readonly #items: PlaybackItem[] = [];
  readonly #byId = new Map<string, PlaybackItem>();
  readonly #responses = new Map<string, ResponseRecord>();
  readonly #waiters: Waiter[] = [];
  #live = 0;
  #epoch = 0;
  #closed = false;
  // Partial frame of the item being measured (levels are per whole 160-byte frame of an item).
  readonly #scratch = new Uint8Array(FRAME_SAMPLES);
  #scratchFill = 0;
  #scratchItem: PlaybackItem | undefined;
  /** Bytes dropped because their response had been cut (late deltas). */
  droppedCutBytes = 0;
  /** Bytes refused: the queue was full, or too many items were waiting. */
  refusedBytes = 0;

  constructor(queue: PlayoutQueue<PlaybackItem>, opts: PlaybackLedgerOptions) {
    this.#queue = queue;
    this.#codec = g711Codec(opts.codec);
    this.#measure = opts.measureLevels;
    queue.observe(this);
  }

  /** The negotiated codec changed (re-INVITE): levels of new audio are measured with the new law. */
  codecChanged(codec: G711Name): void {
    this.#codec = g711Codec(codec);
  }

  /** True while agent audio is queued or being sent. */
  get isPlaying(): boolean {
    return this.#queue.isPlaying;
  }

  /** The response whose audio is on the wire now (or next): the first live item's, in play order. */
  get playingResponseId(): string | undefined {
    if (!this.#queue.isPlaying) return undefined;
    for (const item of this.#items) if (item.state === 'live') return item.responseId;
    return undefined;
  }

  /**
   * Queues G.711 audio of an item. Returns false (and drops it) when its response was cut, when the
   * ledger is closed, or when the producer has too many items waiting.
   */
  play(responseId: string, itemId: string, contentIndex: number, bytes: Uint8Array): boolean {
    if (this.#closed) return false;
    if (this.#responses.get(responseId)?.cut === true) {
      this.droppedCutBytes += bytes.length;
      return false;
    }
    let item = this.#byId.get(itemId);
    if (item === undefined || item.state !== 'live') {
      if (this.#live >= MAX_LIVE_ITEMS) {
        this.refusedBytes += bytes.length;
        return false;
      }
      item = this.#open(responseId, itemId, contentIndex);
    }
    const accepted = this.#queue.enqueue(bytes, item);
    this.refusedBytes += bytes.length - accepted;
    item.queuedBytes += accepted;
    if (this.#measure && accepted > 0) this.#measureLevels(item, bytes, accepted);
    return true;
  }

  /**
   * Queues one of the gateway's own recordings (8 kHz linear PCM, e.g. the apology) as a complete item
   * of its own response, encoded with the call's law. `id` names both, so barge-in and
   * `whenPlayedOut(id)` treat it like any model answer. False when it was refused (see `play`).
   */
  playClip(id: string, samples: Int16Array): boolean {
    const bytes = new Uint8Array(samples.length);
    this.#codec.encode(samples, bytes);
    const queued = this.play(id, id, 0, bytes);
    if (queued) this.endItem(id);
    return queued;
  }

  /** The item is complete (Realtime's output_audio.done): its last partial frame may be padded and sent. */
  endItem(itemId: string): void {
    const item = this.#byId.get(itemId);
    if (item !== undefined && item.state === 'live') this.#queue.endItem(item);
  }

  /** response.done: all of the response's audio has arrived. */
  responseDone(responseId: string): void {
    this.#response(responseId).done = true;
    this.#settleWaiters();
  }

  /**
   * Stops playback now: drops everything queued (the next packet is silence), cuts every response
   * that still had audio waiting, and says which item was on the wire and how much of it was sent.
   * Undefined when nothing was playing.
   */
  stop(): PlaybackStop | undefined {
    if (this.#closed || !this.#queue.isPlaying) return undefined;
    const candidates = this.#items.filter((i) => i.epoch === this.#epoch).slice(-MAX_BARGE_IN_CANDIDATES);
    const first = candidates[0];
    if (first === undefined) return undefined;
    // The item on the wire is the newest one that has started playing; later ones were only queued.
    let playing = first;
    for (let k = candidates.length - 1; k >= 0; k--) {
      const c = candidates[k] as PlaybackItem;
      if (c.sentBytes > 0) {
        playing = c;
        break;
      }
    }
    const after = candidates.slice(candidates.indexOf(playing) + 1);
    const unplayedResponses = [...new Set(after.map((c) => c.responseId))].filter(
      (id) => id !== playing.responseId && candidates.every((c) => c.responseId !== id || c.sentBytes === 0),
    );
    const { droppedMs } = this.#queue.flush();
    for (const c of candidates) this.#response(c.responseId).cut = true;
    for (const item of this.#items) {
      if (item.state !== 'live') continue;
      item.state = 'cut';
      this.#live--;
    }
    this.#epoch++;
    this.#prune();
    this.#settleWaiters();
    return { item: playing, sentMs: Math.floor(playing.sentBytes / BYTES_PER_MS), flushedMs: droppedMs, unplayedResponses };
  }

  /**
   * Settles once everything queued has been sent and, when `responseId` is given, that response is
   * done (so none of its audio is still to come). At once if that is already so; at once on close.
   */
  whenPlayedOut(responseId?: string): Promise<void> {
    if (this.#closed || this.#playedOut(responseId)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ responseId, resolve }));
  }

  /**
   * The loudest level among the last `frames` frames sent as RTP, walking back through the items in
   * play order (MIN_LEVEL_DBOV when none). A partly sent frame does not count.
   */
  loudestRecent(frames: number): number {
    let loudest = MIN_LEVEL_DBOV;
    let budget = frames;
    for (let k = this.#items.length - 1; k >= 0 && budget > 0; k--) {
      const item = this.#items[k] as PlaybackItem;
      const played = Math.min(Math.floor(item.sentBytes / FRAME_SAMPLES), item.levels.length);
      if (played <= 0) continue;
      const from = Math.max(0, played - budget);
      for (let i = from; i < played; i++) {
        const level = item.levels[i] as number;
        if (level > loudest) loudest = level;
      }
      budget -= played - from;
    }
    return loudest;
  }

  /** Ms of `itemId` sent as RTP (exact: may be fractional); 0 for unknown items. */
  sentMs(itemId: string): number {
    return (this.#byId.get(itemId)?.sentBytes ?? 0) / BYTES_PER_MS;
  }

  /** Ms of `itemId` the playout queue accepted. */
  queuedMs(itemId: string): number {
    return (this.#byId.get(itemId)?.queuedBytes ?? 0) / BYTES_PER_MS;
  }

  /** Items remembered (bounded: live ones plus the last few settled ones). */
  get size(): number {
    return this.#items.length;
  }

  /** Refuses further audio and releases every waiter (the call is ending). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  // ---------------------------------------------------------------- PlayoutObserver (the queue's side)

  frameSent(item: PlaybackItem, bytes: number): void {
    item.sentBytes += bytes;
  }

  itemFinished(item: PlaybackItem): void {
    if (item.state !== 'live') return;
    item.state = 'finished';
    this.#live--;
    this.#prune();
  }

  drained(): void {
    this.#settleWaiters();
  }

  // ---------------------------------------------------------------- internals

  #open(responseId: string, itemId: string, contentIndex: number): PlaybackItem {
    const item: PlaybackItem = { responseId, itemId, contentIndex, queuedBytes: 0, sentBytes: 0, state: 'live', levels: [], epoch: this.#epoch };
    this.#items.push(item);
    this.#byId.set(itemId, item);
    this.#live++;
    this.#response(responseId);
    this.#prune();
    return item;
  }

  #response(responseId: string): ResponseRecord {
    let r = this.#responses.get(responseId);
    if (r === undefined) {
      r = { done: false, cut: false };
      this.#responses.set(responseId, r);
      if (this.#responses.size > MAX_RESPONSES) this.#forgetOldestResponse();
    }
    return r;
  }

  #forgetOldestResponse(): void {
    // Maps iterate in insertion order: the first response without live audio is the oldest idle one.
    for (const [id] of this.#responses) {
      if (!this.#items.some((i) => i.state === 'live' && i.responseId === id)) {
        this.#responses.delete(id);
        return;
      }
    }
  }

  #prune(): void {
    let settled = 0;
    for (const item of this.#items) if (item.state !== 'live') settled++;
    for (let k = 0; settled > MAX_SETTLED_ITEMS && k < this.#items.length; ) {
      const item = this.#items[k] as PlaybackItem;
      if (item.state === 'live') {
        k++;
        continue;
      }
      this.#items.splice(k, 1);
      if (this.#byId.get(item.itemId) === item) this.#byId.delete(item.itemId);
      if (this.#scratchItem === item) this.#scratchItem = undefined;
      settled--;
    }
  }

  #playedOut(responseId: string | undefined): boolean {
    if (this.#queue.isPlaying) return false;
    return responseId === undefined || this.#responses.get(responseId)?.done === true;
  }

  #settleWaiters(): void {
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i] as Waiter;
      if (this.#playedOut(w.responseId)) {
        this.#waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Levels per whole 160-byte frame of the item, carrying a partial frame over to the next bytes. */
  #measureLevels(item: PlaybackItem, bytes: Uint8Array, n: number): void {
    if (this.#scratchItem !== item) {
      this.#scratchItem = item;
      this.#scratchFill = 0;
    }
    let off = 0;
    while (off < n) {
      const take = Math.min(FRAME_SAMPLES - this.#scratchFill, n - off);
      this.#scratch.set(bytes.subarray(off, off + take), this.#scratchFill);
      this.#scratchFill += take;
      off += take;
      if (this.#scratchFill === FRAME_SAMPLES) {
        item.levels.push(energyOfG711(this.#scratch, this.#codec));
        this.#scratchFill = 0;
      }
    }
  }
}
