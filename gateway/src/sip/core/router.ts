import {
  checkRequest,
  createResponse,
  isParseError,
  newTag,
  parseVia,
  responseForParseError,
  type RequestPolicy,
  type SipParseError,
  type SipRequest,
  type SipResponse,
  type Via,
} from '../message/index.js';
import type { AllowList } from '../admission/allow-list.js';
import type { RateLimiter } from '../admission/rate-limiter.js';
import type { DigestAuthenticator } from '../auth/authenticator.js';
import { IncomingCall } from '../dialog/incoming-call.js';
import { MAX_CALLS_RETRY_AFTER_S } from '../options.js';
import { negotiateAsUas } from '../session-timer.js';
import { statusClass } from '../stats.js';
import { InviteServerTransaction } from '../transaction/invite-server.js';
import { hasMagicCookie, requestIds, serverTransactionKey, type RequestIds } from '../transaction/key.js';
import { sealResponse } from '../transaction/wire-response.js';
import { responseDestination, stampVia } from '../transport/routing.js';
import type { Destination, InboundMessage, SourceInfo } from '../transport/types.js';
import { dialogKey, type DialogHandle, type InDialogRequest, type UaServices } from './services.js';
import { replaceTopVia } from './via-stamp.js';

export interface CancelTarget {
  onCancel: () => boolean;
  toTag: string | undefined;
}

/** A live dialog-creating INVITE, indexed for §8.2.2.2 merge detection and RFC 2543 CANCELs. */
interface LiveInvite {
  call: IncomingCall;
  txKey: string;
  requestUri: string;
  /** The stream connection the INVITE came on: it stays in use while the call lives. */
  connectionId: string | undefined;
  sourceAddress: string;
}

export interface RouterDeps {
  services: UaServices;
  requestPolicy: RequestPolicy;
  allowList: AllowList;
  rateLimiter: RateLimiter | undefined;
  /** Per-source bucket for every request, of any method; undefined: unlimited. */
  requestLimiter: RateLimiter | undefined;
  /** Calls in set-up (INVITE not yet confirmed) one source may hold; undefined: unlimited. */
  maxSetupCallsPerSource: number | undefined;
  authenticator: DigestAuthenticator | undefined;
  maxConcurrentCalls: number | undefined;
  dialogs: Map<string, DialogHandle>;
  cancellables: Map<string, CancelTarget>;
  /** Current count of calls holding a slot. */
  activeCalls(): number;
  /** Takes a call slot; returns its release function. */
  takeSlot(): () => void;
  /** Hands a new call to the application; false when nobody listens. */
  emitInvite(call: IncomingCall): boolean;
  /** While draining: the Retry-After (s) of the 503 that new INVITEs and OPTIONS get; else undefined. */
  drainRetryAfterS(): number | undefined;
}

/**
 * The receive pipeline (RFC 3261 §18.2.1 → §17.2.3 → §8.2 → §12.2.2):
 *   allow-list → parse errors (400 when a reply can be routed) → responses to client transactions →
 *   Via stamping (received/rport) → server-transaction matching (retransmissions absorbed) →
 *   checkRequest (§8.2 reactions) → CANCEL → in-dialog (To tag) → out-of-dialog INVITE / OPTIONS.
 * Transaction matching runs before the §8.2 checks, as in RFC 3261's layering (the transaction
 * layer sits below the TU), so a retransmitted request always gets the very response it got before.
 */
export class Router {
  readonly #d: RouterDeps;
  readonly #live = new Map<string, LiveInvite>();

  constructor(deps: RouterDeps) {
    this.#d = deps;
  }

