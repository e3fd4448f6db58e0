import { randomInt } from 'node:crypto';
import { ownedText } from '../../owned-bytes.js';
import type { SipResponse } from '../message/index.js';
import type { UaServices } from '../core/services.js';
import { expiryDelayMs, formatSessionExpires, interpretAsUac, parseMinSE, refreshDelayMs, type ActiveSessionTimer } from '../session-timer.js';
import { NamedTimers } from '../timers.js';
import type { Destination } from '../transport/types.js';

/** RFC 3261 §14.1: after 491, a UAC that does not own the Call-ID waits 0–2 s before retrying. */
const GLARE_RETRY_MAX_MS = 2_000;
/** Bounded retries of one session refresh (422 raise, 491 glare, UPDATE refused → INVITE). */
const MAX_REFRESH_ATTEMPTS = 4;

export type RefreshMethod = 'INVITE' | 'UPDATE';
export type SessionEnd = 'session-expired' | 'refresh-failed' | 'transport-error';

/** What the refresher needs from its dialog. */
export interface SessionRefreshHost {
  readonly callId: string;
  /** The peer listed UPDATE in Allow. */
  readonly peerAllowsUpdate: boolean;
  isConfirmed(): boolean;
  /** The peer's re-INVITE/UPDATE is waiting for our answer. */
  remoteOfferPending(): boolean;
  localSdp(): string | undefined;
  /** Sends an in-dialog request with the next local CSeq (a target refresh: Contact included); returns that CSeq. */
  startRequest(method: RefreshMethod, body: { headers: Array<[string, string]>; body?: Buffer; contentType?: string }, tu: RefreshTu): number;
  /** RFC 3261 §13.2.2.4: the ACK for a 2xx to our re-INVITE with this CSeq. */
  buildAck(cseq: number): { data: Buffer; dest: Destination };
  /** A 2xx to our refresh arrived: its Contact replaces the remote target (§12.2.2). */
  refreshed(res: SipResponse): void;
  /** The session is over: BYE (with Reason for 'session-expired'), or just end on transport error. */
  end(reason: SessionEnd): void;
}

export interface RefreshTu {
  onResponse(res: SipResponse): void;
  onTimeout(): void;
  onTransportError(): void;
}

/**
 * RFC 4028 §10 for one dialog: when we are the refresher, refresh at half the interval (UPDATE
 * when the peer allows it, as §7.4 prefers, else re-INVITE with our SDP unchanged); in every case,
 * end the session with BYE just before it expires without a successful refresh. Handles the
 * refresh's own failures: 422 (raise to the peer's Min-SE), 491 (retry after 0–2 s), 405/501 to
 * UPDATE (fall back to re-INVITE), 408/481 or timeout (the dialog is gone: BYE).
 */
export class SessionRefresh {
  readonly #s: UaServices;
  readonly #host: SessionRefreshHost;
  readonly #timers: NamedTimers<'refresh' | 'expiry'>;
  #active: ActiveSessionTimer | undefined;
  #inFlight: RefreshMethod | undefined;
  #updateRefused = false;

  constructor(services: UaServices, host: SessionRefreshHost) {
    this.#s = services;
    this.#host = host;
    this.#timers = new NamedTimers(services.clock);
  }

  /** The session timer in force, if any. */
  get current(): ActiveSessionTimer | undefined {
    return this.#active;
  }

  /** Our refresh request still waiting for its final response (for glare detection). */
  get inFlight(): RefreshMethod | undefined {
    return this.#inFlight;
  }

  /** (Re)starts the timers for a freshly negotiated session interval; undefined switches them off. */
  apply(active: ActiveSessionTimer | undefined): void {
    this.#active = active;
    this.#timers.clearAll();
    if (active === undefined || !this.#host.isConfirmed()) return;
    if (active.weRefresh) this.#timers.set('refresh', refreshDelayMs(active.intervalS), () => this.#refresh(0, active.intervalS));
    this.#timers.set('expiry', expiryDelayMs(active.intervalS), () => {
      if (!this.#host.isConfirmed()) return;
      this.#s.stats.inc('dialog.session_expired');
      this.#s.logger.info({ callId: this.#host.callId, intervalS: active.intervalS }, 'sip: session expired (RFC 4028 §10), sending BYE');
      this.#host.end('session-expired');
    });
  }

