/**
 * One call's voice towards its observers (call records, metrics): turns what the call and its
 * Realtime backend do into CallEvents. It also measures the two conversational timings a caller
 * feels, both in caller-audio time (the milliseconds of caller audio appended to the session, the
 * time base of the server's speech_started/speech_stopped), so network and VAD delays are included:
 *  - turn latency: end of the caller's speech (speech_stopped audio_end_ms) → the answer's first
 *    audio reaching the playout queue, which sends it on the next 20 ms tick;
 *  - barge-in reaction: the caller's speech onset (speech_started audio_start_ms) → the agent's
 *    audio stopped (the queue flushed).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ConnectCallContext, HandBackOutcome, HandBackReport } from '../connect/index.js';
import type { RealtimeBackend } from '../realtime/backend.js';
import { receiveQuality, type ReceiveQuality, type RtpSessionStats } from '../rtp/index.js';
import type { CallEvent, CallObserver, CallRef } from './call-observer.js';
import type { EndReason } from './call-stats.js';
import { describeError } from '../describe-error.js';

/** The transcript entry for caller speech the provider could not transcribe. */
export function notTranscribed(code: string | undefined): string {
  return `[caller speech not transcribed${code === undefined ? '' : `: ${code.slice(0, 64)}`}]`;
}

/** The transcript entry for the provider's idle timeout (caller silent after the agent's answer). */
export function callerSilent(ms: number): string {
  return `[caller silent for ${Math.max(0, Math.round(ms / 1000))} s]`;
}

/** Longest text kept per transcript turn, tool argument or tool output in an event (characters). */
export const MAX_EVENT_TEXT = 4_000;
/** Turn latencies kept per call for the hand-off summary. */
const MAX_LATENCIES_KEPT = 256;

export class CallReporter {
  readonly ref: CallRef;
  readonly #observer: CallObserver;
  readonly #clock: Clock;
  #appendedMs: () => number = () => 0;
  /** Caller-audio ms at which the current Realtime session started (reconnects restart the server's time base). */
  #sessionBaseMs = 0;
  /** Set by speech_stopped, cleared by the first agent audio after it. */
  #awaitingAnswerSince: number | undefined;
  #lastQuality: ReceiveQuality | undefined;
  /** The most recent turn latencies, ms (the hand-off summary's median and p95). */
  readonly #latencies: number[] = [];

  constructor(callId: string, observer: CallObserver, clock: Clock) {
    this.ref = { recordId: randomUUID(), callId };
    this.#observer = observer;
    this.#clock = clock;
  }