  /** Live (unanswered or awaiting ACK) IncomingCalls, for shutdown. */
  liveCalls(): IncomingCall[] {
    return [...this.#live.values()].map((l) => l.call);
  }

  /** Whether a live call (set-up or confirmed dialog) came in on this stream connection. */
  holdsConnection(connectionId: string): boolean {
    for (const live of this.#live.values()) if (live.connectionId === connectionId) return true;
    return false;
  }

  handle(msg: InboundMessage): void {
    const { services: s } = this.#d;
    const { result, source, connectionId } = msg;
    if (!this.#d.allowList.allows(source.address)) {
      s.stats.inc('drop.not_allowed');
      return;
    }
    if (!result.ok) {
      this.#onParseError(result.error, source, connectionId);
      return;
    }
    const m = result.value;
    if (m.type === 'response') {
      s.stats.inc(`rx.response.${statusClass(m.status)}`);
      if (!s.transactions.receiveResponse(m)) s.stats.inc('drop.unmatched_response');
      return;
    }
    this.#onRequest(m, source, connectionId);
  }

  #onParseError(err: SipParseError, source: SourceInfo, connectionId: string | undefined): void {
    const s = this.#d.services;
    s.stats.inc('rx.parse_error');
    const res = responseForParseError(err, newTag());
    if (res === undefined) {
      s.stats.inc('drop.unanswerable');
      return;
    }
    // Only the source address is ever used (routing.ts); the Via just says whether rport was asked.
    const topVia = topViaOf(res);
    this.#sendStateless(res, responseDestination(source, topVia, connectionId));
  }

  #onRequest(req: SipRequest, source: SourceInfo, connectionId: string | undefined): void {
    const d = this.#d;
    const s = d.services;
    s.stats.inc(`rx.request.${d.requestPolicy.allowedMethods.includes(req.method) ? req.method : 'other'}`);
    const overRate = this.#overRate(req, source);
    const ids = requestIds(req);
    if (overRate === 'drop') return;
    if (ids === undefined) {
      if (overRate !== undefined) return;
      // A mandatory header is missing or unparseable: checkRequest names which (§8.1.1).
      if (req.method === 'ACK') return;
      const rejection = checkRequest(req, d.requestPolicy) ?? { status: 400, reason: 'Bad Request (malformed mandatory header)', headers: [] };
      const vias = req.headers.getAll('Via');
      if (vias.length === 0) {
        s.stats.inc('drop.unanswerable');
        return;
      }
      const res = createResponse(req, rejection.status, { reason: rejection.reason, headers: rejection.headers, toTag: newTag() });
      this.#sendStateless(res, responseDestination(source, undefined, connectionId));
      return;
    }
    const stamped = stampVia(ids.topVia, source);
    req.headers = replaceTopVia(req.headers, stamped);
    const responseDest = responseDestination(source, stamped, connectionId);
    if (responseDest.port === 0) {
      // A Via whose sent-by port is 0 (and no rport) leaves no way to answer: drop it before it takes
      // any resource, as for any request we cannot respond to.
      s.stats.inc('drop.unanswerable');
      return;
    }
    if (overRate !== undefined) {
      // Answered statelessly: a refused request creates no transaction and holds nothing.
      this.#sendStateless(
        createResponse(req, 503, { reason: 'Service Unavailable (rate limited)', toTag: ids.toTag ?? newTag(), headers: [['Retry-After', String(overRate.retryAfterS)]] }),
        responseDest,
      );
      return;
    }
    const txKey = serverTransactionKey(req, ids);
    const r: InDialogRequest = { request: req, ids, source, connectionId, txKey, responseDest };

