/**
 * "Realtime reachable recently", for the health check. Calls report every session they open or fail
 * to open; when no call has said anything for PROBE_EVERY_MS, a TCP connect to the Realtime
 * endpoint's host and port stands in for them (no API request, nothing billed). Reachable means the
 * latest observation was a success and is younger than STALE_AFTER_MS.
 */
import { connect } from 'node:net';
import type { CallEvent, CallObserver, CallRef } from '../call/call-observer.js';
import type { Clock, TimerId } from '../clock.js';
import type { Logger } from '../log.js';

export const PROBE_EVERY_MS = 30_000;
export const STALE_AFTER_MS = 120_000;
const PROBE_TIMEOUT_MS = 5_000;

export interface ReachabilityReport {
  reachable: boolean;
  /** How the latest observation was made, and what it found. */
  via: 'call' | 'probe' | 'none';
  ageMs: number | undefined;
  detail: string | undefined;
}

/** Opens and closes a TCP connection; resolves with an error message, or undefined on success. */
export type TcpProbe = (host: string, port: number, timeoutMs: number) => Promise<string | undefined>;

export const tcpProbe: TcpProbe = (host, port, timeoutMs) =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (error: string | undefined) => {
      socket.destroy();
      resolve(error);
    };
    socket.setTimeout(timeoutMs, () => done(`no connection within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err) => done(err.message));
  });

export class RealtimeReachability implements CallObserver {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #target: { host: string; port: number };
  readonly #probe: TcpProbe;
  #last: { at: number; ok: boolean; via: 'call' | 'probe'; detail: string | undefined } | undefined;
  #timer: TimerId | undefined;
  #stopped = false;

  constructor(baseUrl: string, clock: Clock, log: Logger, probe: TcpProbe = tcpProbe) {
    const url = new URL(baseUrl);
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80;
    this.#target = { host: url.hostname.replace(/^\[|\]$/g, ''), port };
    this.#clock = clock;
    this.#logger = log;
    this.#probe = probe;
  }

  onCallEvent(_ref: CallRef, e: CallEvent): void {
    if (e.type === 'realtime-ready') this.#note(true, 'call', undefined);
    else if (e.type === 'realtime-unavailable') this.#note(false, 'call', e.error);
  }

  /** Probes now, then whenever calls have been quiet for PROBE_EVERY_MS, until stop(). */
  start(): void {
    void this.#tick();
  }

  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  report(): ReachabilityReport {
    const last = this.#last;
    if (last === undefined) return { reachable: false, via: 'none', ageMs: undefined, detail: 'not checked yet' };
    const ageMs = this.#clock.now() - last.at;
    return { reachable: last.ok && ageMs <= STALE_AFTER_MS, via: last.via, ageMs: Math.round(ageMs), detail: last.detail };
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    if (this.#stopped) return;
    const last = this.#last;
    if (last === undefined || this.#clock.now() - last.at >= PROBE_EVERY_MS) {
      const error = await this.#probe(this.#target.host, this.#target.port, PROBE_TIMEOUT_MS);
      if (this.#stopped) return;
      if (error !== undefined && this.#last?.ok !== false) this.#logger.warn({ target: `${this.#target.host}:${this.#target.port}`, error }, 'Realtime endpoint unreachable');
      this.#note(error === undefined, 'probe', error);
    }
    this.#timer = this.#clock.setTimeout(() => void this.#tick(), PROBE_EVERY_MS);
  }

  #note(ok: boolean, via: 'call' | 'probe', detail: string | undefined): void {
    this.#last = { at: this.#clock.now(), ok, via, detail };
  }
}
