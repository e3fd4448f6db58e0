/**
 * Caps on the transcript text one call keeps (RealtimeStreamLimits): per item, deltas together or the
 * final text, and per call, all items together. Text past a cap is dropped and counted, never
 * concatenated: 70 deltas of 8 MiB on one item once grew one string past V8's limit and threw
 * `RangeError: Invalid string length` out of the socket handler. Shared by both providers through
 * the GA router, so the conversation log, the transcript events and the records see the same bound.
 */
import type { RealtimeStreamLimits } from '../backend.js';

/** Items whose usage is remembered; older ones are forgotten (their chars stay spent for the call). */
const MAX_ITEMS_TRACKED = 256;

export class TranscriptBudget {
  readonly #limits: Pick<RealtimeStreamLimits, 'maxTranscriptItemChars' | 'maxTranscriptCallChars'>;
  readonly #perItem = new Map<string, number>();
  #callChars = 0;
  /** Chars dropped so far. */
  dropped = 0;

  constructor(limits: Pick<RealtimeStreamLimits, 'maxTranscriptItemChars' | 'maxTranscriptCallChars'>) {
    this.#limits = limits;
  }

  /** The part of a delta that fits (maybe ''), the rest counted as dropped. */
  admitDelta(itemId: string, delta: string): string {
    const used = this.#perItem.get(itemId) ?? 0;
    const room = Math.max(0, Math.min(this.#limits.maxTranscriptItemChars - used, this.#limits.maxTranscriptCallChars - this.#callChars));
    const kept = cut(delta, room);
    this.dropped += delta.length - kept.length;
    this.#set(itemId, used + kept.length);
    this.#callChars += kept.length;
    return kept;
  }

  /** The final text of an item, cut to what fits; it replaces the item's deltas in the call's count. */
  admitFinal(itemId: string, text: string): string {
    const used = this.#perItem.get(itemId) ?? 0;
    const room = Math.max(0, Math.min(this.#limits.maxTranscriptItemChars, this.#limits.maxTranscriptCallChars - this.#callChars + used));
    const kept = cut(text, room);
    this.dropped += text.length - kept.length;
    this.#callChars += kept.length - used;
    this.#set(itemId, kept.length);
    return kept;
  }

  #set(itemId: string, chars: number): void {
    if (!this.#perItem.has(itemId) && this.#perItem.size >= MAX_ITEMS_TRACKED) {
      const oldest = this.#perItem.keys().next().value;
      if (oldest !== undefined) this.#perItem.delete(oldest);
    }
    this.#perItem.set(itemId, chars);
  }
}

/** The first `max` UTF-16 units, never ending on half a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}
