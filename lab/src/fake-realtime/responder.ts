/**
 * The fake "model" answering: one response at a time, streamed from the script. Audio deltas go out
 * every chunkMs/speed ms (faster than real time, like the service), the transcript in step with them;
 * a cancel stops the stream (after any scripted in-flight deltas) and closes the response as the
 * service does. Function-call responses stream the arguments and complete at once.
 */
import type { ConversationItem, RealtimeAudioFormats, RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import type { TimerId } from 'connect-realtime-gateway';
import { formatBytesPerMs } from './audio.js';
import { DEFAULT_CHUNK_MS, DEFAULT_RESPONSE_DELAY_MS, DEFAULT_SPEED, type FakeFunctionCall, type FakeScript } from './script.js';
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
  status?: 'completed' | 'cancelled';
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
}

interface Streaming {
  record: ResponseRecord;
  item: FakeItem;
  chunks: Uint8Array[];
  next: number;
  words: string[];
  wordsSent: number;
  dropAfterChunk: number | undefined;
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

  constructor(host: ResponderHost) {
    this.#h = host;
  }

  /** A response is scheduled or streaming. */
  get busy(): boolean {
    return this.#streaming !== undefined || this.#pending !== undefined;
  }

  get activeResponseId(): string | undefined {
    return this.#streaming?.record.id;
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

  /** False when nothing is streaming. */
  cancel(reason: CancelReason): boolean {
    const s = this.#streaming;
    if (s === undefined) return false;
    this.#stopTimer(s);
    const late = this.#h.script.lateDeltasAfterCancel ?? 0;
    for (let i = 0; i < late && s.next < s.chunks.length; i++) this.#sendChunk(s, true);
    this.#finish('cancelled', reason);
    return true;
  }

  /** Socket gone: forget timers (the host clears the clock's). */
  stop(): void {
    this.#pending = undefined;
    if (this.#streaming !== undefined) this.#streaming.timer = undefined;
  }

  #start(plan: PlannedResponse): void {
    const h = this.#h;
    const record: ResponseRecord = { id: h.newId('resp'), turnNumber: plan.turnNumber, kind: plan.kind, startedAt: h.t() };
    if (plan.kind === 'function') record.speechFollows = plan.turn.audio !== undefined || plan.turn.transcript !== undefined;
    this.responses.push(record);
    h.send({ type: 'response.created', event_id: h.eventId(), response: this.#wireResponse(record.id, 'in_progress', []) });
    if (plan.kind === 'function') {
      const args = typeof plan.call.arguments === 'string' ? plan.call.arguments : JSON.stringify(plan.call.arguments);
      this.#playFunctionCall(record, plan.call.name, args, plan.call.callId ?? h.newId('call'));
      return;
    }
    const format = formatOf(h.outputAudio().format);
    const item: FakeItem = { id: h.newId('item'), type: 'message', role: 'assistant', status: 'in_progress', text: '', hasAudio: true, audioFormat: format, audioSentBytes: 0 };
    record.itemId = item.id;
    const previous = h.addItem(item);
    const content = { response_id: record.id, item_id: item.id, output_index: 0, content_index: 0 };
    h.send({ type: 'response.output_item.added', event_id: h.eventId(), response_id: record.id, output_index: 0, item: toWireItem(item) });
    h.send({ type: 'conversation.item.added', event_id: h.eventId(), item: toWireItem(item), previous_item_id: previous });
    h.send({ type: 'response.content_part.added', event_id: h.eventId(), ...content, part: { type: 'audio', transcript: '' } });
    const transcript = plan.kind === 'speech' ? (plan.turn.transcript ?? '') : '';
    const chunks = plan.kind === 'speech' ? h.bank.chunks(plan.scriptIndex, format) : [];
    const drop = h.script.failures?.drops?.find((d) => d.duringTurn === plan.turnNumber && (d.session ?? 0) === h.index);
    this.#streaming = {
      record,
      item,
      chunks,
      next: 0,
      // Split after spaces so the deltas concatenate back to the transcript exactly.
      words: transcript.length > 0 ? transcript.split(/(?<= )/) : [],
      wordsSent: 0,
      dropAfterChunk: drop === undefined ? undefined : Math.max(1, Math.floor(chunks.length / 2)),
      timer: undefined,
      afterCall: plan.kind === 'speech' ? plan.turn.functionCallAfterSpeech : undefined,
    };
    this.#tick();
  }

  #tick(): void {
    const s = this.#streaming;
    if (s === undefined) return;
    s.timer = undefined;
    if (s.next >= s.chunks.length) {
      this.#finish('completed');
      return;
    }
    this.#sendChunk(s, false);
    if (s.next === s.dropAfterChunk) {
      this.#h.drop();
      return;
    }
    const interval = (this.#h.script.chunkMs ?? DEFAULT_CHUNK_MS) / (this.#h.script.speed ?? DEFAULT_SPEED);
    s.timer = this.#h.after(interval, () => this.#tick());
  }

  #sendChunk(s: Streaming, late: boolean): void {
    const chunk = s.chunks[s.next++];
    if (chunk === undefined) return;
    const h = this.#h;
    const item = s.item;
    const content = { response_id: s.record.id, item_id: item.id, output_index: 0, content_index: 0 };
    h.send({ type: 'response.output_audio.delta', event_id: h.eventId(), ...content, delta: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64') });
    item.audioSentBytes += chunk.length;
    this.deltas.push({ t: h.t(), responseId: s.record.id, itemId: item.id, bytes: chunk.length, ms: chunk.length / formatBytesPerMs(item.audioFormat ?? 'pcm16'), late });
    // The transcript keeps pace with the audio: the share of words matching the share of chunks sent.
    const upTo = Math.round((s.words.length * s.next) / Math.max(1, s.chunks.length));
    if (upTo > s.wordsSent) this.#sendWords(s, upTo);
  }

  #sendWords(s: Streaming, upTo: number): void {
    const delta = s.words.slice(s.wordsSent, upTo).join('');
    s.wordsSent = upTo;
    s.item.text += delta;
    this.#h.send({ type: 'response.output_audio_transcript.delta', event_id: this.#h.eventId(), response_id: s.record.id, item_id: s.item.id, output_index: 0, content_index: 0, delta });
  }

  #finish(status: 'completed' | 'cancelled', reason?: CancelReason): void {
    const s = this.#streaming;
    if (s === undefined) return;
    this.#streaming = undefined;
    this.#stopTimer(s);
    const h = this.#h;
    const item = s.item;
    if (status === 'completed' && s.wordsSent < s.words.length) this.#sendWords(s, s.words.length);
    item.status = status === 'completed' ? 'completed' : 'incomplete';
    const content = { response_id: s.record.id, item_id: item.id, output_index: 0, content_index: 0 };
    h.send({ type: 'response.output_audio_transcript.done', event_id: h.eventId(), ...content, transcript: item.text });
    h.send({ type: 'response.output_audio.done', event_id: h.eventId(), ...content });
    h.send({ type: 'response.content_part.done', event_id: h.eventId(), ...content, part: { type: 'audio', transcript: item.text } });
    const wire = toWireItem(item);
    h.send({ type: 'response.output_item.done', event_id: h.eventId(), response_id: s.record.id, output_index: 0, item: wire });
    h.send({ type: 'conversation.item.done', event_id: h.eventId(), item: wire });
    const output = [wire];
    if (status === 'completed' && s.afterCall !== undefined) {
      const call = s.afterCall;
      const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
      output.push(this.#emitFunctionCall(s.record, call.name, args, call.callId ?? h.newId('call'), 1));
    }
    this.#complete(s.record, status, output, reason);
  }

  #playFunctionCall(record: ResponseRecord, name: string, args: string, callId: string): void {
    const wire = this.#emitFunctionCall(record, name, args, callId, 0);
    this.#complete(record, 'completed', [wire]);
  }

  /** The events of one function_call output item; returns it for response.done's output list. */
  #emitFunctionCall(record: ResponseRecord, name: string, args: string, callId: string, outputIndex: number): ConversationItem {
    const h = this.#h;
    const item: FakeItem = { id: h.newId('item'), type: 'function_call', status: 'in_progress', text: '', hasAudio: false, audioSentBytes: 0, callId, name, arguments: '' };
    if (outputIndex === 0) record.itemId = item.id;
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

  #complete(record: ResponseRecord, status: 'completed' | 'cancelled', output: ConversationItem[], reason?: CancelReason): void {
    const h = this.#h;
    record.doneAt = h.t();
    record.status = status;
    const response = this.#wireResponse(record.id, status, output);
    if (status === 'cancelled') response.status_details = { type: 'cancelled', ...(reason ? { reason } : {}) };
    h.send({ type: 'response.done', event_id: h.eventId(), response });
    const n = this.responses.length;
    h.send({
      type: 'rate_limits.updated',
      event_id: h.eventId(),
      rate_limits: [
        { name: 'requests', limit: 1000, remaining: 1000 - n, reset_seconds: 60 },
        { name: 'tokens', limit: 100_000, remaining: 100_000 - 250 * n, reset_seconds: 6 },
      ],
    });
    // "after turn N" = after the response that finishes turn N (not a function call whose speech follows).
    if (record.speechFollows === true) return;
    for (const e of h.script.failures?.errors ?? []) {
      if ((e.session ?? 0) === h.index && e.afterTurn === record.turnNumber) h.injectError(e.code ?? 'server_error', e.message ?? 'Injected error');
    }
  }

  #wireResponse(id: string, status: 'in_progress' | 'completed' | 'cancelled', output: ConversationItem[]) {
    return toWireResponse(id, status, output, this.#h.outputAudio(), `conv_fake${this.#h.index}`);
  }

  #stopTimer(s: Streaming): void {
    if (s.timer !== undefined) this.#h.clear(s.timer);
    s.timer = undefined;
  }
}
