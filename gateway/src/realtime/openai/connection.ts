/**
 * One WebSocket session with the provider, through the official GA client (`OpenAIRealtimeWS`, no
 * OpenAI-Beta header). open() = socket up + our session.update confirmed by session.updated. The
 * backend owns retries, replay and renewal; this class only knows one socket's life.
 */
import type OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { OpenAIRealtimeError } from 'openai/realtime/internal-base';
import type { RealtimeClientEvent, RealtimeSessionCreateRequest } from 'openai/resources/realtime/realtime';
import type { ClientOptions, RawData } from 'ws';
import type { Clock, TimerId } from '../../clock.js';
import type { Logger } from '../../log.js';
import { excerpt } from '../../describe-error.js';
import { sessionExpiresAtMs } from '../core/session-lifetime.js';
import { RealtimeError } from '../errors.js';
import type { RealtimeEndpoint } from './endpoint.js';
import { parseServerEvent, type ParsedServerEvent } from '../ga/server-events.js';

/** After close(), how long to wait for the closing handshake before destroying the socket; ms. */
const CLOSE_GRACE_MS = 1_000;

export interface ConnectionDeps {
  client: Pick<OpenAI, 'apiKey' | 'baseURL'>;
  endpoint: RealtimeEndpoint;
  model: string;
  logger: Logger;
  clock: Clock;
  maxMessageBytes: number;
  /** Every message, validated. */
  onEvent: (conn: RealtimeConnection, parsed: ParsedServerEvent) => void;
  /** Socket gone. `intentional` when we closed it. */
  onClosed: (conn: RealtimeConnection, info: { code: number; reason: string; intentional: boolean; lastError?: string }) => void;
}

interface PendingOpen {
  resolve: () => void;
  reject: (err: RealtimeError) => void;
  sessionUpdateEventId: string;
  timer: TimerId;
}

let nextConnectionId = 1;

export class RealtimeConnection {
  readonly id = nextConnectionId++;
  readonly #deps: ConnectionDeps;
  readonly #rt: OpenAIRealtimeWS;
  #pending: PendingOpen | undefined;
  #ready = false;
  #intentionalClose = false;
  #closed = false;
  #lastError: string | undefined;
  #eventSeq = 0;
  #expiresAtMs: number | undefined;
  #closeTimer: TimerId | undefined;
  readonly #closedPromise: Promise<void>;
  #resolveClosed!: () => void;

