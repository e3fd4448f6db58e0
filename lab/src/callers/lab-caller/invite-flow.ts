/**
 * Placing the call (RFC 3261 §13.2): the INVITE with our offer, provisional timings, one retry for
 * a digest challenge (§22.2) and one for 422 Session Interval Too Small (RFC 4028 §7.4), CANCEL
 * (§9.1: only after a provisional response, and the INVITE transaction is dropped 64·T1 after the
 * CANCEL if no final arrives), and on 2xx: confirm the dialog, ACK, start media.
 */
import { applyPlan, background, note, type CallContext } from './call-context.js';
import { newBranch, parseMinSE, type SipResponse } from 'connect-realtime-gateway';
import { readRemoteSdp } from './sdp/remote-media.js';
import { answerChallenge } from './sip/digest-auth.js';
import { refreshSession, sendAck, sendBye } from './dialog-requests.js';
import { inviteSessionTimerHeaders, onSessionTimerAnswer } from './session-timer.js';

/** Initial INVITE plus an auth retry plus a 422 retry, and one spare for an auth after the 422. */
const MAX_INVITE_ATTEMPTS = 4;

export async function placeCall(ctx: CallContext): Promise<void> {
  const s = ctx.state;
  s.phase = 'inviting';
  const offer = Buffer.from(ctx.sdp.offer('sendrecv'));
  let auth: [string, string] | undefined;
  let minSE: number | undefined;
  let authTried = false;
  let minSeTried = false;
  const stopNoAnswer = ctx.clock.after(ctx.opts.answerTimeoutMs, () => {
    if (s.phase !== 'inviting') return;
    note(ctx, `no final answer within ${ctx.opts.answerTimeoutMs} ms: cancelling`);
    requestCancel(ctx);
  });
  try {
    for (let attempt = 0; attempt < MAX_INVITE_ATTEMPTS; attempt++) {
      const cseq = ctx.dialog.nextCSeq();
      const headers: Array<readonly [string, string]> = [...inviteSessionTimerHeaders(ctx.opts, minSE), ...ctx.opts.extraHeaders];
      if (auth !== undefined) headers.push(auth);
      const req = ctx.dialog.invite(cseq, newBranch(), { headers, body: offer, contentType: 'application/sdp' });
      s.inviteAttempts++;
      // Timings describe the last attempt: the one whose answer decided the call.
      s.timings = {};
      const sentAt = ctx.clock.now();
      const tx = ctx.agent.request(req, ctx.opts.target, (res) => onProvisional(ctx, res));
      s.invite = { req, cseq, sentAt, provisional: false, tx };
      const out = await tx.done;
      if (s.phase !== 'inviting') return;
      if (out.kind === 'timeout') {
        note(ctx, `INVITE: no response within Timer B (${64 * ctx.opts.t1Ms} ms)`);
        ctx.finish('no-response');
        return;
      }
      if (out.kind === 'aborted') {
        ctx.finish(s.cancel.sentAt !== undefined ? 'no-response' : 'transport-closed');
        return;
      }
      const res = out.response;
      const now = ctx.clock.now();
      s.finalStatus = res.status;
      s.finalReason = res.reason;
      s.timings.inviteToFinalMs = now - sentAt;
      if (s.cancel.sentAt !== undefined) s.timings.cancelToFinalMs = now - s.cancel.sentAt;
      if (res.status < 300) {
        await onAnswered(ctx, res, cseq);
        return;
      }
      const creds = ctx.opts.credentials;
      if ((res.status === 401 || res.status === 407) && creds !== undefined && !authTried && !s.cancel.requested) {
        authTried = true;
        const a = answerChallenge(res, creds, { method: 'INVITE', uri: req.uri });
        if (typeof a !== 'string') {
          auth = [a.header, a.value];
          continue;
        }
        note(ctx, `cannot answer the challenge: ${a}`);
      }
      if (res.status === 422 && !minSeTried && !s.cancel.requested) {
        minSeTried = true;
        const m = parseMinSE(res.headers.get('min-se'));
        if (m !== undefined) {
          minSE = m;
          continue;
        }
        note(ctx, '422 without a usable Min-SE');
      }
      ctx.finish(res.status === 487 && s.cancel.requested ? 'cancelled' : 'rejected');
      return;
    }
    ctx.finish('rejected');
  } finally {
    stopNoAnswer();
  }
}

function onProvisional(ctx: CallContext, res: SipResponse): void {
  const s = ctx.state;
  const inv = s.invite;
  if (inv === undefined) return;
  const dt = ctx.clock.now() - inv.sentAt;
  if (res.status === 100) s.timings.inviteTo100Ms ??= dt;
  else if (res.status === 180) s.timings.inviteTo180Ms ??= dt;
  else if (res.status === 183) s.timings.inviteTo183Ms ??= dt;
  inv.provisional = true;
  if (s.cancel.requested && s.cancel.sentAt === undefined) sendCancel(ctx);
}

/** Asks for the INVITE to be cancelled; false when there is nothing to cancel any more. */
export function requestCancel(ctx: CallContext): boolean {
  const s = ctx.state;
  if (s.phase !== 'inviting' || s.cancel.requested) return false;
  s.cancel.requested = true;
  if (s.invite?.provisional === true) sendCancel(ctx);
  return true;
}

function sendCancel(ctx: CallContext): void {
  const s = ctx.state;
  const inv = s.invite;
  if (inv === undefined) return;
  const cancel = ctx.dialog.cancelFor(inv.req);
  s.cancel.sentAt = ctx.clock.now();
  const tx = ctx.agent.request(cancel, ctx.opts.target);
  void tx.done.then((o) => {
    if (o.kind === 'final' && o.response.status >= 300) note(ctx, `CANCEL answered ${o.response.status} ${o.response.reason}`);
  });
  // §9.1: without a final response 64·T1 after the CANCEL, the INVITE transaction is given up.
  ctx.clock.after(64 * ctx.opts.t1Ms, () => inv.tx.abort());
}

async function onAnswered(ctx: CallContext, res: SipResponse, cseq: number): Promise<void> {
  const s = ctx.state;
  ctx.dialog.confirm(res);
  s.phase = 'confirmed';
  s.initialInviteCSeq = cseq;
  if (s.invite !== undefined) s.timings.inviteTo200Ms = ctx.clock.now() - s.invite.sentAt;
  sendAck(ctx, cseq);
  if (s.cancel.requested) {
    // §9.1: the 2xx crossed our CANCEL; the call exists now and must be hung up.
    await sendBye(ctx, 'bye-sent', '200 OK crossed our CANCEL: ACKed and hung up');
    return;
  }
  const remote = readRemoteSdp(res.body);
  const plan = 'error' in remote ? remote : ctx.sdp.applyAnswer(remote);
  if ('error' in plan) {
    await sendBye(ctx, 'bad-answer', `unusable answer: ${plan.error}`);
    return;
  }
  applyPlan(ctx, plan);
  s.answeredAt = ctx.clock.now();
  ctx.onAnswered(s.answeredAt);
  onSessionTimerAnswer(ctx, res.headers, () => background(ctx, refreshSession(ctx)), (why) => background(ctx, sendBye(ctx, 'bye-sent', why)));
}
