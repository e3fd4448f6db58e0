/**
 * One fake Realtime session: the GA protocol as the real service behaves on the points the gateway
 * depends on (VAD turn-taking, faster-than-real-time audio deltas, interruption and cancel, truncate
 * validation, function calls, errors). Socket-free: it talks to a `FakeTransport`, and time comes from
 * a Clock, so tests can drive it by hand. Every server event is built as openai's `RealtimeServerEvent`.
 */
import type { RealtimeServerEvent, RealtimeSessionCreateRequest } from 'openai/resources/realtime/realtime';
import type { Clock, TimerId, Logger, RealtimeAudioFormat } from 'connect-realtime-gateway';
import { decodeToPcm, formatBytesPerMs, formatSampleRate } from './audio.js';
import { parseClientEvent, type ClientItem, type ParsedClientEvent } from './client-events.js';
import type { AudioSegment, SessionRecorder } from './recorder.js';
import { OutOfBandResponder, type OutOfBandRecord } from './out-of-band.js';
import { Responder, type DeltaRecord, type ResponseRecord } from './responder.js';
import { DEFAULT_MAX_SESSION_MS, DEFAULT_VAD_MIN_SPEECH_MS, DEFAULT_VAD_THRESHOLD_DBOV, type FakeScript } from './script.js';
import type { AudioBank, ScriptCursor } from './turns.js';
import { EnergyVad, type VadTransition } from './vad.js';
import { elideAudio, formatOf, toWireItem, type FakeItem } from './wire.js';
import { startHostileMode } from './hostile.js';

export type { DeltaRecord, ResponseRecord } from './responder.js';

/** The API refuses to commit less than this; ms. */
const MIN_COMMIT_MS = 100;
const DEFAULT_SILENCE_MS = 500;

export interface FakeTransport {
  send(text: string): void;
  /** Abrupt drop (no close frame), as a failing network or server would. */
  terminate(): void;
  /** A WebSocket close frame from the server (the session's end at its maximum duration). */
  close(code: number, reason: string): void;
}

export type Direction = 'in' | 'out';

export interface RecordedEvent {
  /** ms since the server started (clock time, fractional). */
  t: number;
  dir: Direction;
  /** The event with base64 audio replaced by `<N bytes>`. */
  event: Record<string, unknown>;
}

export interface TruncateRecord {
  t: number;
  itemId: string;
  contentIndex: number;
  audioEndMs: number;
  accepted: boolean;
  error?: string;
}

export interface FakeSessionDeps {
  index: number;
  model: string;
  script: FakeScript;
  cursor: ScriptCursor;
  bank: AudioBank;
  clock: Clock;
  /** clock.now() of the server start: `t` values are relative to it. */
  epoch: number;
  transport: FakeTransport;
  recorder?: SessionRecorder;
  logger?: Logger;
  /** Called after every recorded event (the server's waiters re-check their predicates). */
  onRecord?: () => void;
}

export class FakeSession {
  readonly index: number;
  readonly id: string;
  readonly events: RecordedEvent[] = [];
  readonly truncates: TruncateRecord[] = [];
  readonly receivedItems: Array<{ t: number; item: ClientItem }> = [];
  readonly speechStartedAt: number[] = [];
  readonly speechStoppedAt: number[] = [];
  readonly errorsSent: Array<{ t: number; code: string; message: string }> = [];
  /** Items removed by conversation.item.delete. */
  readonly deletedItems: string[] = [];
  /** Set when the socket is gone. `by`: who ended it. */
  closed: { t: number; code: number; by: 'client' | 'server' } | undefined;