  offered(context: ConnectCallContext, source: string): void {
    this.#emit({
      type: 'offered',
      at: this.#clock.wallNow(),
      from: context.callerNumber,
      to: context.dialledNumber,
      source,
      contactId: context.contactId,
      initialContactId: context.initialContactId,
      instanceId: context.instanceId,
    });
  }

  realtimeReady(connectMs: number): void {
    this.#emit({ type: 'realtime-ready', at: this.#clock.wallNow(), connectMs });
  }

  realtimeUnavailable(err: unknown, handBack: boolean): void {
    this.#emit({ type: 'realtime-unavailable', at: this.#clock.wallNow(), error: cut(describeError(err)), handBack });
  }

  answered(codec: 'PCMU' | 'PCMA', mode: 'passthrough' | 'pcm16', srtp: boolean): void {
    this.#emit({ type: 'answered', at: this.#clock.wallNow(), codec, mode, srtp });
  }

  /**
   * Follows the backend: final transcripts, tool calls, errors, reconnects and the turn timings.
   * `appendedMs` reads how much caller audio the call has handed to the backend so far.
   */
  watch(backend: RealtimeBackend, appendedMs: () => number): void {
    this.#appendedMs = appendedMs;
    this.#sessionBaseMs = appendedMs();
    backend.on('transcript', (t) => {
      const text = t.text.trim();
      if (!t.final || text === '') return;
      this.#emit({ type: 'transcript', at: this.#clock.wallNow(), role: t.role, text: cut(text), itemId: t.itemId });
    });
    // Recorded in the transcript as such: the caller spoke, the model heard it, no text exists.
    backend.on('transcriptionFailed', ({ itemId, code }) => {
      this.#emit({ type: 'transcript', at: this.#clock.wallNow(), role: 'user', text: notTranscribed(code), itemId });
    });
    backend.on('inputTimeout', ({ itemId, audioStartMs, audioEndMs }) => {
      this.#emit({ type: 'transcript', at: this.#clock.wallNow(), role: 'user', text: callerSilent(audioEndMs - audioStartMs), itemId });
    });
    backend.on('functionCall', (c) => {
      this.#emit({ type: 'tool-call', at: this.#clock.wallNow(), toolCallId: c.callId, name: c.name, arguments: cut(c.arguments) });
    });
    backend.on('error', (e) => this.#emit({ type: 'realtime-error', at: this.#clock.wallNow(), code: e.code, message: cut(e.message), fatal: e.fatal }));
    backend.on('state', ({ state, reason }) => {
      if (state === 'reconnecting') {
        this.#awaitingAnswerSince = undefined;
        this.#emit({ type: 'realtime-reconnecting', at: this.#clock.wallNow(), reason });
      } else if (state === 'ready') {
        this.#sessionBaseMs = this.#appendedMs();
      }
    });
    backend.on('speechStopped', ({ audioEndMs }) => {
      this.#awaitingAnswerSince = this.#sessionBaseMs + audioEndMs;
    });
    backend.on('audio', () => {
      const since = this.#awaitingAnswerSince;
      if (since === undefined) return;
      this.#awaitingAnswerSince = undefined;
      const latencyMs = Math.max(0, this.#appendedMs() - since);
      if (this.#latencies.push(latencyMs) > MAX_LATENCIES_KEPT) this.#latencies.shift();
      this.#emit({ type: 'turn', at: this.#clock.wallNow(), latencyMs });
    });
  }

  /** Turn latencies measured so far (the last MAX_LATENCIES_KEPT), ms, oldest first. */
  turnLatenciesMs(): readonly number[] {
    return this.#latencies;
  }

  /** The agent's audio was stopped because the caller started speaking at `audioStartMs` (server time base). */
  bargeIn(stop: { itemId: string; sentMs: number; flushedMs: number }, audioStartMs: number | undefined): void {
    const reactionMs = audioStartMs === undefined ? undefined : Math.max(0, this.#appendedMs() - (this.#sessionBaseMs + audioStartMs));
    this.#emit({ type: 'barge-in', at: this.#clock.wallNow(), itemId: stop.itemId, heardMs: stop.sentMs, flushedMs: stop.flushedMs, reactionMs });
  }

  toolResult(toolCallId: string, name: string, ok: boolean, output: string, durationMs: number): void {
    this.#emit({ type: 'tool-result', at: this.#clock.wallNow(), toolCallId, name, ok, output: cut(output), durationMs });
  }

  handBack(outcome: HandBackOutcome, reason: string, report: HandBackReport): void {
    this.#emit({
      type: 'hand-back',
      at: this.#clock.wallNow(),
      outcome,
      reason: cut(reason),
      attributes: report.attributes,
      ok: report.result.ok,
      attempts: report.result.ok ? report.result.value.attempts : undefined,
      error: report.result.ok ? undefined : cut(`${report.result.error.code}: ${report.result.error.message}`),
    });
  }

  /** A periodic look at the caller's stream, so a crash keeps the quality seen until then. */
  quality(stats: RtpSessionStats): void {
    this.#lastQuality = receiveQuality(stats);
    this.#emit({ type: 'quality', at: this.#clock.wallNow(), quality: this.#lastQuality });
  }

  ended(reason: EndReason, durationMs: number, stats: RtpSessionStats | undefined): void {
    const quality = stats ? receiveQuality(stats) : this.#lastQuality;
    this.#emit({ type: 'ended', at: this.#clock.wallNow(), reason, durationMs, quality });
  }

  #emit(event: CallEvent): void {
    this.#observer.onCallEvent(this.ref, event);
  }
}

function cut(text: string): string {
  return text.length <= MAX_EVENT_TEXT ? text : `${text.slice(0, MAX_EVENT_TEXT)}…`;
}
