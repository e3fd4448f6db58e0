/**
 * Requests the caller sends inside the confirmed dialog: ACK for a 2xx (with loseAcks), BYE,
 * re-INVITE (hold, resume, new offer, session refresh), UPDATE refresh and INFO. Each runs in its
 * own client transaction and answers one digest challenge when credentials are set. Our re-INVITEs
 * go one at a time (RFC 3261 §14.1) and back off on 491 Request Pending.
 */
import { applyPlan, background, note, type CallContext } from './call-context.js';
import type { OfferCodecName } from './codecs.js';
import type { SipRequest, SipResponse } from 'connect-realtime-gateway';
import type { EndReason } from './result.js';
import type { MediaDirection } from './script.js';
import { readRemoteSdp } from './sdp/remote-media.js';
import type { TransactionOutcome } from './sip/client-transaction.js';
import type { RequestOptions } from './sip/dialog.js';
import { answerChallenge } from './sip/digest-auth.js';
import { onSessionTimerAnswer, refreshHeaders } from './session-timer.js';

/** RFC 3261 §14.1: the Call-ID owner retries a 491 after 2.1–4 s. */
const GLARE_MIN_MS = 2_100;
const GLARE_MAX_MS = 4_000;
const MAX_GLARE_RETRIES = 2;

export interface RequestResult {
  outcome: TransactionOutcome;
  request: SipRequest;
  cseq: number;
}

/** Sends `method` in the dialog; a 401/407 is answered once with credentials. */
export async function inDialogRequest(ctx: CallContext, method: string, o: RequestOptions = {}): Promise<RequestResult> {
  let cseq = ctx.dialog.nextCSeq();
  let request = ctx.dialog.inDialog(method, cseq, o);
  let outcome = await ctx.agent.request(request, ctx.nextHop(request)).done;
  const creds = ctx.opts.credentials;
  if (outcome.kind === 'final' && (outcome.response.status === 401 || outcome.response.status === 407) && creds !== undefined) {
    const auth = answerChallenge(outcome.response, creds, { method, uri: request.uri });
    if (typeof auth === 'string') {
      note(ctx, `${method} challenged: ${auth}`);
      return { outcome, request, cseq };
    }
    cseq = ctx.dialog.nextCSeq();
    request = ctx.dialog.inDialog(method, cseq, { ...o, headers: [...(o.headers ?? []), [auth.header, auth.value]] });
    outcome = await ctx.agent.request(request, ctx.nextHop(request)).done;
  }
  return { outcome, request, cseq };
}

/** §13.2.2.4: ACK for the 2xx to INVITE `cseq`; the first `loseAcks` ACKs of the initial INVITE are "lost". */
export function sendAck(ctx: CallContext, cseq: number, body?: Buffer): void {
  const s = ctx.state;
  const ack = ctx.dialog.ackFor2xx(cseq, body === undefined ? {} : { body, contentType: 'application/sdp' });
  s.acks.set(cseq, ack);
  transmitAck(ctx, cseq, ack);
}

/** A retransmitted 2xx: the same ACK again (§13.2.2.4), subject to loseAcks. */
export function resendAck(ctx: CallContext, res: SipResponse, cseq: number): void {
  const ack = ctx.state.acks.get(cseq);
  if (ack !== undefined) transmitAck(ctx, cseq, ack);
  else note(ctx, `${res.status} for INVITE CSeq ${cseq} we never sent an ACK for`);
}

function transmitAck(ctx: CallContext, cseq: number, ack: SipRequest): void {
  const s = ctx.state;
  const lose = cseq === s.initialInviteCSeq && s.acksLost < ctx.opts.loseAcks;
  if (lose) s.acksLost++;
  ctx.agent.send(ack, ctx.nextHop(ack), lose);
}