  stop(): void {
    this.#timers.clearAll();
  }

  #refresh(attempt: number, intervalS: number): void {
    const host = this.#host;
    if (!host.isConfirmed()) return;
    const s = this.#s;
    if (this.#inFlight !== undefined || host.remoteOfferPending()) {
      // Another offer/answer is in progress; try again shortly (the expiry timer bounds this).
      this.#timers.set('refresh', s.timers.t2, () => this.#refresh(attempt, intervalS));
      return;
    }
    const method: RefreshMethod = host.peerAllowsUpdate && !this.#updateRefused ? 'UPDATE' : 'INVITE';
    const headers: Array<[string, string]> = [
      ['Session-Expires', formatSessionExpires(intervalS, 'uac')],
      ['Min-SE', String(s.policy.sessionTimer.minSE)],
      ['Supported', s.policy.supported],
      ['Allow', s.policy.allow],
    ];
    // RFC 4028 §7.4: the refreshing UPDATE should carry no offer; the re-INVITE repeats our SDP
    // unchanged (same o= version, RFC 3264 §8), which the peer answers without changing media.
    const sdp = method === 'INVITE' ? host.localSdp() : undefined;
    this.#inFlight = method;
    s.stats.inc(`dialog.refresh_sent.${method}`);
    let ack: { data: Buffer; dest: Destination } | undefined;
    const cseq = host.startRequest(method, { headers, ...(sdp !== undefined ? { body: ownedText(sdp), contentType: 'application/sdp' } : {}) }, {
      onResponse: (res) => {
        if (res.status < 200) return;
        if (res.status < 300) {
          if (method === 'INVITE') {
            // §13.2.2.4: every 2xx (retransmissions too) is ACKed by the UAC core.
            ack ??= host.buildAck(cseq);
            s.send(ack.dest, ack.data);
          }
          if (this.#inFlight !== method) return; // a retransmitted 2xx: the ACK was all it needed
          this.#inFlight = undefined;
          host.refreshed(res);
          this.apply(interpretAsUac(res.headers));
          return;
        }
        this.#inFlight = undefined;
        this.#onRejected(method, res, attempt, intervalS);
      },
      onTimeout: () => {
        this.#inFlight = undefined;
        if (host.isConfirmed()) host.end('refresh-failed');
      },
      onTransportError: () => {
        this.#inFlight = undefined;
        host.end('transport-error');
      },
    });
  }

  #onRejected(method: RefreshMethod, res: SipResponse, attempt: number, intervalS: number): void {
    const next = attempt + 1;
    if (res.status === 408 || res.status === 481) {
      // RFC 3261 §12.2.1.2 / RFC 4028 §10: the dialog is gone on the far side.
      if (this.#host.isConfirmed()) this.#host.end('refresh-failed');
      return;
    }
    if (next >= MAX_REFRESH_ATTEMPTS) return; // the expiry timer ends the session if nothing else works
    if (res.status === 422) {
      const theirMin = parseMinSE(res.headers.get('Min-SE'));
      if (theirMin !== undefined && theirMin > intervalS) this.#refresh(next, theirMin);
      return;
    }
    if (res.status === 491) {
      this.#timers.set('refresh', randomInt(0, GLARE_RETRY_MAX_MS / 10 + 1) * 10, () => this.#refresh(next, intervalS));
      return;
    }
    if (method === 'UPDATE' && (res.status === 405 || res.status === 501)) {
      this.#updateRefused = true;
      this.#refresh(next, intervalS);
      return;
    }
    this.#s.logger.warn({ callId: this.#host.callId, status: res.status, method }, 'sip: session refresh rejected');
  }
}
