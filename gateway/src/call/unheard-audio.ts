import type { Logger } from '../log.js';
import type { RealtimeBackend } from '../realtime/backend.js';

/** Responses whose audio items are remembered (a barge-in concerns the last one or two). */
const MAX_RESPONSES = 8;
/** Audio items remembered per response (newer models send a few; more is a runaway stream). */
const MAX_ITEMS = 16;

interface ResponseItems {
  /** Audio items in the order their audio arrived (= output order). */
  items: string[];
  done: boolean;
  /** Set by a barge-in: the item the caller was hearing and how much of it (null: none of the response was heard). */
  cut?: { itemId: string; heardMs: number } | null;
}

/**
 * After a barge-in the model's conversation must hold only what the caller heard. A response may
 * carry several audio items (newer models send them one after the other, all faster than real time):
 * the item on the wire is truncated at what was sent as RTP (the media bridge does that at once);
 * the items after it were received but never played, and an item cut before its first packet was not
 * heard either: those are deleted (`conversation.item.delete`). Not truncated at 0: the service
 * refuses a truncate of an item it holds no audio for ("Only model output audio messages can be
 * truncated"), while delete works for any item it holds (docs/realtime-facts.md). The deletes wait
 * for the response's response.done, so items still streaming when the caller spoke are included.
 */
export class UnheardAudio {
  readonly #backend: RealtimeBackend;
  readonly #onNotHeard: (itemId: string) => void;
  readonly #log: Logger;
  readonly #responses = new Map<string, ResponseItems>();
  /** Items deleted because the caller never heard them. */
  deleted = 0;

  constructor(backend: RealtimeBackend, onNotHeard: (itemId: string) => void, log: Logger) {
    this.#backend = backend;
    this.#onNotHeard = onNotHeard;
    this.#log = log;
    backend.on('audio', ({ responseId, itemId }) => {
      const r = this.#response(responseId);
      if (r.items[r.items.length - 1] !== itemId && !r.items.includes(itemId) && r.items.length < MAX_ITEMS) r.items.push(itemId);
    });
    backend.on('responseDone', ({ responseId }) => {
      const r = this.#responses.get(responseId);
      if (r === undefined) return;
      r.done = true;
      if (r.cut !== undefined) this.#deleteUnheard(responseId, r);
    });
  }

  /**
   * The caller talked over `responseId` while hearing `heard.itemId`, of which `heard.heardMs` had
   * been sent; `heard` null: the response was queued behind the one playing and none of it was heard.
   */
  cut(responseId: string, heard: { itemId: string; heardMs: number } | null): void {
    const r = this.#response(responseId);
    if (r.cut !== undefined) return;
    r.cut = heard;
    if (r.done) this.#deleteUnheard(responseId, r);
  }

  #deleteUnheard(responseId: string, r: ResponseItems): void {
    const cut = r.cut;
    if (cut === undefined) return;
    const at = cut === null ? 0 : r.items.indexOf(cut.itemId);
    // Items before the one on the wire were played in full; it was heard only if some of it was sent.
    const unheard = at < 0 ? [] : r.items.slice(cut !== null && cut.heardMs > 0 ? at + 1 : at);
    this.#responses.delete(responseId);
    if (unheard.length === 0) return;
    this.#log.info({ responseId, items: unheard }, 'barge-in: deleting agent audio items the caller never heard');
    for (const itemId of unheard) {
      this.deleted++;
      this.#backend.deleteItem(itemId);
      this.#onNotHeard(itemId);
    }
  }

  #response(responseId: string): ResponseItems {
    let r = this.#responses.get(responseId);
    if (r === undefined) {
      r = { items: [], done: false };
      this.#responses.set(responseId, r);
      if (this.#responses.size > MAX_RESPONSES) {
        const oldest = this.#responses.keys().next().value;
        if (oldest !== undefined) this.#responses.delete(oldest);
      }
    }
    return r;
  }
}
