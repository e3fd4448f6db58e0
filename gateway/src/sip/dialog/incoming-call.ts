import { SafeEmitter } from '../../safe-emitter.js';
import { ownedText } from '../../owned-bytes.js';
import { createResponse, newTag, type SipRequest } from '../message/index.js';
import type { UaServices } from '../core/services.js';
import { SipError } from '../errors.js';
import type { UasSessionTimerDecision } from '../session-timer.js';
import type { InviteServerTransaction } from '../transaction/invite-server.js';
import type { Destination, SourceInfo } from '../transport/types.js';
import { Dialog, type DialogTerminationReason } from './dialog.js';
import { sdpOf, sessionHeaders } from './message-helpers.js';

/** Why an IncomingCall ended without a confirmed dialog. */
export type IncomingCallEndReason = 'cancelled' | 'rejected' | 'no-ack' | 'remote-bye' | 'server-stopped' | 'transport-error' | (string & {});

export interface IncomingCallEvents {
  /** The caller CANCELled (RFC 3261 §9.2): 487 has been sent; release everything. */
  cancel: [];
  /** The INVITE finished without a confirmed dialog (after `cancel`, `reject()`, a missing ACK …). */
  ended: [reason: IncomingCallEndReason];
}

export interface IncomingCallInit {
  services: UaServices;
  request: SipRequest;
  source: SourceInfo;
  connectionId: string | undefined;
  txKey: string;
  tx: InviteServerTransaction;
  responseDest: Destination;
  remoteTag: string;
  cseq: number;
  session: UasSessionTimerDecision | undefined;
  /** Frees the call slot (activeCalls); called exactly once. */
  release: () => void;
}

type CallState = 'proceeding' | 'accepted' | 'confirmed' | 'ended';

/**
 * A dialog-creating INVITE being answered (RFC 3261 §13.3). The server has already sent 100 Trying
 * and checked admission, authentication and session-timer bounds; the call layer now decides:
 * progress() → accept() (a Dialog once ACKed) or reject().
 */
export class IncomingCall extends SafeEmitter<IncomingCallEvents> {
  readonly request: SipRequest;
  readonly callId: string;
  readonly source: SourceInfo;
  /** The SDP offer when the INVITE carried one (Content-Type application/sdp). */
  readonly offer: string | undefined;
  /** Our To tag for every response to this INVITE (and the dialog's local tag). */
  readonly localTag: string = newTag();
  #state: CallState = 'proceeding';
  #acceptPromise: Promise<Dialog> | undefined;
  #released = false;
  readonly #init: IncomingCallInit;

