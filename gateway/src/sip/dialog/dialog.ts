import { SafeEmitter } from '../../safe-emitter.js';
import { ownedText } from '../../owned-bytes.js';
import { randomInt } from 'node:crypto';
import type { TimerId } from '../../clock.js';
import { createResponse, newBranch, serializeMessage, type SipRequest, type SipResponse } from '../message/index.js';
import { dialogKey, type DialogHandle, type InDialogRequest, type UaServices } from '../core/services.js';
import { negotiateAsUas, type ActiveSessionTimer, type UasSessionTimerDecision } from '../session-timer.js';
import { InviteServerTransaction } from '../transaction/invite-server.js';
import type { ServerTransaction } from '../transaction/manager.js';
import { hostPort } from '../transport/ip.js';
import { inDialogDestination } from '../transport/routing.js';
import type { Destination, SourceInfo } from '../transport/types.js';
import { activeFrom, contactTarget, isSdp, sdpOf, sessionHeaders } from './message-helpers.js';
import { buildInDialogRequest } from './request-builder.js';
import { SessionRefresh } from './session-refresh.js';
import { TwoXxRetransmitter } from './two-xx.js';

export type DialogTerminationReason =
  | 'remote-bye'
  | 'local-bye'
  | 'session-expired'
  | 'no-ack'
  | 'transport-error'
  | 'refresh-failed'
  | 'server-stopped'
  | (string & {});

/** What every answer to an in-dialog request may carry beside its status. */
export interface ResponseOptions {
  reason?: string;
  headers?: Array<[string, string]>;
}

/**
 * How the application answers a request the dialog hands it — one idiom for all of them: a status
 * and an options object, answered once (later calls are ignored; 64·T1 without one answers 500).
 */
export type Respond<Extra extends object = object> = (status: number, opts?: ResponseOptions & Extra) => void;

export interface DialogOffer {
  /** The SDP offer; undefined for a re-INVITE/UPDATE without one (answer with our SDP as an offer). */
  sdp: string | undefined;
  method: 'INVITE' | 'UPDATE';
  /** 2xx: `sdp` defaults to the last local SDP (setLocalSdp), which it then replaces. */
  respond: Respond<{ sdp?: string }>;
}

export interface DialogInfo {
  contentType: string;
  body: Buffer;
  respond: Respond;
}

/** An in-dialog request of a method from `extraAllowedMethods` (e.g. REFER, NOTIFY). */
export interface DialogRequest {
  request: SipRequest;
  respond: Respond<{ body?: Buffer; contentType?: string }>;
}

export interface DialogEvents {
  bye: [];
  offer: [offer: DialogOffer];
  info: [info: DialogInfo];
  request: [request: DialogRequest];
  terminated: [reason: DialogTerminationReason];
}

/** Reason header on a BYE we send because the session expired (RFC 4028 §10 / RFC 3326). */
export const SESSION_EXPIRED_REASON = 'SIP;cause=408;text="Session expired"';
/** Upper bound of the random Retry-After on 500 for overlapping re-INVITEs (RFC 3261 §14.2). */
const OVERLAP_RETRY_AFTER_MAX_S = 10;

/** Everything a dialog starts from: the INVITE we accepted and the 2xx we are sending for it. */
export interface DialogInit {
  services: UaServices;
  invite: SipRequest;
  /** The 2xx for the INVITE, To tag included. */
  response: SipResponse;
  inviteTx: InviteServerTransaction;
  inviteCSeq: number;
  source: SourceInfo;
  connectionId: string | undefined;
  responseDest: Destination;
  localTag: string;
  remoteTag: string;
  localSdp: string;
  session: UasSessionTimerDecision | undefined;
  /** The initial ACK arrived. */
  onAck: (ack: SipRequest) => void;
  /** 64·T1 passed without the initial ACK; a BYE is on its way (RFC 3261 §13.3.1.4). */
  onNoAck: () => void;
  /** The dialog ended (for any reason, before or after the ACK). */
  onTerminated: (reason: DialogTerminationReason) => void;
}

interface PendingServer {
  tx: ServerTransaction;
  request: SipRequest;
  txKey: string;
  responded: boolean;
  deadline: TimerId | undefined;
}