  readonly #d: FakeSessionDeps;
  #session: RealtimeSessionCreateRequest;
  /** The fields the service adds to the session object (not in the SDK's request type). */
  #sessionObject: { id: string; object: 'realtime.session'; expires_at: number } | undefined;
  /** Armed after each response.done with idle_timeout_ms (input_audio_buffer.timeout_triggered). */
  #idleTimer: TimerId | undefined;
  #lastResponseDoneMs = 0;
  #format: RealtimeAudioFormat = 'pcm16';
  /** The script's hostile mode runs once per session, from its first session.updated. */
  #hostileArmed = false;
  #segments: AudioSegment[] = [];
  #inputBytes = 0;
  #inputMs = 0;
  #bufferStartMs = 0;
  #vad: EnergyVad;
  #vadOffsetMs = 0;
  #pcm: Int16Array = new Int16Array(4800);
  #speechItemId: string | undefined;
  #items = new Map<string, FakeItem>();
  #lastItemId: string | null = null;
  readonly #responder: Responder;
  readonly #outOfBand: OutOfBandResponder;
  #timers = new Set<TimerId>();
  #started = false;
  #queue: string[] = [];
  #seq = 0;

  constructor(deps: FakeSessionDeps) {
    this.#d = deps;
    this.index = deps.index;
    this.id = `sess_fake${deps.index}`;
    this.#session = {
      type: 'realtime',
      model: deps.model,
      output_modalities: ['audio'],
      instructions: '',
      tools: [],
      tool_choice: 'auto',
      max_output_tokens: 'inf',
      audio: {
        input: {
          format: { type: 'audio/pcm', rate: 24000 },
          turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: DEFAULT_SILENCE_MS, create_response: true, interrupt_response: true },
        },
        output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy', speed: 1 },
      },
    };
    this.#vad = this.#newVad();
    this.#responder = new Responder({
      index: deps.index,
      script: deps.script,
      cursor: deps.cursor,
      bank: deps.bank,
      send: (e) => this.#send(e),
      eventId: () => this.#eventId(),
      newId: (p) => this.#newId(p),
      t: () => this.#t(),
      after: (ms, fn) => this.#after(ms, fn),
      clear: (id) => this.#clear(id),
      addItem: (item) => this.#addItem(item),
      outputAudio: () => ({ format: this.#session.audio?.output?.format ?? { type: 'audio/pcm', rate: 24000 }, voice: String(this.#session.audio?.output?.voice ?? 'alloy') }),
      drop: () => this.drop(),
      injectError: (code, message) => this.#sendError(code, message, { type: 'server_error' }),
      responseDone: (record) => this.#onResponseDone(record),
    });
    this.#outOfBand = new OutOfBandResponder({
      script: deps.script,
      send: (e) => this.#send(e),
      eventId: () => this.#eventId(),
      newId: (p) => this.#newId(p),
      t: () => this.#t(),
      after: (ms, fn) => this.#after(ms, fn),
    });
  }

  /** Out-of-band responses (conversation "none") produced, in order. */
  get outOfBandResponses(): readonly OutOfBandRecord[] {
    return this.#outOfBand.records;
  }

  /** Responses produced, in order. */
  get responses(): readonly ResponseRecord[] {
    return this.#responder.responses;
  }

  /** Every audio delta sent: when, how much, whether after a cancel. */
  get deltas(): readonly DeltaRecord[] {
    return this.#responder.deltas;
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /** Sends session.created (after the scripted delay) and arms the session's failure injections. */
  start(): void {
    const f = this.#d.script.failures;
    const delay = f?.sessionCreatedDelayMs ?? 0;
    const begin = (): void => {
      this.#started = true;
      const maxSessionMs = this.#d.script.maxSessionMs ?? DEFAULT_MAX_SESSION_MS;
      // The service names the session's end (unix seconds); it is the limit's moment, not a hint.
      this.#sessionObject = { id: this.id, object: 'realtime.session', expires_at: Math.floor((this.#d.clock.wallNow() + maxSessionMs) / 1000) };
      this.#send({ type: 'session.created', event_id: this.#eventId(), session: this.#wireSession() });
      this.#after(maxSessionMs, () => this.#expire(maxSessionMs));
      const queued = this.#queue;
      this.#queue = [];
      for (const text of queued) this.handleMessage(text);
    };
    if (delay > 0) this.#after(delay, begin);
    else begin();
    for (const e of f?.errors ?? []) {
      if ((e.session ?? 0) === this.index && e.atMs !== undefined) {
        this.#after(e.atMs, () => this.#sendError(e.code ?? 'server_error', e.message ?? 'Injected error', { type: 'server_error' }));
      }
    }
    for (const drop of f?.drops ?? []) {
      if ((drop.session ?? 0) === this.index && drop.afterMs !== undefined) this.#after(drop.afterMs, () => this.drop());
    }
  }

  /** The socket closed (either side). Stops all timers. */
  onClosed(code: number, by: 'client' | 'server'): void {
    if (this.closed !== undefined) return;
    this.closed = { t: this.#t(), code, by };
    this.#clearTimers();
    this.#d.onRecord?.();
  }

  /** The maximum duration is reached: the real service's error, then a 1001 close with the same text. */
  #expire(maxSessionMs: number): void {
    if (this.closed !== undefined) return;
    const message = `Your session hit the maximum duration of ${formatDuration(maxSessionMs)}.`;
    this.#d.logger?.info({ session: this.index }, 'fake realtime: session expired');
    this.#sendError('session_expired', message);
    this.#clearTimers();
    this.#d.transport.close(1001, message);
  }

  /** Drops the connection without a close frame (failure injection). */
  drop(): void {
    if (this.closed !== undefined) return;
    this.#d.logger?.info({ session: this.index }, 'fake realtime: dropping socket');
    this.#clearTimers();
    this.#d.transport.terminate();
  }

  /** Audio files + event log to disk (when recording). */
  async finishRecording(): Promise<string[]> {
    return this.#d.recorder ? this.#d.recorder.finish(this.#segments) : [];
  }

  // ---- inspection -------------------------------------------------------------------------------

  /** The effective session configuration (what session.updated echoed last). */
  get effectiveSession(): RealtimeSessionCreateRequest {
    return this.#session;
  }

  get inputFormat(): RealtimeAudioFormat {
    return this.#format;
  }

  /** Every appended byte, in arrival order (whatever the format was). */
  receivedAudioBytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.#segments.flatMap((s) => s.chunks)));
  }

  /** ms of audio sent for an item (what a truncate may name). */
  itemAudioSentMs(itemId: string): number {
    const item = this.#items.get(itemId);
    if (item?.audioFormat === undefined) return 0;
    return item.audioSentBytes / formatBytesPerMs(item.audioFormat);
  }

  /** Compact view of `events`: when, which way, what type. */
  get timeline(): Array<{ t: number; dir: Direction; type: string }> {
    return this.events.map((e) => ({ t: e.t, dir: e.dir, type: String(e.event.type) }));
  }

  /** Events of one type in one direction, e.g. `eventsOf('in', 'conversation.item.create')`. */
  eventsOf(dir: Direction, type: string): RecordedEvent[] {
    return this.events.filter((e) => e.dir === dir && e.event.type === type);
  }

  // ---- client events ----------------------------------------------------------------------------

  handleMessage(text: string): void {
    if (this.closed !== undefined) return;
    if (!this.#started) {
      this.#queue.push(text);
      return;
    }
    const parsed = parseClientEvent(text);
    if (!parsed.ok) {
      this.#record('in', { type: parsed.type ?? '(invalid)', raw: text.length > 512 ? `${text.slice(0, 512)}...` : text });
      this.#sendError(parsed.code, parsed.message, parsed.eventId === undefined ? {} : { eventId: parsed.eventId });
      return;
    }
    this.#record('in', parsed.event);
    this.#dispatch(parsed.event);
    // Waiters look at state the event changed (e.g. bytes received), not only at the log.
    this.#d.onRecord?.();
  }

  #dispatch(e: ParsedClientEvent): void {
    const eventId = e.event_id === undefined ? {} : { eventId: e.event_id };
    switch (e.type) {
      case 'session.update':
        this.#onSessionUpdate(e.session, eventId);
        return;
      case 'input_audio_buffer.append':
        this.#onAppend(e.audio);
        return;
      case 'input_audio_buffer.commit':
        this.#onCommit(eventId);
        return;
      case 'input_audio_buffer.clear':
        this.#bufferStartMs = this.#inputMs;
        this.#speechItemId = undefined;
        this.#vad.resetSpeech();
        this.#send({ type: 'input_audio_buffer.cleared', event_id: this.#eventId() });
        return;
      case 'output_audio_buffer.clear':
        this.#sendError('invalid_value', 'output_audio_buffer.clear is only supported for WebRTC and SIP connections.', eventId);
        return;
      case 'conversation.item.create':
        this.#onItemCreate(e.item, e.previous_item_id ?? undefined, eventId);
        return;
      case 'conversation.item.retrieve': {
        const item = this.#items.get(e.item_id);
        if (item === undefined) this.#sendError('invalid_value', `Conversation item '${e.item_id}' not found.`, { ...eventId, param: 'item_id' });
        else this.#send({ type: 'conversation.item.retrieved', event_id: this.#eventId(), item: toWireItem(item) });
        return;
      }
      case 'conversation.item.delete':
        if (!this.#items.delete(e.item_id)) this.#sendError('invalid_value', `Conversation item '${e.item_id}' not found.`, { ...eventId, param: 'item_id' });
        else {
          this.deletedItems.push(e.item_id);
          this.#send({ type: 'conversation.item.deleted', event_id: this.#eventId(), item_id: e.item_id });
        }
        return;
      case 'conversation.item.truncate':
        this.#onTruncate(e.item_id, e.content_index, e.audio_end_ms, eventId);
        return;
      case 'response.create':
        if (this.#responder.busy || this.#outOfBand.busy) {
          const active = this.#responder.activeResponseId ?? this.#outOfBand.activeResponseId;
          this.#sendError(
            'conversation_already_has_active_response',
            `Conversation already has an active response in progress${active === undefined ? '' : `: ${active}`}. Wait until the response is finished before creating a new one.`,
            eventId,
          );
        } else if (e.response?.conversation === 'none') {
          this.#outOfBand.start(e.response);
        } else {
          this.#responder.schedule();
        }
        return;
      case 'response.cancel': {
        const active = this.#responder.activeResponseId;
        if (active === undefined || (e.response_id !== undefined && e.response_id !== active)) {
          this.#sendError('response_cancel_not_active', 'Cancellation failed: no active response found.', eventId);
        } else {
          this.#responder.cancel('client_cancelled');
        }
        return;
      }
      default: {
        const unhandled: never = e;
        void unhandled; // compile-time: every client event type has a case
      }
    }
  }

  #onSessionUpdate(update: { type: 'realtime' | 'transcription' } & Record<string, unknown>, eventId: { eventId?: string }): void {
    if (update.type !== 'realtime') {
      this.#sendError('invalid_value', 'The fake supports only realtime sessions.', { ...eventId, param: 'session.type' });
      return;
    }
    const u = update as unknown as RealtimeSessionCreateRequest;
    const cur = this.#session;
    const inU = u.audio?.input;
    const outU = u.audio?.output;
    const next: RealtimeSessionCreateRequest = {
      ...cur,
      ...u,
      audio: {
        input: { ...cur.audio?.input, ...inU },
        output: { ...cur.audio?.output, ...outU },
      },
    };
    const newFormat = formatOf(next.audio?.input?.format);
    this.#session = next;
    if (newFormat !== this.#format) {
      this.#format = newFormat;
      this.#vadOffsetMs = this.#inputMs;
      this.#vad = this.#newVad();
    } else {
      this.#vad.setParams(this.#vadParams());
    }
    this.#send({ type: 'session.updated', event_id: this.#eventId(), session: this.#wireSession() });
    this.#armIdleTimeout();
    const hostile = this.#d.script.hostile;
    if (hostile !== undefined && !this.#hostileArmed) {
      this.#hostileArmed = true;
      startHostileMode(hostile, {
        index: this.index,
        sendRaw: (text) => {
          if (this.closed === undefined) this.#d.transport.send(text);
        },
        eventId: () => this.#eventId(),
        newId: (p) => this.#newId(p),
        after: (ms, fn) => this.#after(ms, fn),
        outputFormat: () => formatOf(this.#session.audio?.output?.format),
      });
    }
  }

  #onAppend(audioB64: string): void {
    const bytes = Buffer.from(audioB64, 'base64');
    if (bytes.length === 0) return;
    let seg = this.#segments[this.#segments.length - 1];
    if (seg === undefined || seg.format !== this.#format) {
      seg = { format: this.#format, chunks: [], bytes: 0 };
      this.#segments.push(seg);
    }
    seg.chunks.push(new Uint8Array(bytes));
    seg.bytes += bytes.length;
    this.#inputBytes += bytes.length;
    this.#inputMs += bytes.length / formatBytesPerMs(this.#format);
    const { pcm, n } = decodeToPcm(bytes, this.#format, this.#pcm);
    this.#pcm = pcm;
    this.#vad.push(pcm, n);
  }

  #onVad(t: VadTransition): void {
    const td = this.#session.audio?.input?.turn_detection;
    if (td === undefined || td === null) return;
    if (t.kind === 'start') {
      const itemId = this.#newId('item');
      this.#speechItemId = itemId;
      this.speechStartedAt.push(this.#t());
      this.#clearIdleTimer();
      this.#send({ type: 'input_audio_buffer.speech_started', event_id: this.#eventId(), audio_start_ms: Math.round(this.#vadOffsetMs + t.onsetMs), item_id: itemId });
      if (td.interrupt_response !== false) this.#responder.cancel('turn_detected');
      return;
    }
    const itemId = this.#speechItemId ?? this.#newId('item');
    this.#speechItemId = undefined;
    this.speechStoppedAt.push(this.#t());
    this.#send({ type: 'input_audio_buffer.speech_stopped', event_id: this.#eventId(), audio_end_ms: Math.round(this.#vadOffsetMs + t.endMs), item_id: itemId });
    this.#commit(itemId);
    if (td.create_response !== false) this.#responder.schedule();
  }

  #onCommit(eventId: { eventId?: string }): void {
    const ms = this.#inputMs - this.#bufferStartMs;
    if (ms < MIN_COMMIT_MS) {
      this.#sendError(
        'input_audio_buffer_commit_empty',
        `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${ms.toFixed(2)}ms of audio.`,
        eventId,
      );
      return;
    }
    const itemId = this.#speechItemId ?? this.#newId('item');
    this.#speechItemId = undefined;
    this.#vad.resetSpeech();
    this.#commit(itemId);
  }

  #commit(itemId: string): void {
    const previous = this.#lastItemId;
    const item: FakeItem = { id: itemId, type: 'message', role: 'user', status: 'completed', text: '', hasAudio: true, audioSentBytes: 0 };
    this.#addItem(item);
    this.#bufferStartMs = this.#inputMs;
    this.#send({ type: 'input_audio_buffer.committed', event_id: this.#eventId(), item_id: itemId, previous_item_id: previous });
    this.#send({ type: 'conversation.item.added', event_id: this.#eventId(), item: toWireItem(item), previous_item_id: previous });
    this.#send({ type: 'conversation.item.done', event_id: this.#eventId(), item: toWireItem(item), previous_item_id: previous });
    const transcription = this.#session.audio?.input?.transcription;
    if (transcription !== undefined && transcription !== null) {
      const turn = this.#d.cursor.peek();
      if (turn?.userTranscriptFails !== undefined) {
        const f = turn.userTranscriptFails;
        this.#send({
          type: 'conversation.item.input_audio_transcription.failed',
          event_id: this.#eventId(),
          item_id: itemId,
          content_index: 0,
          error: { type: 'transcription_error', code: f.code ?? 'audio_unintelligible', message: f.message ?? 'Audio could not be transcribed.', param: 'audio' },
        });
        return;
      }
      item.text = turn?.userTranscript ?? '';
      if (this.#d.script.transcriptionDeltas === true) {
        for (const delta of item.text.split(/(?<= )/)) {
          if (delta.length > 0) this.#send({ type: 'conversation.item.input_audio_transcription.delta', event_id: this.#eventId(), item_id: itemId, content_index: 0, delta });
        }
      }
      this.#send({
        type: 'conversation.item.input_audio_transcription.completed',
        event_id: this.#eventId(),
        item_id: itemId,
        content_index: 0,
        transcript: item.text,
        usage: { type: 'duration', seconds: 1 },
      });
    }
  }

  #onItemCreate(input: ClientItem, previousItemId: string | undefined, eventId: { eventId?: string }): void {
    this.receivedItems.push({ t: this.#t(), item: input });
    const id = input.id ?? this.#newId('item');
    if (this.#items.has(id)) {
      this.#sendError('invalid_value', `Item with id '${id}' already exists.`, { ...eventId, param: 'item.id' });
      return;
    }
    if (input.type === 'function_call_output') {
      const known = [...this.#items.values()].some((i) => i.type === 'function_call' && i.callId === input.call_id);
      if (!known) {
        this.#sendError('invalid_value', `No tool call found for function call output with call_id '${input.call_id ?? ''}'.`, { ...eventId, param: 'item.call_id' });
        return;
      }
    }
    const text = (input.content ?? []).map((c) => c.text ?? c.transcript ?? '').join('');
    const item: FakeItem = {
      id,
      type: input.type,
      status: 'completed',
      text,
      hasAudio: false,
      audioSentBytes: 0,
      ...(input.role === undefined ? {} : { role: input.role }),
      ...(input.call_id === undefined ? {} : { callId: input.call_id }),
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.arguments === undefined ? {} : { arguments: input.arguments }),
      ...(input.output === undefined ? {} : { output: input.output }),
    };
    const previous = previousItemId ?? this.#lastItemId;
    this.#addItem(item);
    this.#send({ type: 'conversation.item.added', event_id: this.#eventId(), item: toWireItem(item), previous_item_id: previous });
    this.#send({ type: 'conversation.item.done', event_id: this.#eventId(), item: toWireItem(item), previous_item_id: previous });
  }

  #onTruncate(itemId: string, contentIndex: number, audioEndMs: number, eventId: { eventId?: string }): void {
    const reject = (message: string, param: string, code = 'invalid_value'): void => {
      this.truncates.push({ t: this.#t(), itemId, contentIndex, audioEndMs, accepted: false, error: message });
      this.#sendError(code, message, { ...eventId, param });
    };
    const item = this.#items.get(itemId);
    if (item === undefined) return reject(`Conversation item '${itemId}' not found.`, 'item_id');
    // An assistant item the service holds no audio for (none generated yet) is not an audio message.
    if (item.role !== 'assistant' || !item.hasAudio || item.audioSentBytes === 0) return reject('Only model output audio messages can be truncated', 'item_id', 'unsupported_content_type');
    if (contentIndex !== 0) return reject(`Invalid content_index ${contentIndex}: the item has 1 content part.`, 'content_index');
    const sentMs = this.itemAudioSentMs(itemId);
    if (audioEndMs > sentMs) return reject(`Audio content of ${Math.floor(sentMs)}ms is already shorter than ${audioEndMs}ms`, 'audio_end_ms');
    this.truncates.push({ t: this.#t(), itemId, contentIndex, audioEndMs, accepted: true });
    // Like the service: the unheard part of the transcript goes away with the audio.
    const ratio = sentMs > 0 ? audioEndMs / sentMs : 0;
    item.text = item.text.slice(0, Math.floor(item.text.length * ratio));
    this.#send({ type: 'conversation.item.truncated', event_id: this.#eventId(), item_id: itemId, content_index: contentIndex, audio_end_ms: audioEndMs });
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** The effective session as the service sends it: with its id, object and expires_at. */
  #wireSession(): RealtimeSessionCreateRequest {
    const wire: RealtimeSessionCreateRequest & { id?: string; object?: 'realtime.session'; expires_at?: number } = { ...this.#sessionObject, ...this.#session };
    return wire;
  }

  /**
   * A response ended. With idle_timeout_ms the service counts caller silence from the end of the
   * response's playback; over WebSocket it can only assume real-time playback from the response's start.
   */
  #onResponseDone(record: ResponseRecord): void {
    const audioMs = this.#responder.deltas.reduce((ms, d) => (d.responseId === record.id && !d.late ? ms + d.ms : ms), 0);
    const playbackLeftMs = Math.max(0, record.startedAt + audioMs - this.#t());
    this.#lastResponseDoneMs = this.#inputMs + playbackLeftMs;
    this.#armIdleTimeout(playbackLeftMs);
  }

  #armIdleTimeout(extraMs = 0): void {
    this.#clearIdleTimer();
    const td = this.#session.audio?.input?.turn_detection;
    const idleMs = td?.type === 'server_vad' ? td.idle_timeout_ms : undefined;
    if (idleMs === undefined || idleMs === null || idleMs <= 0 || this.#responder.responses.length === 0) return;
    this.#idleTimer = this.#after(extraMs + idleMs, () => {
      this.#idleTimer = undefined;
      if (this.#responder.busy || this.#speechItemId !== undefined) return;
      const itemId = this.#newId('item');
      this.#send({
        type: 'input_audio_buffer.timeout_triggered',
        event_id: this.#eventId(),
        audio_start_ms: Math.round(Math.min(this.#lastResponseDoneMs, this.#inputMs)),
        audio_end_ms: Math.round(this.#inputMs),
        item_id: itemId,
      });
      // The silent audio is committed as an input item and the model answers it.
      this.#commit(itemId);
      this.#responder.schedule();
    });
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer !== undefined) this.#clear(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /** Returns the id of the item before it (the API's previous_item_id). */
  #addItem(item: FakeItem): string | null {
    const previous = this.#lastItemId;
    this.#items.set(item.id, item);
    this.#lastItemId = item.id;
    return previous;
  }

  #sendError(code: string, message: string, opts: { eventId?: string; param?: string; type?: string } = {}): void {
    this.errorsSent.push({ t: this.#t(), code, message });
    this.#send({
      type: 'error',
      event_id: this.#eventId(),
      error: { type: opts.type ?? 'invalid_request_error', code, message, param: opts.param ?? null, event_id: opts.eventId ?? null },
    });
  }

  #send(event: RealtimeServerEvent): void {
    if (this.closed !== undefined) return;
    this.#record('out', event);
    this.#d.transport.send(JSON.stringify(event));
  }

  #record(dir: Direction, event: object): void {
    const rec: RecordedEvent = { t: this.#t(), dir, event: elideAudio(event) };
    this.events.push(rec);
    this.#d.recorder?.event({ ...rec, session: this.index });
    this.#d.onRecord?.();
  }

  #newVad(): EnergyVad {
    return new EnergyVad(formatSampleRate(this.#format), this.#vadParams(), (t) => this.#onVad(t));
  }

  #vadParams(): { thresholdDbov: number; minSpeechMs: number; silenceMs: number } {
    const v = this.#d.script.vad;
    const td = this.#session.audio?.input?.turn_detection;
    const sessionSilence = td?.type === 'server_vad' ? td.silence_duration_ms : undefined;
    return {
      thresholdDbov: v?.thresholdDbov ?? DEFAULT_VAD_THRESHOLD_DBOV,
      minSpeechMs: v?.minSpeechMs ?? DEFAULT_VAD_MIN_SPEECH_MS,
      silenceMs: v?.silenceMs ?? sessionSilence ?? DEFAULT_SILENCE_MS,
    };
  }

  #t(): number {
    return this.#d.clock.now() - this.#d.epoch;
  }

  #eventId(): string {
    return `event_fake${this.index}_${(++this.#seq).toString(36)}`;
  }

  #newId(prefix: 'item' | 'resp' | 'call'): string {
    return `${prefix}_fake${this.index}_${(++this.#seq).toString(36)}`;
  }

  #after(ms: number, fn: () => void): TimerId {
    const id = this.#d.clock.setTimeout(() => {
      this.#timers.delete(id);
      if (this.closed === undefined) fn();
    }, ms);
    this.#timers.add(id);
    return id;
  }

  #clear(id: TimerId): void {
    this.#d.clock.clearTimeout(id);
    this.#timers.delete(id);
  }

  #clearTimers(): void {
    for (const id of this.#timers) this.#d.clock.clearTimeout(id);
    this.#timers.clear();
    this.#responder.stop();
  }

  /** Bytes appended so far (all formats). */
  get receivedAudioByteCount(): number {
    return this.#inputBytes;
  }
}

/** "60 minutes", "20 seconds": the unit the service's message uses. */
function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  return `${Math.round(ms / 1000)} seconds`;
}
