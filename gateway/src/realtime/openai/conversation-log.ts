/**
 * What a fresh session needs to continue the conversation after a reconnect or renewal: the items in
 * server order, as text. Audio cannot be replayed, so caller turns are kept as their transcription
 * (turns without one are skipped) and agent turns as their audio transcript, cut at the truncation
 * point. Function calls and their outputs are kept verbatim so tool state survives.
 *
 * Order comes from the server: an entry is created the first time an item id is seen
 * (conversation.item.added or response.output_item.added) and filled in later (transcripts arrive after
 * the item). Pure bookkeeping, no I/O.
 */
import type { ConversationItem, ConversationItemCreateEvent } from 'openai/resources/realtime/realtime';
import type { ConversationObserver } from '../ga/event-router.js';
import type { WireItem } from '../ga/server-events.js';

export type ConversationEntry =
  | { kind: 'message'; id: string; role: 'user' | 'assistant' | 'system'; text: string }
  | { kind: 'function_call'; id: string; callId: string; name: string; arguments: string }
  | { kind: 'function_call_output'; id: string; callId: string; output: string };

function textOf(item: WireItem): string {
  let text = '';
  for (const part of item.content ?? []) text += part.text ?? part.transcript ?? '';
  return text;
}

/** Keeps whole words: cutting mid-word would hand the model a fragment it never said. */
export function cutTextAtRatio(text: string, ratio: number): string {
  if (ratio >= 1) return text;
  if (ratio <= 0) return '';
  const cut = Math.floor(text.length * ratio);
  if (cut >= text.length) return text;
  const boundary = text.lastIndexOf(' ', cut);
  return (boundary > 0 ? text.slice(0, boundary) : text.slice(0, cut)).trimEnd();
}

export class ConversationLog implements ConversationObserver {
  readonly #maxItems: number;
  #entries: ConversationEntry[] = [];
  #byId = new Map<string, ConversationEntry>();

  constructor(maxItems: number) {
    this.#maxItems = maxItems;
  }

  get entries(): readonly ConversationEntry[] {
    return this.#entries;
  }

  /** From conversation.item.added/done and response.output_item.added/done: create or fill in. */
  noteItem(item: WireItem): void {
    if (item.id === undefined) return;
    const existing = this.#byId.get(item.id);
    if (existing !== undefined) {
      this.#fill(existing, item);
      return;
    }
    const entry = this.#fromWire(item.id, item);
    if (entry !== undefined) this.#push(entry);
  }

  /** Our own items (function outputs, user text): recorded when sent, id chosen by us. */
  addLocal(entry: ConversationEntry): void {
    if (!this.#byId.has(entry.id)) this.#push(entry);
  }

  /** Transcript delta of an agent item (kept so a cancelled response still leaves what was said). */
  appendText(itemId: string, delta: string): void {
    const e = this.#byId.get(itemId);
    if (e?.kind === 'message') e.text += delta;
  }

  /** Final transcript (agent audio transcript done, or caller transcription completed). */
  setText(itemId: string, text: string, role: 'user' | 'assistant'): void {
    const e = this.#byId.get(itemId);
    if (e === undefined) {
      this.#push({ kind: 'message', id: itemId, role, text });
    } else if (e.kind === 'message') {
      e.text = text;
    }
  }

  /**
   * The provider drops the unheard part of a truncated item's transcript. We do not know which words
   * were heard, only how much audio: keep the same fraction of the text, at a word boundary.
   */
  truncate(itemId: string, audioEndMs: number, receivedAudioMs: number): void {
    const e = this.#byId.get(itemId);
    if (e?.kind !== 'message' || receivedAudioMs <= 0) return;
    e.text = cutTextAtRatio(e.text, audioEndMs / receivedAudioMs);
  }

  /** The item was deleted from the conversation (the caller never heard it). */
  remove(itemId: string): void {
    const e = this.#byId.get(itemId);
    if (e === undefined) return;
    this.#byId.delete(itemId);
    this.#entries = this.#entries.filter((x) => x !== e);
  }

  /**
   * The conversation as conversation.item.create events, in order, with fresh ids (the new session
   * has none of the old ones; fresh ids also let us recognise the server's echo of each item).
   */
  replayEvents(newId: () => string): ConversationItemCreateEvent[] {
    const calls = new Set<string>();
    const out: ConversationItemCreateEvent[] = [];
    const kept: ConversationEntry[] = [];
    for (const e of this.#entries) {
      const item = this.#toItem(e, calls);
      if (item === undefined) continue;
      const id = newId();
      this.#byId.delete(e.id);
      e.id = id;
      this.#byId.set(id, e);
      kept.push(e);
      out.push({ type: 'conversation.item.create', item: { ...item, id } });
    }
    this.#entries = kept;
    return out;
  }

  #toItem(e: ConversationEntry, calls: Set<string>): ConversationItem | undefined {
    switch (e.kind) {
      case 'message':
        if (e.text.length === 0) return undefined;
        if (e.role === 'assistant') return { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: e.text }] };
        if (e.role === 'system') return { type: 'message', role: 'system', content: [{ type: 'input_text', text: e.text }] };
        return { type: 'message', role: 'user', content: [{ type: 'input_text', text: e.text }] };
      case 'function_call':
        if (e.callId.length === 0) return undefined; // never completed
        calls.add(e.callId);
        return { type: 'function_call', call_id: e.callId, name: e.name, arguments: e.arguments };
      case 'function_call_output':
        // An output whose call fell off the front of the log would be rejected by the provider.
        if (!calls.has(e.callId)) return undefined;
        return { type: 'function_call_output', call_id: e.callId, output: e.output };
    }
  }

  #fromWire(id: string, item: WireItem): ConversationEntry | undefined {
    switch (item.type) {
      case 'message': {
        const role = item.role === 'assistant' || item.role === 'system' ? item.role : 'user';
        return { kind: 'message', id, role, text: textOf(item) };
      }
      case 'function_call':
        return { kind: 'function_call', id, callId: item.call_id ?? '', name: item.name ?? '', arguments: item.arguments ?? '' };
      case 'function_call_output':
        return { kind: 'function_call_output', id, callId: item.call_id ?? '', output: item.output ?? '' };
      default:
        return undefined; // MCP items are server-side state we cannot recreate.
    }
  }

  #fill(e: ConversationEntry, item: WireItem): void {
    if (e.kind === 'message') {
      const text = textOf(item);
      if (text.length > 0) e.text = text;
    } else if (e.kind === 'function_call') {
      if (item.call_id) e.callId = item.call_id;
      if (item.name) e.name = item.name;
      if (item.arguments) e.arguments = item.arguments;
    } else if (item.output !== undefined) {
      e.output = item.output;
    }
  }

  #push(e: ConversationEntry): void {
    this.#entries.push(e);
    this.#byId.set(e.id, e);
    while (this.#entries.length > this.#maxItems) {
      const dropped = this.#entries.shift();
      if (dropped !== undefined) this.#byId.delete(dropped.id);
    }
  }
}
