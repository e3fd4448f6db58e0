/**
 * Requests the gateway sends us, answered like a phone (RFC 3261 §12.2.2): BYE → 200 and the call
 * ends; re-INVITE/UPDATE → 200 with our answer (or our offer, for an offer-less re-INVITE, whose
 * answer then comes in the ACK) and a session-timer echo; OPTIONS and INFO → 200; an overlapping
 * re-INVITE while ours is pending → 491; a request for another dialog → 481. Stray responses (the
 * gateway retransmitting its 2xx because our ACK was lost) get the ACK again.
 */
import { applyPlan, background, note, type CallContext } from './call-context.js';
import { createResponse, isParseError, parseCSeq, parseNameAddr, type SipRequest, type SipResponse } from 'connect-realtime-gateway';
import type { HostPort } from './options.js';
import { readRemoteSdp } from './sdp/remote-media.js';
import { ALLOW } from './sip/dialog.js';
import { refreshSession, resendAck, sendBye } from './dialog-requests.js';
import { onPeerRefresh } from './session-timer.js';

const SDP = 'application/sdp';

function cseqOf(m: SipRequest | SipResponse): { seq: number; method: string } | undefined {
  const v = m.headers.get('cseq');
  const c = v === undefined ? undefined : parseCSeq(v);
  return c === undefined || isParseError(c) ? undefined : c;
}

function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const na = parseNameAddr(value);
  return isParseError(na) ? undefined : (na.params.get('tag') ?? undefined);
}

export function onPeerRequest(ctx: CallContext, req: SipRequest, from: HostPort): void {
  const s = ctx.state;
  const reply = (status: number, o: { headers?: Array<[string, string]>; body?: string } = {}): void => {
    const res = createResponse(req, status, {
      toTag: ctx.dialog.localTag,
      headers: o.headers ?? [],
      ...(o.body !== undefined ? { body: Buffer.from(o.body), contentType: SDP } : {}),
    });
    ctx.agent.respond(req, res, from);
  };

  const inDialog =
    req.headers.get('call-id') === ctx.dialog.callId && tagOf(req.headers.get('to')) === ctx.dialog.localTag && ctx.dialog.confirmed;
  if (req.method === 'ACK') {
    if (inDialog) onAck(ctx, req);
    return;
  }
  if (!inDialog) {
    // OPTIONS may probe us outside any dialog (keep-alive); anything else names a dialog we do not have.
    if (req.method === 'OPTIONS') reply(200, { headers: [['Allow', ALLOW], ['Accept', SDP]] });
    else reply(481);
    return;
  }
  const cseq = cseqOf(req);
  if (cseq !== undefined) {
    // §12.2.2: a lower CSeq than one already seen is out of order.
    if (ctx.dialog.remoteCSeq !== undefined && cseq.seq < ctx.dialog.remoteCSeq) {
      reply(500, { headers: [['Retry-After', '1']] });
      return;
    }
    ctx.dialog.remoteCSeq = cseq.seq;
  }
  const bye = (why: string): void => background(ctx, sendBye(ctx, 'bye-sent', why));
  const refresh = (): void => background(ctx, refreshSession(ctx));

  switch (req.method) {
    case 'BYE': {
      reply(200);
      // A BYE crossing ours (we are already terminating) is answered but is not the gateway hanging up.
      if (s.phase === 'confirmed') {
        s.gatewayHungUp = true;
        s.phase = 'terminating';
        s.cancelRefresh?.();
        s.cancelExpiry?.();
        ctx.media.stop();
        ctx.finish('bye-received');
      }
      return;
    }
    case 'INVITE':
    case 'UPDATE': {
      if (s.phase !== 'confirmed') {
        reply(481);
        return;
      }
      if (req.method === 'INVITE' && s.reinviteBusy) {
        reply(491);
        return;
      }
      const timerHeaders = onPeerRefresh(ctx, req.headers, refresh, bye);
      const contact: Array<[string, string]> = [['Contact', ctx.dialog.contact], ['Allow', ALLOW], ...timerHeaders];
      if (req.body.length === 0) {
        if (req.method === 'UPDATE') {
          reply(200, { headers: contact });
          return;
        }
        // An offer-less re-INVITE: we offer in the 2xx, the answer arrives in the ACK (§14.2).
        s.awaitingAckAnswer = true;
        reply(200, { headers: contact, body: ctx.sdp.offer(s.want) });
        return;
      }
      const remote = readRemoteSdp(req.body);
      const answer = 'error' in remote ? remote : ctx.sdp.answer(remote, s.want);
      if ('error' in answer) {
        note(ctx, `${req.method} offer refused with 488: ${answer.error}`);
        reply(488);
        return;
      }
      reply(200, { headers: contact, body: answer.sdp });
      applyPlan(ctx, answer.plan);
      return;
    }
    case 'OPTIONS':
      reply(200, { headers: [['Allow', ALLOW], ['Accept', SDP]] });
      return;
    case 'INFO':
      reply(200);
      return;
    case 'CANCEL':
      // Our 2xx already answered whatever it cancels (§9.2): 200 for the CANCEL, nothing else.
      reply(200);
      return;
    default:
      reply(501, { headers: [['Allow', ALLOW]] });
  }
}

function onAck(ctx: CallContext, ack: SipRequest): void {
  const s = ctx.state;
  if (!s.awaitingAckAnswer) return;
  s.awaitingAckAnswer = false;
  const remote = readRemoteSdp(ack.body);
  const plan = 'error' in remote ? remote : ctx.sdp.applyAnswer(remote);
  if ('error' in plan) note(ctx, `answer in ACK unusable (${plan.error}); media unchanged`);
  else applyPlan(ctx, plan);
}

/** A response no transaction claimed: a retransmitted 2xx to one of our INVITEs gets its ACK again. */
export function onStrayResponse(ctx: CallContext, res: SipResponse): void {
  const cseq = cseqOf(res);
  if (cseq !== undefined && cseq.method === 'INVITE' && res.status >= 200 && res.status < 300 && ctx.dialog.confirmed) {
    if (res.headers.get('call-id') === ctx.dialog.callId) {
      resendAck(ctx, res, cseq.seq);
      return;
    }
  }
  ctx.agent.countUnmatched();
}
