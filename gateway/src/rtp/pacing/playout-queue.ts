/**
 * Outbound audio for one stream. A producer delivers G.711 far faster than real time, in chunks of
 * any size; the scheduler pulls exactly one 160-byte frame per 20 ms tick. Audio arrives in *items*
 * (consecutive stretches that belong together), each carrying an opaque tag chosen by the producer;
 * the queue never looks inside a tag. Its observer learns, per tag, what left as RTP and when an item
 * has completely played, which is all the caller needs to keep its own books.
 *
 * Framing rules: a frame never mixes two items. The last partial frame of an item is padded with
 * the codec's silence byte once the item is known to be complete (`endItem`, or the next item's audio
 * follows it: items play one after another); until then a short tail waits for more bytes, because
 * padding mid-item would put a click of silence inside a word.
 *
 * When nothing is queued, `pull` yields a silence frame: the session keeps sending comfort silence
 * (see RtpSession for why). Notifications for a frame go out from `commitFrame()`, which the session
 * calls after the packet left, so an observer that hangs up on `itemFinished` never cuts off the last
 * frame. They are plain method calls on one observer (no event objects): `frameSent` runs for every
 * packet and must not allocate.
 */
import { BYTES_PER_MS, FRAME_SAMPLES } from '../constants.js';
import type { ListenerErrorHook } from '../../safe-emitter.js';

/** Told what happened to queued audio, per tag. Calls that throw are counted and reported, never propagated. */
export interface PlayoutObserver<T> {
  /** `bytes` of `tag`'s audio (160, or fewer in a padded last frame) left as one RTP packet. */
  frameSent(tag: T, bytes: number): void;
  /** Every byte of `tag` has been sent and the item is complete (`endItem`, or the next item began). */
  itemFinished(tag: T): void;
  /** The queue ran empty after sending audio. */
  drained(): void;
}

/** What `pull` put in the frame. */
export type PullKind =
  /** First audio frame after the queue was idle: set the RTP marker (RFC 3551 §4.1). */
  | 'audio-start'
  | 'audio'
  /** Nothing to play (idle, or an unfinished item waiting for more bytes). */
  | 'silence';

export interface PlayoutQueueOptions<T> {
  /** The codec's silence byte (0xFF PCMU, 0xD5 PCMA). */
  silenceByte: number;
  /** Most audio the queue holds; bytes beyond are refused and counted. Default 600 000 ms (10 min). */
  maxBufferedMs?: number;
  observer?: PlayoutObserver<T>;
  /** An observer call threw (`event` names the call). */
  onListenerError?: ListenerErrorHook;
}

interface Segment<T> {
  tag: T;
  /** Absolute write position just past this segment's last byte. */
  end: number;
}

/** 2 s of G.711; grows by doubling when audio arrives faster than it plays. */
const INITIAL_CAPACITY = 1 << 14;
export const DEFAULT_MAX_BUFFERED_MS = 600_000;

export class PlayoutQueue<T> {
  #silenceByte: number;
  readonly #maxBufferedBytes: number;
  #observer: PlayoutObserver<T> | undefined;
  readonly #onListenerError: ListenerErrorHook | undefined;
  #ring = new Uint8Array(INITIAL_CAPACITY);
  #mask = INITIAL_CAPACITY - 1;
  /** Absolute byte positions (never wrap in practice: 2^53 bytes is 35 000 years of audio). */
  #readPos = 0;
  #writePos = 0;
  readonly #segments: Array<Segment<T>> = [];
  #segHead = 0;
  /** Items not yet finished: whether they are complete (no more bytes will come). */
  readonly #ended = new Map<T, boolean>();
  #lastTag: T | undefined;
  #hasLast = false;
  #talking = false;
  // What the frame last pulled reported, held until commitFrame (fields, not objects: no allocation).
  #sentTag: T | undefined;
  #sentBytes = 0;
  readonly #pendingFinished: T[] = [];
  #pendingDrained = false;
  /** Bytes refused because the queue was full. */
  overflowBytes = 0;
  /** Ticks where an unfinished item had fewer than 160 bytes queued (the producer slower than real time). */
  starvedTicks = 0;
  framesSent = 0;
  /** Observer calls that threw. */
  listenerErrors = 0;

  constructor(opts: PlayoutQueueOptions<T>) {
    this.#silenceByte = opts.silenceByte;
    this.#observer = opts.observer;
    this.#onListenerError = opts.onListenerError;
    const maxMs = opts.maxBufferedMs ?? DEFAULT_MAX_BUFFERED_MS;
    if (!(maxMs > 0)) throw new RangeError(`maxBufferedMs must be > 0, got ${maxMs}`);
    this.#maxBufferedBytes = Math.ceil(maxMs * BYTES_PER_MS);
  }

  /** Sets (or with undefined removes) the one observer. */
  observe(observer: PlayoutObserver<T> | undefined): void {
    this.#observer = observer;
  }

