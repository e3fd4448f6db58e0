/**
 * Out-of-band questions to the model (GA: `response.create` with `conversation: "none"`, text output):
 * the model answers from the conversation so far, nothing is added to it, nothing is spoken. The
 * gateway uses one at hand-back time for the structured hand-off summary.
 *
 * Such a response is still a response: it takes its turn in the response queue (one at a time, as the
 * lab's fake enforces; docs/realtime-facts.md fact 10), and its events must never reach the call layer
 * as the agent's speech, transcript or a response to recover. This class recognises them by the
 * `metadata` the request carries (echoed in `response.created`/`response.done`), swallows every event
 * of those responses and reads the answer from `response.done`'s output.
 *
 * Bounded: at most MAX_PENDING questions wait at once (more resolve undefined at once), each answer is
 * cut to MAX_ANSWER_CHARS, the ids remembered are capped, and close() settles every waiter.
 */
import { z } from 'zod';
import type { ConsumedServerEvent } from '../ga/server-events.js';

/** The metadata key that marks the gateway's own out-of-band responses. */
export const OUT_OF_BAND_METADATA_KEY = 'gateway_out_of_band';
export const MAX_PENDING = 2;
export const MAX_ANSWER_CHARS = 8_192;
/** Response ids of out-of-band responses remembered (late events of them are swallowed). */
const MAX_REMEMBERED = 16;

export interface OutOfBandRequest {
  instructions: string;
  /** The metadata value naming this question. */
  tag: string;
  maxOutputTokens: number;
}

const outputText = z.array(
  z.looseObject({
    type: z.string().optional(),
    content: z.array(z.looseObject({ type: z.string().optional(), text: z.string().optional() })).optional(),
  }),
);

export class OutOfBandAnswers {
  readonly #waiting = new Map<string, (text: string | undefined) => void>();
  readonly #responseIds: string[] = [];
  #seq = 0;
  #closed = false;

  /** A new question; `send` queues its response.create. Undefined when too many already wait. */
  ask(instructions: string, maxOutputTokens: number, send: (req: OutOfBandRequest) => void): Promise<string | undefined> {
    if (this.#closed || this.#waiting.size >= MAX_PENDING) return Promise.resolve(undefined);
    const tag = `q${++this.#seq}`;
    const answer = new Promise<string | undefined>((resolve) => this.#waiting.set(tag, resolve));
    send({ instructions, tag, maxOutputTokens });
    return answer;
  }

  /**
   * True when `evt` belongs to an out-of-band response (it is consumed here and must not be routed).
   * response.done of one settles its question with the text of its output.
   */
  claim(evt: ConsumedServerEvent): boolean {
    switch (evt.type) {
      case 'response.created': {
        if (tagOf(evt.response) === undefined) return false;
        this.#responseIds.push(evt.response.id);
        if (this.#responseIds.length > MAX_REMEMBERED) this.#responseIds.shift();
        return true;
      }
      case 'response.done': {
        const tag = tagOf(evt.response);
        if (tag === undefined && !this.#responseIds.includes(evt.response.id)) return false;
        const resolve = tag === undefined ? undefined : this.#waiting.get(tag);
        if (tag !== undefined) this.#waiting.delete(tag);
        resolve?.(evt.response.status === 'completed' || evt.response.status === undefined ? textOf(evt.response.output) : undefined);
        return true;
      }
      case 'response.output_item.added':
      case 'response.output_item.done':
      case 'response.output_audio.delta':
      case 'response.output_audio.done':
      case 'response.output_audio_transcript.delta':
      case 'response.output_audio_transcript.done':
      case 'response.output_text.delta':
      case 'response.output_text.done':
      case 'response.function_call_arguments.done':
        return this.#responseIds.includes(evt.response_id);
      default:
        return false;
    }
  }

  /** The session was replaced: questions sent on the old one are not answered there. */
  abandon(): void {
    for (const resolve of this.#waiting.values()) resolve(undefined);
    this.#waiting.clear();
  }

  close(): void {
    this.#closed = true;
    this.abandon();
  }
}

function tagOf(response: { metadata?: Record<string, string> | null | undefined }): string | undefined {
  const tag = response.metadata?.[OUT_OF_BAND_METADATA_KEY];
  return typeof tag === 'string' ? tag : undefined;
}

/** The text parts of a response's output items, joined; undefined when there is none. */
function textOf(output: unknown): string | undefined {
  const parsed = outputText.safeParse(output ?? []);
  if (!parsed.success) return undefined;
  const text = parsed.data
    .flatMap((item) => item.content ?? [])
    .filter((c) => c.type === 'output_text' || c.type === 'text')
    .map((c) => c.text ?? '')
    .join('');
  return text === '' ? undefined : text.slice(0, MAX_ANSWER_CHARS);
}