/**
 * A confirmed UAS dialog (RFC 3261 §12, §13–15) with RFC 4028 session timers. It answers the
 * in-dialog requests the server routes to it, keeps its 2xx alive until ACKed, refreshes or
 * polices the session, and sends BYE. `terminated` is emitted exactly once, after which every
 * timer is cleared and the dialog is out of the server's table.
 */
export class Dialog extends SafeEmitter<DialogEvents> {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  #state: 'confirmed' | 'terminating' | 'terminated' = 'confirmed';
  #ackBody: string | undefined;
  #localSdp: string | undefined;
  readonly #s: UaServices;
  readonly #key: string;
  readonly #localParty: string;
  readonly #remoteParty: string;
  #remoteTarget: string;
  readonly #routeSet: readonly string[];
  readonly #origin: SourceInfo;
  readonly #connectionId: string | undefined;
  readonly #secure: boolean;
  #localSeq: number;
  #remoteSeq: number;
  readonly #awaitingAck = new Map<number, { retx: TwoXxRetransmitter; onAck?: (ack: SipRequest) => void }>();
  #remoteInvite: PendingServer | undefined;
  #remoteUpdate: PendingServer | undefined;
  readonly #pendingOther = new Set<PendingServer>();
  /** RFC 4028 timers; its in-flight refresh is our only own offer (glare: the peer's gets 491). */
  readonly #session: SessionRefresh;
  #byePromise: Promise<void> | undefined;
  #byeResolve: (() => void) | undefined;
  #byeReason: DialogTerminationReason = 'local-bye';
  readonly #onTerminated: (reason: DialogTerminationReason) => void;