  /** Internal: created by the server for each admitted INVITE. */
  constructor(init: IncomingCallInit) {
    const callId = (init.request.headers.get('Call-ID') ?? '').trim();
    super((event, err) => init.services.logger.error({ err, callId, event }, 'sip: incoming call listener threw'));
    this.#init = init;
    this.request = init.request;
    this.callId = callId;
    this.source = init.source;
    this.offer = sdpOf(init.request);
    init.services.addCancellable(init.txKey, () => this.#onCancel(), this.localTag);
  }

  /** 'proceeding' until answered; 'accepted' while the 2xx awaits its ACK; then 'confirmed' or 'ended'. */
  get state(): CallState {
    return this.#state;
  }

  /** Sends 180 Ringing or 183 Session Progress (with early-media SDP), creating the early dialog. */
  progress(status: 180 | 183, opts: { sdp?: string } = {}): void {
    if (this.#state !== 'proceeding') {
      this.#init.services.logger.debug({ callId: this.callId, status, state: this.#state }, 'sip: progress() ignored');
      return;
    }
    const { services: s, request, tx } = this.#init;
    const res = createResponse(request, status, {
      toTag: this.localTag,
      headers: [['Contact', s.localContact(this.source, isSecure(request))], ...recordRoutes(request)],
      ...(opts.sdp !== undefined ? { body: ownedText(opts.sdp), contentType: 'application/sdp' } : {}),
    });
    s.reply(tx, res);
  }

  /**
   * Sends 200 OK with `sdp` (retransmitted T1…T2 until ACKed, RFC 3261 §13.3.1.4) and resolves with
   * the Dialog when the ACK arrives. Rejects with a SipError: SIP_ERR_CANCELLED (CANCEL came first),
   * SIP_ERR_NO_ACK (no ACK in 64·T1 — a BYE has then been sent), SIP_ERR_TERMINATED (BYE before
   * the ACK), SIP_ERR_SERVER_STOPPED, SIP_ERR_INVALID_STATE (already answered).
   */
  accept(sdp: string, opts: { headers?: Array<[string, string]> } = {}): Promise<Dialog> {
    if (this.#acceptPromise !== undefined) return this.#acceptPromise;
    if (this.#state !== 'proceeding') {
      return Promise.reject(this.#endedError());
    }
    const { services: s, request, tx } = this.#init;
    this.#state = 'accepted';
    s.removeCancellable(this.#init.txKey);
    const secure = isSecure(request);
    const res = createResponse(request, 200, {
      toTag: this.localTag,
      headers: [
        ['Contact', s.localContact(this.source, secure)],
        ...recordRoutes(request),
        ['Allow', s.policy.allow],
        ['Accept', s.policy.accept],
        ['Supported', s.policy.supported],
        ...(this.#init.session !== undefined ? sessionHeaders(this.#init.session) : []),
        ...(opts.headers ?? []),
      ],
      body: ownedText(sdp),
      contentType: 'application/sdp',
    });
    s.stats.inc('calls.accepted');
    this.#acceptPromise = new Promise<Dialog>((resolve, reject) => {
      let dialog: Dialog | undefined;
      let acked = false;
      dialog = new Dialog({
        services: s,
        invite: request,
        response: res,
        inviteTx: tx,
        inviteCSeq: this.#init.cseq,
        source: this.source,
        connectionId: this.#init.connectionId,
        responseDest: this.#init.responseDest,
        localTag: this.localTag,
        remoteTag: this.#init.remoteTag,
        localSdp: sdp,
        session: this.#init.session,
        onAck: () => {
          acked = true;
          this.#state = 'confirmed';
          if (dialog !== undefined) resolve(dialog);
        },
        onNoAck: () => {
          if (acked || this.#state === 'ended') return;
          this.#state = 'ended';
          s.stats.inc('calls.no_ack');
          reject(errorForEarlyEnd('no-ack'));
          this.safeEmit('ended', 'no-ack');
        },
        onTerminated: (reason: DialogTerminationReason) => {
          this.#release();
          if (acked || this.#state === 'ended') return;
          this.#state = 'ended';
          reject(errorForEarlyEnd(reason));
          this.safeEmit('ended', reason);
        },
      });
      if (acked) resolve(dialog);
    });
    return this.#acceptPromise;
  }

  /** Answers 300–699 (retransmitted until ACKed over UDP: Timers G/H/I). */
  reject(status: number, opts: { reason?: string; headers?: Array<[string, string]> } = {}): void {
    if (this.#state !== 'proceeding') {
      this.#init.services.logger.debug({ callId: this.callId, status, state: this.#state }, 'sip: reject() ignored');
      return;
    }
    if (!Number.isInteger(status) || status < 300 || status > 699) {
      throw new RangeError(`IncomingCall.reject: status must be 300–699, got ${status}`);
    }
    const { services: s, request, tx } = this.#init;
    this.#state = 'ended';
    s.removeCancellable(this.#init.txKey);
    s.reply(
      tx,
      createResponse(request, status, {
        toTag: this.localTag,
        ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
        headers: opts.headers ?? [],
      }),
    );
    s.stats.inc('calls.rejected');
    this.#release();
    this.safeEmit('ended', 'rejected');
  }

  /** Internal: SipServer.stop() while the INVITE is still unanswered or awaiting its ACK. */
  shutdown(): void {
    if (this.#state !== 'proceeding') return; // an accepted call is shut down through its Dialog
    this.#state = 'ended';
    this.#init.services.removeCancellable(this.#init.txKey);
    this.#release();
    this.safeEmit('ended', 'server-stopped');
  }

  #onCancel(): boolean {
    if (this.#state !== 'proceeding') return false;
    const { services: s, request, tx } = this.#init;
    this.#state = 'ended';
    s.removeCancellable(this.#init.txKey);
    s.reply(tx, createResponse(request, 487, { toTag: this.localTag }));
    s.stats.inc('calls.cancelled');
    this.#release();
    this.safeEmit('cancel');
    this.safeEmit('ended', 'cancelled');
    return true;
  }

  #endedError(): SipError {
    return this.#state === 'ended'
      ? new SipError('SIP_ERR_CANCELLED', 'INVITE already cancelled or answered')
      : new SipError('SIP_ERR_INVALID_STATE', `INVITE is ${this.#state}`);
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#init.release();
  }
}

function errorForEarlyEnd(reason: DialogTerminationReason): SipError {
  switch (reason) {
    case 'no-ack':
      return new SipError('SIP_ERR_NO_ACK', 'no ACK for 200 OK within 64*T1 (RFC 3261 §13.3.1.4); BYE sent', 408);
    case 'server-stopped':
      return new SipError('SIP_ERR_SERVER_STOPPED', 'SIP server stopped before the ACK');
    case 'transport-error':
      return new SipError('SIP_ERR_TRANSPORT', 'transport failed before the ACK');
    default:
      return new SipError('SIP_ERR_TERMINATED', `dialog ended before the ACK (${reason})`);
  }
}

/** RFC 3261 §12.1.1: the UAS copies Record-Route into responses that create a dialog. */
function recordRoutes(req: SipRequest): Array<[string, string]> {
  return req.headers.getAll('Record-Route').map((v) => ['Record-Route', v] as [string, string]);
}

function isSecure(req: SipRequest): boolean {
  return /^sips:/i.test(req.uri);
}