  /** Appends G.711 bytes of the item `tag`. The bytes are copied. Returns how many were accepted. */
  enqueue(bytes: Uint8Array, tag: T): number {
    const room = this.#maxBufferedBytes - (this.#writePos - this.#readPos);
    const n = Math.max(0, Math.min(bytes.length, room));
    this.overflowBytes += bytes.length - n;
    if (n === 0) return 0;
    if (!this.#ended.has(tag)) this.#ended.set(tag, false);
    this.#ensureCapacity(this.#writePos - this.#readPos + n);
    const start = this.#writePos & this.#mask;
    const first = Math.min(n, this.#ring.length - start);
    this.#ring.set(bytes.subarray(0, first), start);
    if (first < n) this.#ring.set(bytes.subarray(first, n), 0);
    this.#writePos += n;
    const last = this.#segments.length > this.#segHead ? this.#segments[this.#segments.length - 1] : undefined;
    if (last !== undefined && this.#hasLast && this.#lastTag === tag) {
      last.end = this.#writePos;
    } else {
      // Items play one after another: audio of a new item completes the previous one.
      if (this.#hasLast && this.#lastTag !== tag) this.#complete(this.#lastTag as T, false);
      this.#segments.push({ tag, end: this.#writePos });
    }
    this.#lastTag = tag;
    this.#hasLast = true;
    return n;
  }

  /**
   * Marks an item complete: its last partial frame may now be padded, and `itemFinished` follows
   * once its last byte is sent (at once if it already was). Unknown or finished items are ignored.
   */
  endItem(tag: T): void {
    this.#complete(tag, true);
  }

  /**
   * Fills `out[0..160)` with the next frame and says what it is. Notifications caused by this frame
   * are held until `commitFrame()`.
   */
  pull(out: Uint8Array): PullKind {
    this.commitFrame();
    const seg = this.#segHead < this.#segments.length ? this.#segments[this.#segHead] : undefined;
    if (seg === undefined) {
      out.fill(this.#silenceByte, 0, FRAME_SAMPLES);
      return 'silence';
    }
    const inSeg = seg.end - this.#readPos;
    const complete = this.#ended.get(seg.tag) === true || this.#segHead + 1 < this.#segments.length;
    if (inSeg < FRAME_SAMPLES && !complete) {
      this.starvedTicks++;
      out.fill(this.#silenceByte, 0, FRAME_SAMPLES);
      return 'silence';
    }
    const n = Math.min(inSeg, FRAME_SAMPLES);
    this.#copyOut(out, n);
    if (n < FRAME_SAMPLES) out.fill(this.#silenceByte, n, FRAME_SAMPLES);
    this.#sentTag = seg.tag;
    this.#sentBytes = n;
    this.framesSent++;
    const kind: PullKind = this.#talking ? 'audio' : 'audio-start';
    this.#talking = true;
    if (this.#readPos === seg.end) {
      this.#segHead++;
      this.#compactSegments();
      if (this.#ended.get(seg.tag) === true && !this.#isQueued(seg.tag)) {
        this.#ended.delete(seg.tag);
        this.#pendingFinished.push(seg.tag);
      }
    }
    if (this.#readPos === this.#writePos) {
      this.#talking = false;
      this.#pendingDrained = true;
    }
    return kind;
  }

  /** Reports the frame last pulled (call once it has been sent). */
  commitFrame(): void {
    if (this.#sentBytes > 0) {
      const tag = this.#sentTag as T;
      const bytes = this.#sentBytes;
      this.#sentTag = undefined;
      this.#sentBytes = 0;
      this.#notify('frameSent', tag, bytes);
    }
    if (this.#pendingFinished.length > 0) {
      for (let i = 0; i < this.#pendingFinished.length; i++) this.#notify('itemFinished', this.#pendingFinished[i] as T, 0);
      this.#pendingFinished.length = 0;
    }
    if (this.#pendingDrained) {
      this.#pendingDrained = false;
      this.#notify('drained', undefined, 0);
    }
  }

  /**
   * Drops everything not yet sent (the caller decides why). The items cut short are forgotten: they
   * never finish, and audio enqueued later under the same tag starts a new item.
   */
  flush(): { droppedMs: number } {
    const dropped = this.#writePos - this.#readPos;
    this.#readPos = this.#writePos;
    this.#segments.length = 0;
    this.#segHead = 0;
    this.#ended.clear();
    this.#lastTag = undefined;
    this.#hasLast = false;
    this.#talking = false;
    this.#pendingDrained = false;
    return { droppedMs: dropped / BYTES_PER_MS };
  }

  /** The codec changed (re-INVITE): idle frames and padding use the new law's silence. */
  setSilenceByte(silenceByte: number): void {
    this.#silenceByte = silenceByte;
  }

  /** Audio waiting to be sent, ms. */
  get queuedMs(): number {
    return (this.#writePos - this.#readPos) / BYTES_PER_MS;
  }

  /** True while audio is queued or being played. */
  get isPlaying(): boolean {
    return this.#writePos > this.#readPos;
  }

  #notify(call: keyof PlayoutObserver<T>, tag: T | undefined, bytes: number): void {
    const observer = this.#observer;
    if (observer === undefined) return;
    try {
      if (call === 'frameSent') observer.frameSent(tag as T, bytes);
      else if (call === 'itemFinished') observer.itemFinished(tag as T);
      else observer.drained();
    } catch (error) {
      this.listenerErrors++;
      this.#onListenerError?.(call, error);
    }
  }

  /** Marks `tag` complete; finishes it now if none of its bytes wait (explicit: at once; implicit: with the next commit). */
  #complete(tag: T, explicit: boolean): void {
    if (this.#ended.get(tag) !== false) return;
    if (this.#isQueued(tag)) {
      this.#ended.set(tag, true);
      return;
    }
    this.#ended.delete(tag);
    if (explicit) this.#notify('itemFinished', tag, 0);
    else this.#pendingFinished.push(tag);
  }

  #isQueued(tag: T): boolean {
    for (let i = this.#segHead; i < this.#segments.length; i++) if ((this.#segments[i] as Segment<T>).tag === tag) return true;
    return false;
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
    for (let i = this.#segHead; i < this.#segments.length; i++) (this.#segments[i] as Segment<T>).end -= shift;
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
}