  constructor(deps: ConnectionDeps) {
    this.#deps = deps;
    this.#closedPromise = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#rt = new OpenAIRealtimeWS(
      {
        model: deps.model,
        options: {
          maxPayload: deps.maxMessageBytes,
          ...(deps.endpoint.createConnection === undefined
            ? {}
            : // ws types createConnection as net.createConnection's overloads; ours ignores its arguments.
              { createConnection: deps.endpoint.createConnection as unknown as NonNullable<ClientOptions['createConnection']> }),
        },
      },
      deps.client,
    );
    // Without an error listener the SDK turns every failure into an unhandled promise rejection.
    this.#rt.on('error', (err) => this.#onSdkError(err));
    // Messages are read off the socket here, not through the SDK's 'event': its emitter copies its
    // listener array for every message (audio deltas, several a second per call while the agent
    // speaks), and that garbage lives long enough to reach the old generation. The SDK's own
    // listener would parse each message a second time for nobody, so it goes; boundary.test.ts
    // proves every message arrives once.
    this.#rt.socket.removeAllListeners('message');
    this.#rt.socket.on('message', (data) => this.#onFrame(data));
    this.#rt.socket.on('close', (code, reason) => this.#onSocketClose(code, reason.toString()));
  }

  get ready(): boolean {
    return this.#ready && !this.#closed;
  }

  /** When the provider will end this session (session.created `expires_at`), wall-clock ms; undefined when it did not say. */
  get expiresAtMs(): number | undefined {
    return this.#expiresAtMs;
  }

  /** Bytes queued in the socket but not yet written (provider or network stalled). */
  get bufferedAmount(): number {
    return this.#rt.socket.bufferedAmount;
  }

  /** Resolves on session.updated answering our session.update; rejects with a RealtimeError. */
  open(session: RealtimeSessionCreateRequest, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const sessionUpdateEventId = this.nextEventId();
      const timer = this.#deps.clock.setTimeout(() => {
        this.#failOpen(new RealtimeError('RT_ERR_CONNECT_TIMEOUT', `no session.updated within ${timeoutMs} ms`, { fatal: false }));
        this.#rt.socket.terminate();
      }, timeoutMs);
      this.#pending = { resolve, reject, sessionUpdateEventId, timer };
      const sendUpdate = (): void => {
        this.#rt.send({ type: 'session.update', event_id: sessionUpdateEventId, session });
      };
      if (this.#rt.socket.readyState === this.#rt.socket.OPEN) sendUpdate();
      else this.#rt.socket.once('open', sendUpdate);
    });
  }

  /** Client event ids let us match a server `error` to the event that caused it. */
  nextEventId(): string {
    return `gw_${this.id.toString(36)}_${(++this.#eventSeq).toString(36)}`;
  }

  /** False (and nothing sent) when the socket is not open. */
  send(event: RealtimeClientEvent): boolean {
    if (this.#closed || this.#rt.socket.readyState !== this.#rt.socket.OPEN) return false;
    this.#rt.send(event);
    return true;
  }

  /**
   * A client event already serialized to its JSON text (the append fast path, `inputAudioAppendText`),
   * sent as one text frame. False (and nothing sent) when the socket is not open.
   */
  sendText(json: Buffer): boolean {
    if (this.#closed || this.#rt.socket.readyState !== this.#rt.socket.OPEN) return false;
    this.#rt.socket.send(json, { binary: false });
    return true;
  }

  /** Idempotent. Resolves when the socket is gone (closing handshake, or destroyed after a grace). */
  close(reason = 'client close'): Promise<void> {
    if (!this.#intentionalClose && !this.#closed) {
      this.#intentionalClose = true;
      this.#failOpen(new RealtimeError('RT_ERR_CLOSED', 'connection closed while opening', { fatal: false }));
      const socket = this.#rt.socket;
      if (socket.readyState === socket.OPEN) {
        this.#rt.close({ code: 1000, reason });
        this.#closeTimer = this.#deps.clock.setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      } else {
        socket.terminate();
      }
    }
    return this.#closedPromise;
  }

  #failOpen(err: RealtimeError): void {
    const p = this.#pending;
    if (p === undefined) return;
    this.#pending = undefined;
    this.#deps.clock.clearTimeout(p.timer);
    p.reject(err);
  }

  #onFrame(data: RawData): void {
    if (this.#closed) return;
    const text = data.toString();
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.#deps.onEvent(this, { kind: 'invalid', type: '', issues: 'unparsable JSON frame', raw: excerpt(text) });
      return;
    }
    this.#onMessage(raw);
  }

  #onMessage(raw: unknown): void {
    const parsed = parseServerEvent(raw);
    if (parsed.kind === 'event' && parsed.event.type === 'session.created') this.#expiresAtMs = sessionExpiresAtMs(parsed.event, this.#deps.clock.wallNow());
    const p = this.#pending;
    if (p !== undefined && parsed.kind === 'event') {
      const evt = parsed.event;
      if (evt.type === 'session.updated') {
        this.#pending = undefined;
        this.#deps.clock.clearTimeout(p.timer);
        this.#ready = true;
        p.resolve();
      } else if (evt.type === 'error' && evt.error.event_id === p.sessionUpdateEventId) {
        // The provider refused our configuration: retrying the same payload cannot help.
        this.#failOpen(
          new RealtimeError('RT_ERR_SESSION_REJECTED', `session.update rejected: ${excerpt(evt.error.message)}`, {
            fatal: true,
            ...(evt.error.code ? { providerCode: evt.error.code } : {}),
          }),
        );
      }
    }
    this.#deps.onEvent(this, parsed);
  }

  #onSdkError(err: OpenAIRealtimeError): void {
    this.#lastError = excerpt(err.message);
    this.#deps.logger.debug({ conn: this.id, err: excerpt(err.message) }, 'realtime socket error');
  }

  #onSocketClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready = false;
    this.#deps.clock.clearTimeout(this.#closeTimer);
    const detail = this.#lastError ?? `socket closed (code ${code}${reason ? `, ${excerpt(reason)}` : ''})`;
    this.#failOpen(new RealtimeError('RT_ERR_CONNECT_FAILED', detail, { fatal: false }));
    this.#resolveClosed();
    this.#deps.onClosed(this, {
      code,
      reason,
      intentional: this.#intentionalClose,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    });
  }
}
