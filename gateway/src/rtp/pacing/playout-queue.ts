/**
 * Outbound audio for one call. The Realtime backend delivers G.711 far faster than real time, in
 * chunks of any size; the scheduler pulls exactly one 160-byte frame per 20 ms tick. The queue
 * remembers which answer (response/item) every byte belongs to, so that after a barge-in the call
 * layer can truncate the item at the exact number of milliseconds the caller actually heard
 * (`sentMs`), and so it can act when an answer has completely played (`itemFinished`).
 *
 * Framing rules: a frame never mixes two items. The last partial frame of an item is padded with
 * the codec's silence byte once the item is known to be complete (`endItem`, or the next item's audio
 * follows it: Realtime items play one after another); until then a short tail waits for more bytes,
 * because padding mid-answer would put a click of silence inside a word.
 *
 * When nothing is queued, `pull` yields a silence frame: the session keeps sending comfort silence
 * (see RtpSession for why). Events for a frame fire from `commitFrame()`, which the session calls
 * after the packet left, so a listener that hangs up on `itemFinished` never cuts off the last frame.
 */
import { BYTES_PER_MS, FRAME_SAMPLES } from '../constants.js';
import { SafeEmitter, type ListenerErrorHook } from '../../safe-emitter.js';

export interface PlayoutTag {
  responseId: string;
  itemId: string;
}

export interface ItemFinished {
  itemId: string;
  responseId: string;
  /** Milliseconds of the item that were sent as RTP (all of it, since it finished). */
  sentMs: number;
}

export interface PlayoutQueueEvents {
  /** Every byte of an item that was marked complete has been sent. */
  itemFinished: [info: ItemFinished];
  /** The queue ran empty after sending audio. */
  drained: [];
}

/** What `pull` put in the frame. */
export type PullKind =
  /** First audio frame after the queue was idle: set the RTP marker (RFC 3551 §4.1). */
  | 'audio-start'
  | 'audio'
  /** Nothing to play (idle, or an unfinished item waiting for more bytes). */
  | 'silence';

export interface PlayoutQueueOptions {
  /** The codec's silence byte (0xFF PCMU, 0xD5 PCMA). */
  silenceByte: number;
  /** Most audio the queue holds; bytes beyond are dropped and counted. Default 600 000 ms (10 min). */
  maxBufferedMs?: number;
  onListenerError?: ListenerErrorHook;
}

interface ItemState {
  responseId: string;
  receivedBytes: number;
  sentBytes: number;
  ended: boolean;
  finished: boolean;
  /** Cut by flush(): late deltas of it are discarded and it never "finishes". */
  cancelled: boolean;
}

interface Segment {
  item: ItemState;
  itemId: string;
  /** Absolute write position just past this segment's last byte. */
  end: number;
}

/** 2 s of G.711; grows by doubling when an answer arrives faster than it plays. */
const INITIAL_CAPACITY = 1 << 14;
/** Per-item counters kept for `sentMs` after the item is gone (a call has far fewer answers). */
const MAX_TRACKED_ITEMS = 256;
export const DEFAULT_MAX_BUFFERED_MS = 600_000;

export class PlayoutQueue extends SafeEmitter<PlayoutQueueEvents> {
  #silenceByte: number;
  readonly #maxBufferedBytes: number;
  #ring = new Uint8Array(INITIAL_CAPACITY);
  #mask = INITIAL_CAPACITY - 1;
  /** Absolute byte positions (never wrap in practice: 2^53 bytes is 35 000 years of audio). */
  #readPos = 0;
  #writePos = 0;
  readonly #segments: Segment[] = [];
  #segHead = 0;
  readonly #items = new Map<string, ItemState>();
  #lastItemId: string | undefined;
  #talking = false;
  #pendingFinished: ItemFinished[] = [];
  #pendingDrained = false;
  /** Bytes refused because the queue was full. */
  overflowBytes = 0;
  /** Bytes discarded because their item had been flushed. */
  cancelledBytes = 0;
  /** Ticks where an unfinished item had fewer than 160 bytes queued (Realtime slower than real time). */
  starvedTicks = 0;
  framesSent = 0;

  constructor(opts: PlayoutQueueOptions) {
    super(opts.onListenerError);
    this.#silenceByte = opts.silenceByte;
    const maxMs = opts.maxBufferedMs ?? DEFAULT_MAX_BUFFERED_MS;
    if (!(maxMs > 0)) throw new RangeError(`maxBufferedMs must be > 0, got ${maxMs}`);
    this.#maxBufferedBytes = Math.ceil(maxMs * BYTES_PER_MS);
  }

