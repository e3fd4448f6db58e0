/**
 * What a renewed session is told of the conversation so far: the SDK session's history as text
 * messages (the caller's words as transcribed, the agent's as its transcript), newest kept when it is
 * long. Audio cannot be carried over; tool calls and their outputs are already reflected in what the
 * agent said. Bounded in items and characters so a long call cannot flood the new session.
 */
import type { RealtimeItem } from '@openai/agents-realtime';
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';

export const MAX_CARRIED_ITEMS = 60;
export const MAX_CARRIED_CHARS = 24_000;
const MAX_ITEM_CHARS = 4_000;

function messageText(item: RealtimeItem): { role: 'user' | 'assistant'; text: string } | undefined {
  if (item.type !== 'message' || (item.role !== 'user' && item.role !== 'assistant')) return undefined;
  const parts: string[] = [];
  for (const c of item.content) {
    if ((c.type === 'input_text' || c.type === 'output_text') && typeof c.text === 'string') parts.push(c.text);
    else if ((c.type === 'input_audio' || c.type === 'output_audio') && typeof c.transcript === 'string') parts.push(c.transcript);
  }
  const text = parts.join(' ').trim();
  return text.length === 0 ? undefined : { role: item.role, text: text.slice(0, MAX_ITEM_CHARS) };
}

/** conversation.item.create events for a new session, oldest first. */
export function carryOverEvents(history: readonly RealtimeItem[]): RealtimeClientEvent[] {
  const kept: Array<{ role: 'user' | 'assistant'; text: string }> = [];
  let chars = 0;
  for (let i = history.length - 1; i >= 0 && kept.length < MAX_CARRIED_ITEMS; i--) {
    const m = messageText(history[i] as RealtimeItem);
    if (m === undefined) continue;
    if (chars + m.text.length > MAX_CARRIED_CHARS) break;
    chars += m.text.length;
    kept.push(m);
  }
  return kept.reverse().map((m) => ({
    type: 'conversation.item.create',
    item: m.role === 'user' ? { type: 'message', role: 'user', content: [{ type: 'input_text', text: m.text }] } : { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: m.text }] },
  }));
}
