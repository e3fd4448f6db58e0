/**
 * Out-of-band responses (`response.create` with `response.conversation: "none"`), as the service
 * answers them (docs/realtime-facts.md fact 10): the response is generated from the conversation so
 * far but adds nothing to it — no `conversation.item.added`/`done`, the conversation holds no new
 * item — its `conversation_id` is not set, its `metadata` is echoed in `response.created` and
 * `response.done`, and with `output_modalities: ["text"]` it streams `response.output_text.delta`/
 * `done` and carries the text in `response.done`'s output. The fake answers with the script's
 * `outOfBandAnswer` (a string, or an object sent as JSON). It is a response like any other for the
 * one-response-at-a-time rule: the session refuses a `response.create` while one is active, and
 * an out-of-band one while any response is active.
 */
import type { ConversationItem, RealtimeResponse, RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import type { TimerId } from 'connect-realtime-gateway';
import { DEFAULT_RESPONSE_DELAY_MS, type FakeScript } from './script.js';

/** The answer of an unscripted out-of-band question: plain prose, as a model might give. */
export const UNSCRIPTED_OUT_OF_BAND_ANSWER = 'I cannot tell from this conversation.';

export interface OutOfBandRecord {
  id: string;
  t: number;
  instructions: string;
  metadata: Record<string, string> | undefined;
  modalities: Array<'text' | 'audio'>;
  text: string;
  doneAt?: number;
}

export interface OutOfBandHost {
  readonly script: FakeScript;
  send(event: RealtimeServerEvent): void;
  eventId(): string;
  newId(prefix: 'item' | 'resp'): string;
  t(): number;
  after(ms: number, fn: () => void): TimerId;
}

export class OutOfBandResponder {
  readonly records: OutOfBandRecord[] = [];
  readonly #h: OutOfBandHost;
  #active: OutOfBandRecord | undefined;
  #pending = false;

  constructor(host: OutOfBandHost) {
    this.#h = host;
  }

  get busy(): boolean {
    return this.#pending || this.#active !== undefined;
  }

  get activeResponseId(): string | undefined {
    return this.#active?.id;
  }

  /** A `conversation: "none"` response.create the session accepted. */
  start(request: { instructions?: string; metadata?: Record<string, string> | null; output_modalities?: Array<'text' | 'audio'> }): void {
    const h = this.#h;
    this.#pending = true;
    h.after(h.script.outOfBandDelayMs ?? h.script.responseDelayMs ?? DEFAULT_RESPONSE_DELAY_MS, () => {
      this.#pending = false;
      const scripted = h.script.outOfBandAnswer;
      const text = scripted === undefined ? UNSCRIPTED_OUT_OF_BAND_ANSWER : typeof scripted === 'string' ? scripted : JSON.stringify(scripted);
      const record: OutOfBandRecord = {
        id: h.newId('resp'),
        t: h.t(),
        instructions: request.instructions ?? '',
        metadata: request.metadata ?? undefined,
        modalities: request.output_modalities ?? ['audio'],
        text,
      };
      this.records.push(record);
      this.#active = record;
      h.send({ type: 'response.created', event_id: h.eventId(), response: this.#wire(record, 'in_progress', []) });
      // Text only: the fake does not synthesise speech for a question it was not scripted to speak.
      const itemId = h.newId('item');
      const ids = { response_id: record.id, item_id: itemId, output_index: 0, content_index: 0 };
      const item = (status: 'in_progress' | 'completed', content: Array<{ type: 'output_text'; text: string }>): ConversationItem => ({
        id: itemId,
        object: 'realtime.item',
        type: 'message',
        role: 'assistant',
        status,
        content,
      });
      h.send({ type: 'response.output_item.added', event_id: h.eventId(), response_id: record.id, output_index: 0, item: item('in_progress', []) });
      h.send({ type: 'response.content_part.added', event_id: h.eventId(), ...ids, part: { type: 'text', text: '' } });
      h.send({ type: 'response.output_text.delta', event_id: h.eventId(), ...ids, delta: text });
      h.send({ type: 'response.output_text.done', event_id: h.eventId(), ...ids, text });
      h.send({ type: 'response.content_part.done', event_id: h.eventId(), ...ids, part: { type: 'text', text } });
      const done = item('completed', [{ type: 'output_text', text }]);
      h.send({ type: 'response.output_item.done', event_id: h.eventId(), response_id: record.id, output_index: 0, item: done });
      record.doneAt = h.t();
      this.#active = undefined;
      h.send({ type: 'response.done', event_id: h.eventId(), response: this.#wire(record, 'completed', [done]) });
    });
  }

  #wire(record: OutOfBandRecord, status: NonNullable<RealtimeResponse['status']>, output: ConversationItem[]): RealtimeResponse {
    return {
      id: record.id,
      object: 'realtime.response',
      status,
      output,
      output_modalities: record.modalities,
      ...(record.metadata === undefined ? {} : { metadata: record.metadata }),
      ...(status === 'in_progress' ? {} : { usage: { total_tokens: 180, input_tokens: 150, output_tokens: 30 } }),
    };
  }
}