    const existing = s.transactions.findServer(txKey);
    if (existing !== undefined) {
      if (existing instanceof InviteServerTransaction) {
        if (existing.receive(req) === 'to-tu') this.#toDialog(r);
      } else if (req.method !== 'ACK') {
        existing.receive();
      }
      return;
    }
    if (req.method === 'ACK') {
      if (ids.toTag !== undefined && this.#dialogFor(ids) !== undefined) this.#toDialog(r);
      else s.stats.inc('drop.ack_unmatched');
      return;
    }

    const admission = s.transactions.admitServer(responseDest.address);
    if (admission !== 'ok') {
      s.stats.inc(`reject.transactions.${admission}`);
      // Over UDP a source address proves nothing: silence, so a spoofed flood reflects nothing.
      // A stream peer has completed a handshake and is told to come back later.
      if (source.transport !== 'udp') {
        this.#sendStateless(createResponse(req, 503, { reason: 'Service Unavailable (too many transactions)', toTag: ids.toTag ?? newTag(), headers: [['Retry-After', '5']] }), responseDest);
      }
      return;
    }
    const rejection = checkRequest(req, d.requestPolicy);
    if (rejection !== undefined) {
      s.stats.inc(`reject.check.${rejection.status}`);
      const tx = req.method === 'INVITE' ? s.transactions.createInviteServer(txKey, req, responseDest) : s.transactions.createNonInviteServer(txKey, req, responseDest);
      s.reply(tx, createResponse(req, rejection.status, { reason: rejection.reason, headers: rejection.headers, toTag: ids.toTag ?? newTag() }));
      return;
    }
    if (req.method === 'CANCEL') {
      this.#onCancel(r);
      return;
    }
    if (ids.toTag !== undefined) {
      if (this.#dialogFor(ids) !== undefined) this.#toDialog(r);
      else this.#replyNew(r, 481, 'Call/Transaction Does Not Exist');
      return;
    }
    const drainRetryAfter = d.drainRetryAfterS();
    if (drainRetryAfter !== undefined && (req.method === 'INVITE' || req.method === 'OPTIONS')) {
      // Draining: the peer (a connector's next route, a dispatcher's probe) takes new calls elsewhere.
      s.stats.inc(`reject.draining.${req.method}`);
      this.#replyNew(r, 503, 'Service Unavailable (draining)', [['Retry-After', String(drainRetryAfter)]]);
      return;
    }
    switch (req.method) {
      case 'INVITE':
        this.#onInvite(r);
        return;
      case 'OPTIONS':
        this.#replyNew(r, 200, undefined, [
          ['Allow', s.policy.allow],
          ['Accept', s.policy.accept],
          ['Supported', s.policy.supported],
        ]);
        return;
      default:
        // BYE, INFO, UPDATE and extension methods only make sense inside a dialog (§15.1.2).
        this.#replyNew(r, 481, 'Call/Transaction Does Not Exist');
    }
  }

  #onInvite(r: InDialogRequest): void {
    const d = this.#d;
    const s = d.services;
    const { request: req, ids } = r;
    const liveKey = `${ids.callId}|${ids.fromTag ?? ''}|${ids.cseq.seq}`;
    const tx = s.transactions.createInviteServer(r.txKey, req, r.responseDest);
    const reject = (status: number, headers: Array<[string, string]> = [], reason?: string): void => {
      s.reply(tx, createResponse(req, status, { toTag: newTag(), headers, ...(reason !== undefined ? { reason } : {}) }));
    };
    if (this.#live.has(liveKey)) {
      // RFC 3261 §8.2.2.2: same Call-ID, From tag and CSeq as a request in progress, another branch.
      s.stats.inc('reject.merged_request');
      reject(482);
      return;
    }
    if (d.rateLimiter !== undefined) {
      const decision = d.rateLimiter.take(r.source.address);
      if (!decision.allowed) {
        s.stats.inc('reject.rate_limited');
        reject(503, [['Retry-After', String(decision.retryAfterS)]], 'Service Unavailable (rate limited)');
        return;
      }
    }
    if (d.maxSetupCallsPerSource !== undefined && this.#settingUpFrom(r.source.address) >= d.maxSetupCallsPerSource) {
      // One source's unanswered INVITEs must not take every call slot and RTP port from the others.
      s.stats.inc('reject.setup_per_source');
      reject(503, [['Retry-After', String(MAX_CALLS_RETRY_AFTER_S)]], 'Service Unavailable (too many calls in set-up from this source)');
      return;
    }
    if (d.maxConcurrentCalls !== undefined && d.activeCalls() >= d.maxConcurrentCalls) {
      s.stats.inc('reject.max_calls');
      reject(503, [['Retry-After', String(MAX_CALLS_RETRY_AFTER_S)]], 'Service Unavailable (call limit reached)');
      return;
    }
    if (d.authenticator !== undefined) {
      const auth = d.authenticator.check(req);
      if (!auth.ok) {
        s.stats.inc(`auth.challenge.${auth.error.failure}`);
        reject(auth.error.status, auth.error.headers);
        return;
      }
      s.stats.inc('auth.ok');
    }
    const session = negotiateAsUas(req.headers, s.policy.sessionTimer);
    if (session.kind === 'too-small') {
      s.stats.inc('reject.session_interval_too_small');
      reject(422, [['Min-SE', String(session.minSE)]]);
      return;
    }
    // §17.2.1: 100 Trying before the application does anything slow.
    s.reply(tx, createResponse(req, 100));
    const release = d.takeSlot();
    const call = new IncomingCall({
      services: s,
      request: req,
      source: r.source,
      connectionId: r.connectionId,
      txKey: r.txKey,
      tx,
      responseDest: r.responseDest,
      remoteTag: ids.fromTag ?? '',
      cseq: ids.cseq.seq,
      session,
      release: () => {
        this.#live.delete(liveKey);
        release();
      },
    });
    this.#live.set(liveKey, { call, txKey: r.txKey, requestUri: req.uri, connectionId: r.connectionId, sourceAddress: r.source.address });
    s.stats.inc('calls.offered');
    s.logger.info({ callId: call.callId, from: `${r.source.transport}:${r.source.address}:${r.source.port}` }, 'sip: incoming INVITE');
    if (!d.emitInvite(call)) call.reject(480, { reason: 'Temporarily Unavailable (no application)' });
  }

  /**
   * RFC 3261 §9.2: a CANCEL cancels the INVITE server transaction it matches by the §17.2.3 rules,
   * with INVITE as the method. A magic-cookie branch is unique, so that match is the only one: a
   * CANCEL whose branch matches no INVITE gets 481 and the INVITE goes on. Only a branch without the
   * cookie (an RFC 2543 UAC, whose CANCEL may carry another Via) falls back to the live INVITE with
   * the same Call-ID, From tag, CSeq number and Request-URI.
   */
  #onCancel(r: InDialogRequest): void {
    const d = this.#d;
    const s = d.services;
    const { request: req, ids } = r;
    const tx = s.transactions.createNonInviteServer(r.txKey, req, r.responseDest);
    const byIds = this.#live.get(`${ids.callId}|${ids.fromTag ?? ''}|${ids.cseq.seq}`);
    const sameIds = byIds !== undefined && byIds.requestUri === req.uri ? byIds : undefined;
    let inviteKey = serverTransactionKey(req, ids, 'INVITE');
    if (!hasMagicCookie(ids.topVia) && s.transactions.findServer(inviteKey) === undefined && sameIds !== undefined) inviteKey = sameIds.txKey;
    const invite = s.transactions.findServer(inviteKey);
    // The live INVITE only when it is the transaction matched: it knows the To tag of its responses.
    const live = sameIds?.txKey === inviteKey ? sameIds : undefined;
    if (invite === undefined) {
      s.stats.inc('reject.cancel_unmatched');
      s.reply(tx, createResponse(req, 481, { toTag: ids.toTag ?? newTag() }));
      return;
    }
    const target = d.cancellables.get(inviteKey);
    // §9.2: the 200 carries the To tag of the INVITE's responses; once the INVITE has its final
    // response, the CANCEL has no effect but is still answered 200.
    const toTag = target?.toTag ?? live?.call.localTag ?? ids.toTag;
    s.reply(tx, createResponse(req, 200, { ...(toTag !== undefined ? { toTag } : {}) }));
    if (target === undefined) s.stats.inc('cancel.too_late');
    else target.onCancel();
  }

  /**
   * The per-source bucket for every request. Undefined: go on. Otherwise the refusal: answered with
   * 503 + Retry-After once per Retry-After window and source ('drop' for the rest, and for ACK,
   * which is never answered), so a flood gets at most one response a second per source.
   */
  #overRate(req: SipRequest, source: SourceInfo): { retryAfterS: number } | 'drop' | undefined {
    const limiter = this.#d.requestLimiter;
    if (limiter === undefined) return undefined;
    const decision = limiter.take(source.address);
    if (decision.allowed) return undefined;
    const s = this.#d.services;
    s.stats.inc('reject.request_rate');
    if (!decision.first || req.method === 'ACK') {
      s.stats.inc('drop.request_rate');
      return 'drop';
    }
    return { retryAfterS: decision.retryAfterS };
  }

  /** Calls from this source still setting up: INVITE not answered, or answered and awaiting ACK. */
  #settingUpFrom(address: string): number {
    let n = 0;
    for (const live of this.#live.values()) {
      if (live.sourceAddress !== address) continue;
      const state = live.call.state;
      if (state === 'proceeding' || state === 'accepted') n += 1;
    }
    return n;
  }

  #dialogFor(ids: RequestIds): DialogHandle | undefined {
    if (ids.toTag === undefined) return undefined;
    return this.#d.dialogs.get(dialogKey(ids.callId, ids.toTag, ids.fromTag ?? ''));
  }

  #toDialog(r: InDialogRequest): void {
    this.#dialogFor(r.ids)?.handleRequest(r);
  }

  /** Answers a request that needs no TU state, through a fresh server transaction. */
  #replyNew(r: InDialogRequest, status: number, reason?: string, headers: Array<[string, string]> = []): void {
    const s = this.#d.services;
    const tx = r.request.method === 'INVITE' ? s.transactions.createInviteServer(r.txKey, r.request, r.responseDest) : s.transactions.createNonInviteServer(r.txKey, r.request, r.responseDest);
    s.reply(tx, createResponse(r.request, status, { toTag: r.ids.toTag ?? newTag(), headers, ...(reason !== undefined ? { reason } : {}) }));
  }

  #sendStateless(res: SipResponse, dest: Destination): void {
    const s = this.#d.services;
    s.stats.inc(`tx.response.${statusClass(res.status)}`);
    s.send(dest, sealResponse(res, s.userAgent).data);
    s.respondedStatelessly(res);
  }
}

function topViaOf(res: SipResponse): Via | undefined {
  const value = res.headers.get('Via');
  if (value === undefined) return undefined;
  const vias = parseVia(value);
  return isParseError(vias) ? undefined : vias[0];
}
