/**
 * What is live on the current GA session: the response in progress, whether the caller is speaking,
 * which responses we cancelled (their late deltas are dropped) and how much audio each agent item
 * delivered (the upper bound for a truncate). Bounded, pure bookkeeping, shared by both providers.
 */
import { audioMs } from '../audio-format.js';
import type { RealtimeAudioFormat } from '../backend.js';

/** Cancelled response ids remembered for dropping late deltas. */
const MAX_CANCELLED_REMEMBERED = 32;
/** Agent items whose received audio length we remember for clamping truncates. */
const MAX_ITEMS_REMEMBERED = 64;

export class TurnState {
  activeResponseId: string | undefined;
  speaking = false;
  readonly #cancelled = new Set<string>();
  readonly #itemAudioBytes = new Map<string, number>();
  /** Output items the service announced (response.output_item.added): only their audio is played. */
  readonly #announced = new Set<string>();

  /** No response in progress and no caller speech: a safe moment to swap sessions. */
  get quiet(): boolean {
    return this.activeResponseId === undefined && !this.speaking;
  }

  isCancelled(responseId: string): boolean {
    return this.#cancelled.has(responseId);
  }

  /**
   * Marks `responseId` (default: the live response) cancelled, once. Returns the id to send a
   * `response.cancel` for: only the live response can be cancelled (cancelling a finished one is a
   * provider error), and never twice, whoever asks first.
   */
  cancel(responseId?: string): string | undefined {
    const id = responseId ?? this.activeResponseId;
    if (id === undefined || this.#cancelled.has(id)) return undefined;
    this.#cancelled.add(id);
    if (this.#cancelled.size > MAX_CANCELLED_REMEMBERED) evictOldest(this.#cancelled);
    return id === this.activeResponseId ? id : undefined;
  }

  /** response.output_item.added: audio deltas for this item may follow. */
  announceItem(itemId: string): void {
    if (this.#announced.has(itemId)) return;
    if (this.#announced.size >= MAX_ITEMS_REMEMBERED) evictOldest(this.#announced);
    this.#announced.add(itemId);
  }

  /** False for an item never announced on this session: its audio is dropped, not played. */
  isAnnounced(itemId: string): boolean {
    return this.#announced.has(itemId);
  }

  addItemAudio(itemId: string, bytes: number): void {
    const prev = this.#itemAudioBytes.get(itemId);
    if (prev === undefined && this.#itemAudioBytes.size >= MAX_ITEMS_REMEMBERED) evictOldest(this.#itemAudioBytes);
    this.#itemAudioBytes.set(itemId, (prev ?? 0) + bytes);
  }

  /** undefined for items not delivered on this session. */
  itemAudioBytes(itemId: string): number | undefined {
    return this.#itemAudioBytes.get(itemId);
  }

  /**
   * The `audio_end_ms` to truncate `itemId` at, for `playedMs` of it heard: whole ms, never negative,
   * never beyond the audio received (the provider rejects that, and the player may overestimate).
   * undefined for an item not delivered on this session (e.g. from before a reconnect).
   */
  truncateMs(itemId: string, playedMs: number, format: RealtimeAudioFormat): number | undefined {
    const received = this.#itemAudioBytes.get(itemId);
    if (received === undefined) return undefined;
    const maxMs = Math.floor(audioMs(format, received));
    const played = Number.isFinite(playedMs) ? playedMs : 0;
    return Math.min(maxMs, Math.max(0, Math.floor(played)));
  }

  responseDone(responseId: string): void {
    if (this.activeResponseId === responseId) this.activeResponseId = undefined;
  }

  /**
   * The session is being replaced: nothing of it stays live. Returns the response that was still
   * streaming (and not cancelled by us), which the caller must report as ended.
   */
  reset(): string | undefined {
    const id = this.activeResponseId;
    this.activeResponseId = undefined;
    this.speaking = false;
    this.#itemAudioBytes.clear();
    this.#announced.clear();
    return id !== undefined && !this.#cancelled.has(id) ? id : undefined;
  }
}

/** Sets and Maps iterate in insertion order: the first key is the oldest. */
function evictOldest(c: Set<string> | Map<string, number>): void {
  const oldest = c.keys().next().value;
  if (oldest !== undefined) c.delete(oldest);
}
