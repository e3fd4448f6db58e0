/**
 * One response at a time. The Realtime service answers a `response.create` that arrives while a
 * response is active with `error` `conversation_already_has_active_response` and starts nothing, so
 * a tool output sent on `response.function_call_arguments.done` (before that response's
 * `response.done`), a DTMF turn while the agent speaks, or a greeting racing a VAD turn would leave
 * the agent silent. Every request waits here until the session is free, as the Agents SDK does:
 * - free = no response we know of (response.created .. response.done) and none asked for that the
 *   service has not yet acknowledged;
 * - requests without instructions that wait together are merged (two tool outputs of one response
 *   need one answer, not two);
 * - a request the service still refused as colliding (a server-VAD response it started at the same
 *   moment) goes back to the front and waits for that response's end;
 * - bounded: at most MAX_WAITING requests wait; an unacknowledged request stops blocking after
 *   ackTimeoutMs, so a lost answer cannot wedge the call.
 */
import type { Clock, TimerId } from '../../clock.js';
import type { Logger } from '../../log.js';

export interface ResponseRequest {
  instructions?: string;
  /** An out-of-band question (conversation "none", text output; out-of-band.ts); always carries instructions. */
  outOfBand?: { tag: string; maxOutputTokens: number };
}

/** More than this many distinct waiting requests is a runaway caller; the newest is dropped. */
export const MAX_WAITING = 8;
/** The service acknowledges a response.create (response.created or an error) well within this; ms. */
export const DEFAULT_ACK_TIMEOUT_MS = 10_000;
/** After a refusal with no response known to be active, try again after this; ms. */
const REFUSED_RETRY_MS = 250;

export interface ResponseQueueDeps {
  /** Sends `response.create` on the live session; returns its event_id, or undefined when it could not be sent. */
  send(request: ResponseRequest): string | undefined;
  clock: Clock;
  logger: Logger;
  ackTimeoutMs?: number;
}

interface Sent {
  eventId: string;
  request: ResponseRequest;
}

export class ResponseQueue {
  readonly #deps: ResponseQueueDeps;
  readonly #waiting: ResponseRequest[] = [];
  /** Sent, not yet acknowledged by response.created or an error. */
  #unacked: Sent | undefined;
  /** The last one sent, for matching a refusal that arrives after another response.created. */
  #lastSent: Sent | undefined;
  #active: string | undefined;
  #timer: TimerId | undefined;
  #closed = false;
  /** Requests that had to wait for another response (observability and tests). */
  deferred = 0;
  /** Requests merged into one already waiting. */
  merged = 0;
  /** Requests the service refused as colliding and we re-queued. */
  refusedRequeued = 0;
  /** Requests dropped because MAX_WAITING were waiting. */
  dropped = 0;

  constructor(deps: ResponseQueueDeps) {
    this.#deps = deps;
  }

  /** Requests waiting for the session to be free. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** A response is active or asked for and not yet acknowledged. */
  get busy(): boolean {
    return this.#active !== undefined || this.#unacked !== undefined;
  }

  request(request: ResponseRequest): void {
    if (this.#closed) return;
    if (!this.busy && this.#waiting.length === 0) {
      this.#sendNow(request);
      return;
    }
    this.deferred++;
    const last = this.#waiting[this.#waiting.length - 1];
    if (last !== undefined && last.instructions === undefined && request.instructions === undefined) {
      this.merged++;
      return;
    }
    if (this.#waiting.length >= MAX_WAITING) {
      this.dropped++;
      this.#deps.logger.warn({ waiting: this.#waiting.length }, 'response request dropped: too many waiting');
      return;
    }
    this.#waiting.push(request);
  }

  /** response.created on the live session (ours or one the service started itself). */
  responseCreated(responseId: string): void {
    this.#active = responseId;
    this.#unacked = undefined;
    this.#clearTimer();
  }

  /** response.done on the live session: the next waiting request goes out. */
  responseDone(responseId: string): void {
    if (this.#active === responseId || this.#active === undefined) this.#active = undefined;
    this.pump();
  }

  /**
   * An `error` `conversation_already_has_active_response`; true when it answered one of our
   * requests (which then waits again, first in line). Without an event id (reports exist of the
   * service leaving `error.event_id` null) it answers the request still unacknowledged, if any.
   */
  refused(eventId: string | undefined): boolean {
    const sent = eventId === undefined ? this.#unacked : this.#lastSent;
    if (sent === undefined || (eventId !== undefined && sent.eventId !== eventId)) return false;
    this.#lastSent = undefined;
    if (this.#unacked?.eventId === eventId) this.#unacked = undefined;
    this.#clearTimer();
    this.refusedRequeued++;
    this.#waiting.unshift(sent.request);
    // Normally a response.done follows (of the response that collided); if none is known, retry soon.
    if (this.#active === undefined) this.#timer = this.#deps.clock.setTimeout(() => this.#retry(), REFUSED_RETRY_MS);
    return true;
  }

  /**
   * The session was replaced (reconnect, renewal): nothing is active on the new one, and a request
   * the old one never acknowledged is asked for again. Call pump() once the new session is live.
   */
  reset(): void {
    this.#clearTimer();
    if (this.#unacked !== undefined) this.#waiting.unshift(this.#unacked.request);
    this.#unacked = undefined;
    this.#lastSent = undefined;
    this.#active = undefined;
  }

  /** Sends the next waiting request if the session is free. */
  pump(): void {
    if (this.#closed || this.busy) return;
    const next = this.#waiting.shift();
    if (next !== undefined) this.#sendNow(next);
  }

  close(): void {
    this.#closed = true;
    this.#clearTimer();
    this.#waiting.length = 0;
  }

  #sendNow(request: ResponseRequest): void {
    const eventId = this.#deps.send(request);
    if (eventId === undefined) {
      // No live session: it waits, first in line, for the pump() after the next session is live.
      this.#waiting.unshift(request);
      return;
    }
    const sent = { eventId, request };
    this.#unacked = sent;
    this.#lastSent = sent;
    this.#clearTimer();
    this.#timer = this.#deps.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#unacked !== sent) return;
      this.#deps.logger.warn({ eventId }, 'response.create not acknowledged in time; no longer waiting for it');
      this.#unacked = undefined;
      this.pump();
    }, this.#deps.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS);
  }

  #retry(): void {
    this.#timer = undefined;
    this.pump();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
