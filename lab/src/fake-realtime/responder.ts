/**
 * The fake "model" answering: one response at a time, streamed from the script. Audio deltas go out
 * every chunkMs/speed ms (faster than real time, like the service), the transcript in step with them;
 * a cancel stops the stream (after any scripted in-flight deltas) and closes the response as the
 * service does. A response may carry several audio items (one after the other, output_index 0..n),
 * a tool call after its speech, or end `failed`/`incomplete`. Function-call responses stream the
 * arguments; `response.done` follows `functionCallDoneDelayMs` later (never in the same block), and
 * `rate_limits.updated` follows `response.created`, at the start of each response, as the service
 * sends it.
 */
import type { ConversationItem, RealtimeAudioFormats, RealtimeResponse, RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import type { TimerId } from 'connect-realtime-gateway';
import { formatBytesPerMs } from './audio.js';
import {
  DEFAULT_CHUNK_MS,
  DEFAULT_FUNCTION_CALL_DONE_DELAY_MS,
  DEFAULT_RESPONSE_DELAY_MS,
  DEFAULT_SPEED,
  type FakeFunctionCall,
  type FakeResponseFailure,
  type FakeScript,
} from './script.js';
import type { AudioBank, PlannedResponse, ScriptCursor } from './turns.js';
import { formatOf, toWireItem, toWireResponse, type FakeItem } from './wire.js';

export interface DeltaRecord {
  t: number;
  responseId: string;
  itemId: string;
  bytes: number;
  ms: number;
  /** Sent after a cancel (an in-flight delta). */
  late: boolean;
}

export interface ResponseRecord {
  id: string;
  turnNumber: number;
  kind: PlannedResponse['kind'];
  startedAt: number;
  doneAt?: number;
  status?: 'completed' | 'cancelled' | 'failed' | 'incomplete';
  /** Every output item's id, in output_index order. */
  itemIds: string[];
  itemId?: string;
  /** For a function-call response: the turn's speech comes in the next response. */
  speechFollows?: boolean;
}

export type CancelReason = 'turn_detected' | 'client_cancelled';

/** What the responder needs from its session. */
export interface ResponderHost {
  readonly index: number;
  readonly script: FakeScript;
  readonly cursor: ScriptCursor;
  readonly bank: AudioBank;
  send(event: RealtimeServerEvent): void;
  eventId(): string;
  newId(prefix: 'item' | 'resp' | 'call'): string;
  t(): number;
  after(ms: number, fn: () => void): TimerId;
  clear(id: TimerId): void;
  /** Adds the item to the conversation; returns the id of the item before it. */
  addItem(item: FakeItem): string | null;
  outputAudio(): { format: RealtimeAudioFormats; voice: string };
  /** Scripted mid-turn drop. */
  drop(): void;
  /** Scripted error after a turn. */
  injectError(code: string, message: string): void;
  /** After every response.done. */
  responseDone(record: ResponseRecord): void;
}

/** One audio item of the streaming response. */
interface AudioPart {
  chunks: Uint8Array[];
  words: string[];
}

interface Streaming {
  record: ResponseRecord;
  /** The audio items still to play; parts[0] is the item streaming now. */
  parts: AudioPart[];
  item: FakeItem;
  outputIndex: number;
  chunks: Uint8Array[];
  next: number;
  words: string[];
  wordsSent: number;
  /** Output items finished so far (for response.done's output list). */
  output: ConversationItem[];
  dropAfterChunk: number | undefined;
  /** The scripted failure and how many deltas (of the whole response) go out before it. */
  fail: FakeResponseFailure | undefined;
  deltasSent: number;
  timer: TimerId | undefined;
  /** A tool call that follows the speech in the same response. */
  afterCall: FakeFunctionCall | undefined;
}

export class Responder {
  readonly responses: ResponseRecord[] = [];
  readonly deltas: DeltaRecord[] = [];
  readonly #h: ResponderHost;
  #streaming: Streaming | undefined;
  #pending: TimerId | undefined;
  /** A function-call response between its arguments and its response.done (still active). */
  #closing: { record: ResponseRecord; output: ConversationItem[]; timer: TimerId } | undefined;

  constructor(host: ResponderHost) {
    this.#h = host;
  }

  /** A response is scheduled, streaming or not yet done. */
  get busy(): boolean {
    return this.#streaming !== undefined || this.#pending !== undefined || this.#closing !== undefined;
  }

  get activeResponseId(): string | undefined {
    return this.#streaming?.record.id ?? this.#closing?.record.id;
  }

  /** Starts the next scripted response after the scripted delay. */
  schedule(): void {
    if (this.busy) return;
    const delay = this.#h.script.responseDelayMs ?? DEFAULT_RESPONSE_DELAY_MS;
    this.#pending = this.#h.after(delay, () => {
      this.#pending = undefined;
      this.#start(this.#h.cursor.take());
    });
  }

  /** False when nothing is active. */
  cancel(reason: CancelReason): boolean {
    const closing = this.#closing;
    if (closing !== undefined) {
      // Its items are complete; only the response is still open.
      this.#h.clear(closing.timer);
      this.#closing = undefined;
      this.#complete(closing.record, 'cancelled', closing.output, { type: 'cancelled', reason });
      return true;
    }
    const s = this.#streaming;
    if (s === undefined) return false;
    this.#stopTimer(s);
    const late = this.#h.script.lateDeltasAfterCancel ?? 0;
    for (let i = 0; i < late && s.next < s.chunks.length; i++) this.#sendChunk(s, true);
    this.#endResponse(s, 'cancelled', { type: 'cancelled', reason });
    return true;
  }

  /** Socket gone: forget timers (the host clears the clock's). */
  stop(): void {
    this.#pending = undefined;
    this.#closing = undefined;
    if (this.#streaming !== undefined) this.#streaming.timer = undefined;
  }

  #start(plan: PlannedResponse): void {
    const h = this.#h;
    const record: ResponseRecord = { id: h.newId('resp'), turnNumber: plan.turnNumber, kind: plan.kind, startedAt: h.t(), itemIds: [] };
    if (plan.kind === 'function') record.speechFollows = plan.turn.audio !== undefined || plan.turn.transcript !== undefined;
    this.responses.push(record);
    h.send({ type: 'response.created', event_id: h.eventId(), response: this.#wireResponse(record.id, 'in_progress', []) });
    this.#sendRateLimits();
    if (plan.kind === 'function') {
      const args = typeof plan.call.arguments === 'string' ? plan.call.arguments : JSON.stringify(plan.call.arguments);
      const wire = this.#emitFunctionCall(record, plan.call.name, args, plan.call.callId ?? h.newId('call'), 0);
      this.#closeAfterCall(record, [wire]);
      return;
    }
    const parts: AudioPart[] = [];
    if (plan.kind === 'speech') {
      const format = formatOf(h.outputAudio().format);
      parts.push({ chunks: h.bank.chunks(plan.scriptIndex, format), words: splitWords(plan.turn.transcript ?? '') });
      (plan.turn.moreItems ?? []).forEach((extra, i) => parts.push({ chunks: h.bank.chunks(plan.scriptIndex, format, i + 1), words: splitWords(extra.transcript ?? '') }));
    } else {
      parts.push({ chunks: [], words: [] });
    }
    const total = parts.reduce((n, p) => n + p.chunks.length, 0);
    const drop = h.script.failures?.drops?.find((d) => d.duringTurn === plan.turnNumber && (d.session ?? 0) === h.index);
    const first = parts[0]!;
    const s: Streaming = {
      record,
      parts,
      item: this.#openItem(record, 0),
      outputIndex: 0,
      chunks: first.chunks,
      next: 0,
      words: first.words,
      wordsSent: 0,
      output: [],
      dropAfterChunk: drop === undefined ? undefined : Math.max(1, Math.floor(total / 2)),
      fail: plan.kind === 'speech' ? plan.fail : undefined,
      deltasSent: 0,
      timer: undefined,
      afterCall: plan.kind === 'speech' ? plan.turn.functionCallAfterSpeech : undefined,
    };
    this.#streaming = s;
    this.#tick();
  }

  /** output_item.added, conversation.item.added and content_part.added of a new audio item. */
  #openItem(record: ResponseRecord, outputIndex: number): FakeItem {
    const h = this.#h;
    const format = formatOf(h.outputAudio().format);
    const item: FakeItem = { id: h.newId('item'), type: 'message', role: 'assistant', status: 'in_progress', text: '', hasAudio: true, audioFormat: format, audioSentBytes: 0 };
    if (outputIndex === 0) record.itemId = item.id;
    record.itemIds.push(item.id);
    const previous = h.addItem(item);
    h.send({ type: 'response.output_item.added', event_id: h.eventId(), response_id: record.id, output_index: outputIndex, item: toWireItem(item) });
    h.send({ type: 'conversation.item.added', event_id: h.eventId(), item: toWireItem(item), previous_item_id: previous });
    h.send({ type: 'response.content_part.added', event_id: h.eventId(), response_id: record.id, item_id: item.id, output_index: outputIndex, content_index: 0, part: { type: 'audio', transcript: '' } });
    return item;
  }

  #tick(): void {
    const s = this.#streaming;
    if (s === undefined) return;
    s.timer = undefined;
    if (s.fail !== undefined && s.deltasSent >= (s.fail.afterChunks ?? 0)) {
      const f = s.fail;
      this.#endResponse(
        s,
        f.status,
        f.status === 'failed'
          ? { type: 'failed', error: { type: 'server_error', code: f.code ?? 'server_error', message: f.message ?? 'The server had an error while processing your request.' } }
          : { type: 'incomplete', reason: f.reason ?? 'max_output_tokens' },
      );
      return;
    }
    if (s.next >= s.chunks.length) {
      if (!this.#nextItem(s)) {
        this.#endResponse(s, 'completed');
        return;
      }
    }
    if (s.next < s.chunks.length) this.#sendChunk(s, false);
    if (s.deltasSent === s.dropAfterChunk) {
      this.#h.drop();
      return;
    }
    const interval = (this.#h.script.chunkMs ?? DEFAULT_CHUNK_MS) / (this.#h.script.speed ?? DEFAULT_SPEED);
    s.timer = this.#h.after(interval, () => this.#tick());
  }

  /** Closes the current audio item and opens the next one; false when there is none. */
  #nextItem(s: Streaming): boolean {
    const next = s.parts[1];
    if (next === undefined) return false;
    this.#closeItem(s, 'completed');
    s.parts.shift();
    s.outputIndex++;
    s.item = this.#openItem(s.record, s.outputIndex);
    s.chunks = next.chunks;
    s.next = 0;
    s.words = next.words;
    s.wordsSent = 0;
    return true;
  }

  #sendChunk(s: Streaming, late: boolean): void {
    const chunk = s.chunks[s.next++];
    if (chunk === undefined) return;
    const h = this.#h;
    const item = s.item;
    const content = { response_id: s.record.id, item_id: item.id, output_index: s.outputIndex, content_index: 0 };
    h.send({ type: 'response.output_audio.delta', event_id: h.eventId(), ...content, delta: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64') });
    item.audioSentBytes += chunk.length;
    s.deltasSent++;
    this.deltas.push({ t: h.t(), responseId: s.record.id, itemId: item.id, bytes: chunk.length, ms: chunk.length / formatBytesPerMs(item.audioFormat ?? 'pcm16'), late });
    // The transcript keeps pace with the audio: the share of words matching the share of chunks sent.
    const upTo = Math.round((s.words.length * s.next) / Math.max(1, s.chunks.length));
    if (upTo > s.wordsSent) this.#sendWords(s, upTo);
  }

  #sendWords(s: Streaming, upTo: number): void {
    const delta = s.words.slice(s.wordsSent, upTo).join('');
    s.wordsSent = upTo;
    s.item.text += delta;
    this.#h.send({ type: 'response.output_audio_transcript.delta', event_id: this.#h.eventId(), response_id: s.record.id, item_id: s.item.id, output_index: s.outputIndex, content_index: 0, delta });
  }

  /** The …done events of the current audio item. */
  #closeItem(s: Streaming, status: 'completed' | 'incomplete'): void {
    const h = this.#h;
    const item = s.item;
    if (status === 'completed' && s.wordsSent < s.words.length) this.#sendWords(s, s.words.length);
    item.status = status;
    const content = { response_id: s.record.id, item_id: item.id, output_index: s.outputIndex, content_index: 0 };
    h.send({ type: 'response.output_audio_transcript.done', event_id: h.eventId(), ...content, transcript: item.text });
    h.send({ type: 'response.output_audio.done', event_id: h.eventId(), ...content });
    h.send({ type: 'response.content_part.done', event_id: h.eventId(), ...content, part: { type: 'audio', transcript: item.text } });
    const wire = toWireItem(item);
    h.send({ type: 'response.output_item.done', event_id: h.eventId(), response_id: s.record.id, output_index: s.outputIndex, item: wire });
    h.send({ type: 'conversation.item.done', event_id: h.eventId(), item: wire });
    s.output.push(wire);
  }

  #endResponse(s: Streaming, status: 'completed' | 'cancelled' | 'failed' | 'incomplete', details?: StatusDetails): void {
    if (this.#streaming !== s) return;
    this.#streaming = undefined;
    this.#stopTimer(s);
    this.#closeItem(s, status === 'completed' ? 'completed' : 'incomplete');
    if (status === 'completed' && s.afterCall !== undefined) {
      const call = s.afterCall;
      const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
      s.output.push(this.#emitFunctionCall(s.record, call.name, args, call.callId ?? this.#h.newId('call'), s.outputIndex + 1));
      this.#closeAfterCall(s.record, s.output);
      return;
    }
    this.#complete(s.record, status, s.output, details);
  }

  /** The response stays active for functionCallDoneDelayMs after the arguments, then is done. */
  #closeAfterCall(record: ResponseRecord, output: ConversationItem[]): void {
    const delay = this.#h.script.functionCallDoneDelayMs ?? DEFAULT_FUNCTION_CALL_DONE_DELAY_MS;
    const timer = this.#h.after(delay, () => {
      this.#closing = undefined;
      this.#complete(record, 'completed', output);
    });
    this.#closing = { record, output, timer };
  }

  /** The events of one function_call output item; returns it for response.done's output list. */
  #emitFunctionCall(record: ResponseRecord, name: string, args: string, callId: string, outputIndex: number): ConversationItem {
    const h = this.#h;
    const item: FakeItem = { id: h.newId('item'), type: 'function_call', status: 'in_progress', text: '', hasAudio: false, audioSentBytes: 0, callId, name, arguments: '' };
    if (outputIndex === 0) record.itemId = item.id;
    record.itemIds.push(item.id);
    const previous = h.addItem(item);
    const ids = { response_id: record.id, item_id: item.id, output_index: outputIndex, call_id: callId };
    h.send({ type: 'response.output_item.added', event_id: h.eventId(), response_id: record.id, output_index: outputIndex, item: toWireItem(item) });
    h.send({ type: 'conversation.item.added', event_id: h.eventId(), item: toWireItem(item), previous_item_id: previous });
    const half = Math.ceil(args.length / 2);
    for (const piece of [args.slice(0, half), args.slice(half)]) {
      if (piece.length > 0) h.send({ type: 'response.function_call_arguments.delta', event_id: h.eventId(), ...ids, delta: piece });
    }
    item.arguments = args;
    item.status = 'completed';
    h.send({ type: 'response.function_call_arguments.done', event_id: h.eventId(), ...ids, name, arguments: args });
    const wire = toWireItem(item);
    h.send({ type: 'response.output_item.done', event_id: h.eventId(), response_id: record.id, output_index: outputIndex, item: wire });
    h.send({ type: 'conversation.item.done', event_id: h.eventId(), item: wire });
    return wire;
  }

  #complete(record: ResponseRecord, status: 'completed' | 'cancelled' | 'failed' | 'incomplete', output: ConversationItem[], details?: StatusDetails): void {
    const h = this.#h;
    record.doneAt = h.t();
    record.status = status;
    const response = this.#wireResponse(record.id, status, output);
    if (details !== undefined) response.status_details = details;
    h.send({ type: 'response.done', event_id: h.eventId(), response });
    h.responseDone(record);
    // "after turn N" = after the response that finishes turn N (not a function call whose speech follows).
    if (record.speechFollows === true) return;
    for (const e of h.script.failures?.errors ?? []) {
      if ((e.session ?? 0) === h.index && e.afterTurn === record.turnNumber) h.injectError(e.code ?? 'server_error', e.message ?? 'Injected error');
    }
  }

  /** At the start of a response the service reserves its output tokens and reports the limits. */
  #sendRateLimits(): void {
    const h = this.#h;
    const n = this.responses.length;
    h.send({
      type: 'rate_limits.updated',
      event_id: h.eventId(),
      rate_limits: [
        { name: 'requests', limit: 1000, remaining: 1000 - n, reset_seconds: 60 },
        { name: 'tokens', limit: 100_000, remaining: 100_000 - 250 * n - 4096, reset_seconds: 6 },
      ],
    });
  }

  #wireResponse(id: string, status: NonNullable<RealtimeResponse['status']>, output: ConversationItem[]) {
    return toWireResponse(id, status, output, this.#h.outputAudio(), `conv_fake${this.#h.index}`);
  }

  #stopTimer(s: Streaming): void {
    if (s.timer !== undefined) this.#h.clear(s.timer);
    s.timer = undefined;
  }
}

type StatusDetails = NonNullable<RealtimeResponse['status_details']>;

/** Split after spaces so the deltas concatenate back to the transcript exactly. */
function splitWords(text: string): string[] {
  return text.length > 0 ? text.split(/(?<= )/) : [];
}