/** Hangs up (once): stops media, sends BYE, waits for its final response (Timer F bounds it). */
export async function sendBye(ctx: CallContext, reason: EndReason = 'bye-sent', why?: string): Promise<void> {
  const s = ctx.state;
  if (s.phase !== 'confirmed') return;
  if (why !== undefined) note(ctx, why);
  s.phase = 'terminating';
  s.cancelRefresh?.();
  s.cancelExpiry?.();
  ctx.media.stop();
  const sentAt = ctx.clock.now();
  const { outcome } = await inDialogRequest(ctx, 'BYE');
  if (outcome.kind === 'final') {
    if (outcome.response.status < 300) s.timings.byeTo200Ms = ctx.clock.now() - sentAt;
    else note(ctx, `BYE answered ${outcome.response.status} ${outcome.response.reason}`);
  } else {
    note(ctx, `BYE got no final response (${outcome.kind})`);
  }
  ctx.finish(reason);
}

/**
 * A re-INVITE with a new offer (our direction wish and codec list), queued behind any other of
 * ours. Resolves to 'done' or a reason it did not take effect.
 */
export function reinvite(
  ctx: CallContext,
  direction: MediaDirection,
  codecs?: readonly OfferCodecName[],
  headers: ReadonlyArray<readonly [string, string]> = [],
): Promise<string> {
  const run = ctx.state.reinviteChain.then(() => doReinvite(ctx, direction, codecs, headers));
  ctx.state.reinviteChain = run.then(() => undefined);
  return run;
}

async function doReinvite(
  ctx: CallContext,
  direction: MediaDirection,
  codecs: readonly OfferCodecName[] | undefined,
  headers: ReadonlyArray<readonly [string, string]>,
): Promise<string> {
  const s = ctx.state;
  if (s.phase !== 'confirmed') return 'skipped: no established call';
  s.reinviteBusy = true;
  try {
    for (let attempt = 0; attempt <= MAX_GLARE_RETRIES; attempt++) {
      const body = Buffer.from(ctx.sdp.offer(direction, codecs));
      const { outcome, cseq } = await inDialogRequest(ctx, 'INVITE', { body, contentType: 'application/sdp', headers });
      if (s.phase !== 'confirmed') return 'skipped: call ended meanwhile';
      if (outcome.kind !== 'final') return `failed: no final response (${outcome.kind})`;
      const res = outcome.response;
      if (res.status === 491 && attempt < MAX_GLARE_RETRIES) {
        await ctx.clock.sleep(GLARE_MIN_MS + Math.random() * (GLARE_MAX_MS - GLARE_MIN_MS));
        continue;
      }
      if (res.status >= 300) return `failed: ${res.status} ${res.reason}`;
      sendAck(ctx, cseq);
      const remote = readRemoteSdp(res.body);
      const plan = 'error' in remote ? remote : ctx.sdp.applyAnswer(remote);
      if ('error' in plan) {
        note(ctx, `re-INVITE answer unusable (${plan.error}); media unchanged`);
        return `failed: ${plan.error}`;
      }
      applyPlan(ctx, plan);
      onSessionTimerAnswer(ctx, res.headers, () => background(ctx, refreshSession(ctx)), (why) => background(ctx, sendBye(ctx, 'bye-sent', why)));
      return 'done';
    }
    return 'failed: 491 Request Pending after retries';
  } finally {
    s.reinviteBusy = false;
  }
}

/** RFC 4028 §7.4: a refresh with the interval in force (re-INVITE with the same SDP, or UPDATE). */
export async function refreshSession(ctx: CallContext): Promise<void> {
  if (ctx.state.phase !== 'confirmed') return;
  const headers = refreshHeaders(ctx);
  if (ctx.opts.sessionTimer?.method === 'UPDATE') {
    const { outcome } = await inDialogRequest(ctx, 'UPDATE', { headers });
    if (outcome.kind === 'final' && outcome.response.status < 300) {
      onSessionTimerAnswer(ctx, outcome.response.headers, () => background(ctx, refreshSession(ctx)), (why) => background(ctx, sendBye(ctx, 'bye-sent', why)));
    } else {
      note(ctx, `session refresh (UPDATE) failed: ${outcome.kind === 'final' ? outcome.response.status : outcome.kind}`);
    }
    return;
  }
  const r = await reinvite(ctx, ctx.state.want, undefined, headers);
  if (r !== 'done') note(ctx, `session refresh (re-INVITE) ${r}`);
}