  /** Appends G.711 bytes of one item. The bytes are copied. */
  enqueue(bytes: Uint8Array, tag: PlayoutTag): void {
    let item = this.#items.get(tag.itemId);
    if (item === undefined) {
      item = { responseId: tag.responseId, receivedBytes: 0, sentBytes: 0, ended: false, finished: false, cancelled: false };
      this.#items.set(tag.itemId, item);
      this.#trimItems();
    }
    if (item.cancelled) {
      // Deltas already in flight when the barge-in happened: never play them.
      item.receivedBytes += bytes.length;
      this.cancelledBytes += bytes.length;
      return;
    }
    const room = this.#maxBufferedBytes - (this.#writePos - this.#readPos);
    const n = Math.max(0, Math.min(bytes.length, room));
    this.overflowBytes += bytes.length - n;
    item.receivedBytes += bytes.length;
    if (n === 0) return;
    item.finished = false;
    this.#ensureCapacity(this.#writePos - this.#readPos + n);
    const start = this.#writePos & this.#mask;
    const first = Math.min(n, this.#ring.length - start);
    this.#ring.set(bytes.subarray(0, first), start);
    if (first < n) this.#ring.set(bytes.subarray(first, n), 0);
    this.#writePos += n;
    const last = this.#segments.length > this.#segHead ? this.#segments[this.#segments.length - 1] : undefined;
    if (last !== undefined && this.#lastItemId === tag.itemId) {
      last.end = this.#writePos;
    } else {
      // Realtime items play one after another: audio of a new item completes the previous one.
      if (this.#lastItemId !== undefined && this.#lastItemId !== tag.itemId) this.#completeImplicitly(this.#lastItemId);
      this.#segments.push({ item, itemId: tag.itemId, end: this.#writePos });
    }
    this.#lastItemId = tag.itemId;
  }

  /**
   * Marks an item complete (Realtime's `response.output_audio.done`): its last partial frame may
   * now be padded, and `itemFinished` fires once its last byte is sent (at once if it already was).
   */
  endItem(itemId: string): void {
    const item = this.#items.get(itemId);
    if (item === undefined || item.ended || item.cancelled) return;
    item.ended = true;
    const pending = this.#segments.some((s, i) => i >= this.#segHead && s.item === item);
    if (!pending && !item.finished) {
      item.finished = true;
      this.safeEmit('itemFinished', { itemId, responseId: item.responseId, sentMs: item.sentBytes / BYTES_PER_MS });
    }
  }

  /**
   * Fills `out[0..160)` with the next frame and says what it is. Events caused by this frame are
   * held until `commitFrame()`.
   */
  pull(out: Uint8Array): PullKind {
    this.commitFrame();
    const seg = this.#segHead < this.#segments.length ? this.#segments[this.#segHead] : undefined;
    if (seg === undefined) {
      out.fill(this.#silenceByte, 0, FRAME_SAMPLES);
      return 'silence';
    }
    const inSeg = seg.end - this.#readPos;
    const complete = seg.item.ended || this.#segHead + 1 < this.#segments.length;
    if (inSeg < FRAME_SAMPLES && !complete) {
      this.starvedTicks++;
      out.fill(this.#silenceByte, 0, FRAME_SAMPLES);
      return 'silence';
    }
    const n = Math.min(inSeg, FRAME_SAMPLES);
    this.#copyOut(out, n);
    if (n < FRAME_SAMPLES) out.fill(this.#silenceByte, n, FRAME_SAMPLES);
    seg.item.sentBytes += n;
    this.framesSent++;
    const kind: PullKind = this.#talking ? 'audio' : 'audio-start';
    this.#talking = true;
    if (this.#readPos === seg.end) {
      this.#segHead++;
      this.#compactSegments();
      const stillQueued = this.#segments.some((s, i) => i >= this.#segHead && s.item === seg.item);
      if (seg.item.ended && !stillQueued) {
        seg.item.finished = true;
        this.#pendingFinished.push({ itemId: seg.itemId, responseId: seg.item.responseId, sentMs: seg.item.sentBytes / BYTES_PER_MS });
      }
    }
    if (this.#readPos === this.#writePos) {
      this.#talking = false;
      this.#pendingDrained = true;
    }
    return kind;
  }

  /** Fires the events of the frame last pulled (call once it has been sent). */
  commitFrame(): void {
    if (this.#pendingFinished.length > 0) {
      const done = this.#pendingFinished;
      this.#pendingFinished = [];
      for (const info of done) this.safeEmit('itemFinished', info);
    }
    if (this.#pendingDrained) {
      this.#pendingDrained = false;
      this.safeEmit('drained');
    }
  }

  /**
   * Drops everything not yet sent (barge-in). The items cut short (queued, or still streaming in)
   * are cancelled: they keep their counters, never fire itemFinished, and bytes that still arrive
   * for them are discarded.
   */
  flush(): { droppedMs: number } {
    const dropped = this.#writePos - this.#readPos;
    for (let i = this.#segHead; i < this.#segments.length; i++) (this.#segments[i] as Segment).item.cancelled = true;
    if (this.#lastItemId !== undefined) {
      const last = this.#items.get(this.#lastItemId);
      if (last !== undefined && !last.finished) last.cancelled = true;
    }
    this.#readPos = this.#writePos;
    this.#segments.length = 0;
    this.#segHead = 0;
    this.#lastItemId = undefined;
    this.#talking = false;
    this.#pendingDrained = false;
    return { droppedMs: dropped / BYTES_PER_MS };
  }

  /** The codec changed (re-INVITE): idle frames and padding use the new law's silence. */
  setSilenceByte(silenceByte: number): void {
    this.#silenceByte = silenceByte;
  }

  /** Milliseconds of `itemId` sent as RTP so far (exact: bytes / 8, may be fractional). */
  sentMs(itemId: string): number {
    return (this.#items.get(itemId)?.sentBytes ?? 0) / BYTES_PER_MS;
  }

  /** Milliseconds of `itemId` handed to `enqueue` so far (including any refused for overflow). */
  receivedMs(itemId: string): number {
    return (this.#items.get(itemId)?.receivedBytes ?? 0) / BYTES_PER_MS;
  }

  /** Audio waiting to be sent, ms. */
  get queuedMs(): number {
    return (this.#writePos - this.#readPos) / BYTES_PER_MS;
  }

  /** True while audio is queued or being played. */
  get isPlaying(): boolean {
    return this.#writePos > this.#readPos;
  }

  /** Copies n bytes from the read position (a plain loop: no subarray views per frame). */
  #copyOut(out: Uint8Array, n: number): void {
    const ring = this.#ring;
    const mask = this.#mask;
    const from = this.#readPos;
    for (let i = 0; i < n; i++) out[i] = ring[(from + i) & mask] as number;
    this.#readPos += n;
  }

  #ensureCapacity(needed: number): void {
    if (needed <= this.#ring.length) return;
    let cap = this.#ring.length;
    while (cap < needed) cap *= 2; // bounded: needed <= maxBufferedBytes
    const next = new Uint8Array(cap);
    const used = this.#writePos - this.#readPos;
    const start = this.#readPos & this.#mask;
    const first = Math.min(used, this.#ring.length - start);
    next.set(this.#ring.subarray(start, start + first), 0);
    if (first < used) next.set(this.#ring.subarray(0, used - first), first);
    // Re-base positions so that readPos maps to index 0 of the new ring.
    const shift = this.#readPos;
    this.#readPos = 0;
    this.#writePos = used;
    for (let i = this.#segHead; i < this.#segments.length; i++) (this.#segments[i] as Segment).end -= shift;
    this.#ring = next;
    this.#mask = cap - 1;
  }

  /** Drops consumed segment entries once there are enough to be worth the copy. */
  #compactSegments(): void {
    if (this.#segHead >= 32 && this.#segHead * 2 >= this.#segments.length) {
      this.#segments.splice(0, this.#segHead);
      this.#segHead = 0;
    }
  }

  #completeImplicitly(itemId: string): void {
    const prev = this.#items.get(itemId);
    if (prev === undefined || prev.ended || prev.cancelled) return;
    prev.ended = true;
    const pending = this.#segments.some((s, i) => i >= this.#segHead && s.item === prev);
    if (!pending && !prev.finished) {
      prev.finished = true;
      this.#pendingFinished.push({ itemId, responseId: prev.responseId, sentMs: prev.sentBytes / BYTES_PER_MS });
    }
  }

  #trimItems(): void {
    if (this.#items.size <= MAX_TRACKED_ITEMS) return;
    for (const [id, item] of this.#items) {
      if (this.#items.size <= MAX_TRACKED_ITEMS) break;
      const queued = this.#segments.some((s, i) => i >= this.#segHead && s.item === item);
      if (!queued) this.#items.delete(id);
    }
  }
}