  /** Internal: created by IncomingCall.accept(); sends the 2xx and starts its retransmission. */
  constructor(init: DialogInit) {
    const callId = (init.invite.headers.get('Call-ID') ?? '').trim();
    super((event, err) => init.services.logger.error({ err, callId, event }, 'sip: dialog listener threw'));
    const s = init.services;
    this.#s = s;
    this.callId = callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.#key = dialogKey(this.callId, this.localTag, this.remoteTag);
    this.#localParty = init.response.headers.get('To') ?? '';
    this.#remoteParty = init.invite.headers.get('From') ?? '';
    this.#routeSet = init.invite.headers.getAll('Record-Route');
    this.#origin = init.source;
    this.#connectionId = init.connectionId;
    this.#secure = /^sips:/i.test(init.invite.uri);
    this.#remoteTarget = contactTarget(init.invite) ?? `sip:${hostPort(init.source.address, init.source.port)}`;
    // RFC 3261 §12.1.1: the UAS's local sequence number starts empty; any value < 2^31 is fine.
    this.#localSeq = randomInt(1, 2 ** 31 - 1);
    this.#remoteSeq = init.inviteCSeq;
    this.#localSdp = init.localSdp;
    this.#onTerminated = init.onTerminated;
    const peerAllowsUpdate = init.invite.headers.getAll('Allow').some((m) => m.trim().toUpperCase() === 'UPDATE');
    this.#session = new SessionRefresh(s, {
      callId: this.callId,
      peerAllowsUpdate,
      isConfirmed: () => this.#state === 'confirmed',
      remoteOfferPending: () => this.#remoteOfferPending(),
      localSdp: () => this.#localSdp,
      startRequest: (method, body, tu) => {
        const cseq = this.#nextSeq();
        this.#startRequest(method, cseq, body, tu);
        return cseq;
      },
      buildAck: (cseq) => this.#buildAck(cseq),
      refreshed: (res) => this.#refreshTarget(res),
      end: (reason) => {
        if (reason === 'transport-error') this.#terminate(reason);
        else void this.#sendBye(reason, reason === 'session-expired' ? { reason: SESSION_EXPIRED_REASON } : {});
      },
    });
    const handle: DialogHandle = {
      handleRequest: (req) => this.#onRequest(req),
      shutdown: (reason) => this.#terminate(reason),
    };
    s.addDialog(this.#key, handle);
    this.#sendFinal2xx(init.inviteTx, init.response, init.inviteCSeq, init.responseDest, init.onAck, init.onNoAck);
    if (init.session?.kind === 'use') this.#session.apply({ intervalS: init.session.intervalS, weRefresh: init.session.weRefresh });
  }

  get state(): 'confirmed' | 'terminating' | 'terminated' {
    return this.#state;
  }

  /** The SDP body of the most recent ACK that carried one (the answer to an SDP-less INVITE). */
  get ackBody(): string | undefined {
    return this.#ackBody;
  }

  /** The session timer in force (undefined when none), for observability. */
  get sessionTimer(): Readonly<ActiveSessionTimer> | undefined {
    return this.#session.current;
  }

  /** The latest local SDP; re-sent in the session refreshes we originate. */
  setLocalSdp(sdp: string): void {
    this.#localSdp = sdp;
  }

  /**
   * Ends the dialog with a BYE (RFC 3261 §15.1.1): resolves once the BYE transaction finished —
   * answered, timed out or failed; the dialog is terminated in every case. Idempotent.
   */
  bye(opts: { reason?: string; headers?: Array<[string, string]> } = {}): Promise<void> {
    if (this.#byePromise !== undefined) return this.#byePromise;
    if (this.#state === 'terminated') return Promise.resolve();
    return this.#sendBye('local-bye', opts);
  }

  // ---------------------------------------------------------------- inbound requests

  #onRequest(r: InDialogRequest): void {
    const { request: req, ids } = r;
    if (req.method === 'ACK') {
      this.#onAck(req, ids.cseq.seq);
      return;
    }
    const s = this.#s;
    const tx = req.method === 'INVITE' ? s.transactions.createInviteServer(r.txKey, req, r.responseDest) : s.transactions.createNonInviteServer(r.txKey, req, r.responseDest);
    // RFC 3261 §12.2.2: a CSeq not above the last one is out of order (retransmissions never get
    // here: the transaction layer absorbed them).
    if (ids.cseq.seq <= this.#remoteSeq) {
      s.stats.inc('reject.cseq_out_of_order');
      s.reply(tx, createResponse(req, 500, { reason: 'CSeq out of order' }));
      return;
    }
    this.#remoteSeq = ids.cseq.seq;
    if (req.method === 'BYE') {
      this.#onBye(tx, req);
      return;
    }
    if (this.#state !== 'confirmed') {
      s.reply(tx, createResponse(req, 481, { reason: 'Call/Transaction Does Not Exist (dialog ending)' }));
      return;
    }
    switch (req.method) {
      case 'INVITE':
      case 'UPDATE':
        this.#onOffer(tx, r, req.method);
        return;
      case 'INFO':
        this.#onInfo(tx, r);
        return;
      case 'OPTIONS':
        s.reply(tx, createResponse(req, 200, { headers: this.#capabilityHeaders() }));
        return;
      default:
        this.#onOther(tx, r);
    }
  }

  #onAck(ack: SipRequest, seq: number): void {
    const entry = this.#awaitingAck.get(seq);
    if (entry === undefined) return; // a retransmitted ACK, or one for a 2xx we stopped caring about
    entry.retx.stop();
    this.#awaitingAck.delete(seq);
    if (ack.body.length > 0 && isSdp(ack.headers.get('Content-Type'))) this.#ackBody = ack.body.toString('utf8');
    entry.onAck?.(ack);
  }

  #onBye(tx: ServerTransaction, req: SipRequest): void {
    const s = this.#s;
    s.reply(tx, createResponse(req, 200));
    if (this.#state === 'terminating') {
      // Crossing BYEs: ours is already on its way; the dialog ends now, under our reason.
      this.#terminate(this.#byeReason);
      return;
    }
    // RFC 3261 §15.1.2: requests still pending in the dialog are answered 487.
    this.#abandonPending(487, 'Request Terminated');
    this.safeEmit('bye');
    this.#terminate('remote-bye');
  }

  /**
   * A re-INVITE (RFC 3261 §14.2) or UPDATE (RFC 3311 §5.2): a new offer, or a session refresh.
   * 491 while our own refresh is pending (glare), 500 + Retry-After while the peer's previous offer
   * is unanswered, 422 for a too-small Session-Expires; otherwise the application answers through
   * `respond` (or, with no listener, we answer a refresh with our current SDP).
   */
  #onOffer(tx: ServerTransaction, r: InDialogRequest, method: 'INVITE' | 'UPDATE'): void {
    const s = this.#s;
    const req = r.request;
    if (this.#session.inFlight !== undefined) {
      s.stats.inc('reject.glare');
      s.reply(tx, createResponse(req, 491));
      return;
    }
    if (this.#remoteOfferPending()) {
      s.stats.inc('reject.overlapping_offer');
      const retryAfter = String(randomInt(0, OVERLAP_RETRY_AFTER_MAX_S + 1));
      s.reply(tx, createResponse(req, 500, { reason: 'Server Internal Error (previous offer still pending)', headers: [['Retry-After', retryAfter]] }));
      return;
    }
    const st = negotiateAsUas(req.headers, s.policy.sessionTimer);
    if (st.kind === 'too-small') {
      s.reply(tx, createResponse(req, 422, { headers: [['Min-SE', String(st.minSE)]] }));
      return;
    }
    const pending: PendingServer = { tx, request: req, txKey: r.txKey, responded: false, deadline: undefined };
    if (tx instanceof InviteServerTransaction) {
      s.reply(tx, createResponse(req, 100));
      this.#remoteInvite = pending;
      s.addCancellable(r.txKey, () => this.#finishPending(pending, () => s.reply(tx, createResponse(req, 487))));
    } else {
      this.#remoteUpdate = pending;
    }
    const offerSdp = sdpOf(req);
    // An UPDATE without an offer gets no answer body (RFC 3311 §5.2); a re-INVITE without one gets
    // our SDP as the offer, answered in the ACK.
    const answersWithSdp = method === 'INVITE' || offerSdp !== undefined;
    const respond: DialogOffer['respond'] = (status, opts = {}) => {
      this.#finishPending(pending, () => {
        if (status < 200 || status >= 300) {
          s.reply(tx, createResponse(req, status, responseFields(opts)));
          return;
        }
        this.#refreshTarget(req);
        if (opts.sdp !== undefined) this.#localSdp = opts.sdp;
        const body = answersWithSdp ? this.#localSdp : undefined;
        const res = createResponse(req, status, {
          ...responseFields(opts),
          headers: [...this.#targetHeaders(), ...sessionHeaders(st), ...(opts.headers ?? [])],
          ...(body !== undefined ? { body: ownedText(body), contentType: 'application/sdp' } : {}),
        });
        if (tx instanceof InviteServerTransaction) this.#sendFinal2xx(tx, res, r.ids.cseq.seq, r.responseDest);
        else s.reply(tx, res);
        this.#session.apply(activeFrom(st));
      });
    };
    pending.deadline = this.#deadline(pending, () => s.reply(tx, createResponse(req, 500, { reason: 'Server Internal Error (no answer to offer)' })));
    if (this.listenerCount('offer') === 0) {
      // No media layer listening: a refresh keeps the session as it is.
      respond(!answersWithSdp || this.#localSdp !== undefined ? 200 : 488);
      return;
    }
    this.safeEmit('offer', { sdp: offerSdp, method, respond });
  }

  #onInfo(tx: ServerTransaction, r: InDialogRequest): void {
    const s = this.#s;
    const req = r.request;
    const pending: PendingServer = { tx, request: req, txKey: r.txKey, responded: false, deadline: undefined };
    this.#pendingOther.add(pending);
    const respond: DialogInfo['respond'] = (status, opts = {}) => {
      this.#finishPending(pending, () => s.reply(tx, createResponse(req, status, responseFields(opts))));
    };
    pending.deadline = this.#deadline(pending, () => s.reply(tx, createResponse(req, 500, { reason: 'Server Internal Error (no answer to INFO)' })));
    if (this.listenerCount('info') === 0) {
      respond(200); // legacy INFO (RFC 2976) carries no Info-Package: accept and ignore
      return;
    }
    this.safeEmit('info', { contentType: (req.headers.get('Content-Type') ?? '').trim(), body: req.body, respond });
  }

  #onOther(tx: ServerTransaction, r: InDialogRequest): void {
    const s = this.#s;
    const req = r.request;
    const pending: PendingServer = { tx, request: req, txKey: r.txKey, responded: false, deadline: undefined };
    this.#pendingOther.add(pending);
    const respond: DialogRequest['respond'] = (status, opts = {}) => {
      this.#finishPending(pending, () => {
        s.reply(
          tx,
          createResponse(req, status, {
            ...responseFields(opts),
            ...(opts.body !== undefined ? { body: opts.body } : {}),
            ...(opts.contentType !== undefined ? { contentType: opts.contentType } : {}),
          }),
        );
      });
    };
    pending.deadline = this.#deadline(pending, () => s.reply(tx, createResponse(req, 500, { reason: 'Server Internal Error (no answer)' })));
    if (this.listenerCount('request') === 0) {
      respond(501);
      return;
    }
    this.safeEmit('request', { request: req, respond });
  }

  // ---------------------------------------------------------------- our 2xx and its ACK

  #sendFinal2xx(
    tx: InviteServerTransaction,
    res: SipResponse,
    cseq: number,
    dest: Destination,
    onAck?: (ack: SipRequest) => void,
    onNoAck?: () => void,
  ): void {
    const s = this.#s;
    // The first 2xx and every retransmission are the same bytes, sealed once (Server: included).
    const { data } = s.reply(tx, res);
    const retx = new TwoXxRetransmitter(
      s.clock,
      s.timers,
      () => {
        s.stats.inc('retransmit.tx.2xx');
        s.send(dest, data);
      },
      () => {
        this.#awaitingAck.delete(cseq);
        s.stats.inc('timeout.no_ack');
        s.logger.warn({ callId: this.callId, cseq }, 'sip: no ACK for 2xx within 64*T1, sending BYE (RFC 3261 §13.3.1.4)');
        onNoAck?.();
        if (this.#state === 'confirmed') void this.#sendBye('no-ack', {});
      },
    );
    this.#awaitingAck.set(cseq, { retx, ...(onAck !== undefined ? { onAck } : {}) });
    retx.start();
  }

  // ---------------------------------------------------------------- BYE and teardown

  #sendBye(reason: DialogTerminationReason, opts: { reason?: string; headers?: Array<[string, string]> }): Promise<void> {
    if (this.#byePromise !== undefined) return this.#byePromise;
    if (this.#state === 'terminated') return Promise.resolve();
    this.#state = 'terminating';
    this.#byeReason = reason;
    this.#session.stop();
    this.#abandonPending(487, 'Request Terminated');
    for (const { retx } of this.#awaitingAck.values()) retx.stop();
    this.#awaitingAck.clear();
    const headers: Array<[string, string]> = [];
    if (opts.reason !== undefined) headers.push(['Reason', opts.reason]);
    headers.push(...(opts.headers ?? []));
    this.#byePromise = new Promise<void>((resolve) => {
      this.#byeResolve = resolve;
      const finish = (): void => {
        this.#terminate(reason);
        resolve();
      };
      this.#startRequest('BYE', this.#nextSeq(), { headers }, {
        onResponse: (res) => {
          if (res.status >= 200) finish();
        },
        onTimeout: finish,
        onTransportError: finish,
      });
    });
    return this.#byePromise;
  }

  /** The one teardown: timers, retransmitters, pending requests, table entry; `terminated` once. */
  #terminate(reason: DialogTerminationReason): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#session.stop();
    for (const { retx } of this.#awaitingAck.values()) retx.stop();
    this.#awaitingAck.clear();
    this.#abandonPending(reason === 'server-stopped' ? undefined : 481, 'Call/Transaction Does Not Exist');
    this.#s.removeDialog(this.#key);
    // A BYE still in flight (server stop) must not leave bye() pending forever.
    this.#byeResolve?.();
    this.#s.stats.inc(`dialog.terminated.${reason}`);
    this.#s.logger.debug({ callId: this.callId, reason }, 'sip: dialog terminated');
    this.#onTerminated(reason);
    this.safeEmit('terminated', reason);
  }

  // ---------------------------------------------------------------- helpers

  #startRequest(
    method: string,
    cseq: number,
    body: { headers: Array<[string, string]>; body?: Buffer; contentType?: string },
    tu: { onResponse: (res: SipResponse) => void; onTimeout: () => void; onTransportError: () => void },
  ): void {
    const s = this.#s;
    const branch = newBranch();
    const targetRefresh = method === 'INVITE' || method === 'UPDATE';
    const { request, nextHop } = buildInDialogRequest({
      method,
      callId: this.callId,
      localParty: this.#localParty,
      remoteParty: this.#remoteParty,
      remoteTarget: this.#remoteTarget,
      routeSet: this.#routeSet,
      cseq,
      via: s.localVia(this.#origin, branch),
      ...(targetRefresh ? { contact: s.localContact(this.#origin, this.#secure) } : {}),
      ...(s.userAgent !== undefined ? { userAgent: s.userAgent } : {}),
      headers: body.headers,
      ...(body.body !== undefined ? { body: body.body } : {}),
      ...(body.contentType !== undefined ? { contentType: body.contentType } : {}),
    });
    const dest = inDialogDestination(nextHop, this.#origin, this.#connectionId);
    s.transactions.startClient(request, branch, dest, {
      onResponse: tu.onResponse,
      onTimeout: tu.onTimeout,
      onTransportError: (err) => {
        s.logger.warn({ callId: this.callId, method, err: err.message }, 'sip: in-dialog request failed on transport');
        tu.onTransportError();
      },
    });
  }

  /** RFC 3261 §13.2.2.4: the ACK for a 2xx to our re-INVITE — a new transaction-less request. */
  #buildAck(cseq: number): { data: Buffer; dest: Destination } {
    const s = this.#s;
    const { request, nextHop } = buildInDialogRequest({
      method: 'ACK',
      callId: this.callId,
      localParty: this.#localParty,
      remoteParty: this.#remoteParty,
      remoteTarget: this.#remoteTarget,
      routeSet: this.#routeSet,
      cseq,
      via: s.localVia(this.#origin, newBranch()),
    });
    return { data: serializeMessage(request), dest: inDialogDestination(nextHop, this.#origin, this.#connectionId) };
  }

  #nextSeq(): number {
    this.#localSeq += 1;
    return this.#localSeq;
  }

  /** §12.2.2: a 2xx-accepted target refresh (re-INVITE/UPDATE or its 2xx) replaces the remote target. */
  #refreshTarget(msg: SipRequest | SipResponse): void {
    const target = contactTarget(msg);
    if (target !== undefined) this.#remoteTarget = target;
  }

  #targetHeaders(): Array<[string, string]> {
    return [['Contact', this.#s.localContact(this.#origin, this.#secure)], ...this.#capabilityHeaders()];
  }

  #capabilityHeaders(): Array<[string, string]> {
    const p = this.#s.policy;
    return [
      ['Allow', p.allow],
      ['Accept', p.accept],
      ['Supported', p.supported],
    ];
  }

  #remoteOfferPending(): boolean {
    return (this.#remoteInvite !== undefined && !this.#remoteInvite.responded) || (this.#remoteUpdate !== undefined && !this.#remoteUpdate.responded);
  }

  /** Runs `send` once for a pending request and forgets it; false if it was already answered. */
  #finishPending(pending: PendingServer, send: () => void): boolean {
    if (pending.responded) return false;
    pending.responded = true;
    this.#s.clock.clearTimeout(pending.deadline);
    pending.deadline = undefined;
    if (this.#remoteInvite === pending) {
      this.#remoteInvite = undefined;
      this.#s.removeCancellable(pending.txKey);
    }
    if (this.#remoteUpdate === pending) this.#remoteUpdate = undefined;
    this.#pendingOther.delete(pending);
    send();
    return true;
  }

  /**
   * A request the application must answer gets 500 if it has not within 64·T1, so a forgotten
   * respond() cannot wedge the dialog's offer/answer state.
   */
  #deadline(pending: PendingServer, onExpire: () => void): TimerId {
    return this.#s.clock.setTimeout(() => {
      pending.deadline = undefined;
      this.#finishPending(pending, onExpire);
    }, this.#s.timers.transactionTimeout);
  }

  /** Answers (or, on server stop, silently drops) everything still waiting for the application. */
  #abandonPending(status: number | undefined, reason: string): void {
    const all: PendingServer[] = [...this.#pendingOther];
    if (this.#remoteInvite !== undefined) all.push(this.#remoteInvite);
    if (this.#remoteUpdate !== undefined) all.push(this.#remoteUpdate);
    for (const p of all) {
      this.#finishPending(p, () => {
        if (status !== undefined) this.#s.reply(p.tx, createResponse(p.request, status, { reason }));
      });
    }
  }
}

/** The reason and headers of an application's answer, as createResponse takes them. */
function responseFields(opts: ResponseOptions): { reason?: string; headers?: Array<[string, string]> } {
  return {
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    ...(opts.headers !== undefined ? { headers: opts.headers } : {}),
  };
}
