/**
 * What a call tells the operations layers about itself, as plain data: the call records (store/) and
 * the metrics (metrics/) are observers of these events. The call layer knows nothing of SQLite or
 * Prometheus; it emits, in order, what it observed, each event stamped with the wall-clock time.
 *
 * Observers are called synchronously on the event loop and must be cheap (the store commits one
 * small row; metrics bump counters); an observer that throws is logged and never reaches the call.
 */
import type { HandBackOutcome } from '../connect/index.js';
import type { Logger } from '../log.js';
import type { ReceiveQuality } from '../rtp/index.js';
import type { EndReason } from './call-stats.js';

/** Which call an event belongs to: a record id unique per call, and its SIP Call-ID. */
export interface CallRef {
  readonly recordId: string;
  readonly callId: string;
}

export type CallEvent =
  | {
      type: 'offered';
      at: number;
      from: string | undefined;
      to: string | undefined;
      /** transport:address:port the INVITE came from. */
      source: string;
      contactId: string | undefined;
      initialContactId: string | undefined;
      instanceId: string | undefined;
    }
  | { type: 'realtime-ready'; at: number; connectMs: number }
  | { type: 'realtime-unavailable'; at: number; error: string; handBack: boolean }
  | { type: 'answered'; at: number; codec: 'PCMU' | 'PCMA'; mode: 'passthrough' | 'pcm16'; srtp: boolean }
  | { type: 'transcript'; at: number; role: 'user' | 'assistant'; text: string; itemId: string }
  | { type: 'tool-call'; at: number; toolCallId: string; name: string; arguments: string }
  | { type: 'tool-result'; at: number; toolCallId: string; name: string; ok: boolean; output: string; durationMs: number }
  /** reactionMs: from the caller's speech onset (server VAD, caller-audio time) to the agent's audio stopping. */
  | { type: 'barge-in'; at: number; itemId: string; heardMs: number; flushedMs: number; reactionMs: number | undefined }
  /** latencyMs: from the end of the caller's speech (caller-audio time) to the answer's first audio leaving. */
  | { type: 'turn'; at: number; latencyMs: number }
  | { type: 'realtime-error'; at: number; code: string | undefined; message: string; fatal: boolean }
  | { type: 'realtime-reconnecting'; at: number; reason: string | undefined }
  | { type: 'quality'; at: number; quality: ReceiveQuality }
  | {
      type: 'hand-back';
      at: number;
      outcome: HandBackOutcome;
      reason: string;
      attributes: Record<string, string>;
      ok: boolean;
      attempts: number | undefined;
      error: string | undefined;
    }
  /** Call recording (call-recording.ts): the file's name in RECORDINGS_DIR; pauses at recording-timeline ms. */
  | { type: 'recording-started'; at: number; file: string }
  | { type: 'recording-paused'; at: number; reason: 'tool' | 'dtmf'; atMs: number }
  | { type: 'recording-resumed'; at: number; reason: 'tool' | 'dtmf'; atMs: number }
  | {
      type: 'recording-finished';
      at: number;
      file: string;
      durationMs: number;
      truncated: boolean;
      pauses: Array<{ fromMs: number; toMs: number; reason: string }>;
      callerSamplesOutsideWindow: number;
    }
  | { type: 'ended'; at: number; reason: EndReason; durationMs: number; quality: ReceiveQuality | undefined };

export type CallEventType = CallEvent['type'];

export interface CallObserver {
  onCallEvent(ref: CallRef, event: CallEvent): void;
}

/** One observer made of several, each isolated: one that throws is logged, the others still run. */
export function combineObservers(observers: readonly CallObserver[], log: Logger): CallObserver {
  return {
    onCallEvent(ref, event) {
      for (const o of observers) {
        try {
          o.onCallEvent(ref, event);
        } catch (err) {
          log.error({ err, callId: ref.callId, event: event.type }, 'call observer failed');
        }
      }
    },
  };
}

/** Observes nothing: calls built without operations layers (unit tests, embedders). */
export const NO_OBSERVER: CallObserver = { onCallEvent: () => undefined };
