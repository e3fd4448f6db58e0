/**
 * The state one call shares between its parts (the INVITE flow, peer requests, timeline actions,
 * session refresh). Plain data plus the objects that do I/O; the parts are functions over it so
 * each file holds one concern.
 */
import type { SipRequest } from 'connect-realtime-gateway';
import type { MediaSession } from './media/media-session.js';
import type { HostPort, ResolvedOptions } from './options.js';
import type { ActionRecord, EndReason, LabCallerResult, NegotiatedRecord } from './result.js';
import type { RunClock } from './run-clock.js';
import type { MediaDirection } from './script.js';
import type { LocalSdp, MediaPlan } from './sdp/local-sdp.js';
import type { ClientTransaction } from './sip/client-transaction.js';
import type { UacDialog } from './sip/dialog.js';
import type { SipAgent } from './sip/sip-agent.js';
import { describeError } from 'connect-realtime-gateway';

export type CallPhase = 'idle' | 'inviting' | 'confirmed' | 'terminating' | 'ended';

export interface CallState {
  phase: CallPhase;
  /** The INVITE currently in its client transaction (initial or retry). */
  invite: { req: SipRequest; cseq: number; sentAt: number; provisional: boolean; tx: ClientTransaction } | undefined;
  inviteAttempts: number;
  finalStatus: number | undefined;
  finalReason: string | undefined;
  cancel: { requested: boolean; sentAt: number | undefined };
  /** ACK per INVITE CSeq, re-sent when that 2xx is retransmitted. */
  acks: Map<number, SipRequest>;
  /** CSeq of the dialog-creating INVITE (loseAcks applies to its 2xx only). */
  initialInviteCSeq: number | undefined;
  acksLost: number;
  /** Our wish: sendrecv, or sendonly while we hold the gateway. */
  want: MediaDirection;
  /** Our own re-INVITE transaction is in progress (RFC 3261 §14.1: one at a time). */
  reinviteBusy: boolean;
  reinviteChain: Promise<void>;
  /** We sent an offer in a 2xx to an offer-less re-INVITE; its answer comes in the ACK. */
  awaitingAckAnswer: boolean;
  /** Session-timer timers (RFC 4028): our refresh, or the expiry we watch when the gateway refreshes. */
  cancelRefresh: (() => void) | undefined;
  cancelExpiry: (() => void) | undefined;
  /** The session interval in force, seconds (refreshes repeat it). */
  sessionIntervalS: number | undefined;
  gatewayHungUp: boolean;
  answeredAt: number | undefined;
  negotiated: NegotiatedRecord | undefined;
  timings: LabCallerResult['timings'];
  dtmfSent: LabCallerResult['dtmfSent'];
  actions: ActionRecord[];
  notes: string[];
  /** Exceptions caught in background work or handlers (bugs of the caller, should stay 0). */
  internalErrors: number;
}

export interface CallContext {
  opts: ResolvedOptions;
  clock: RunClock;
  agent: SipAgent;
  dialog: UacDialog;
  sdp: LocalSdp;
  media: MediaSession;
  state: CallState;
  /** Loaded WAVs by script path. */
  wavs: ReadonlyMap<string, Int16Array>;
  /** Where requests inside the dialog go (first Route or remote target, loopback only). */
  nextHop(req: SipRequest): HostPort;
  /** Ends the call once (later calls are ignored). */
  finish(reason: EndReason): void;
  /** Runs fn when the call ends (at once if it has). */
  onEnd(fn: () => void): void;
  /** Called once when the call is answered (the timeline anchors there). */
  onAnswered(t: number): void;
}

export function newCallState(): CallState {
  return {
    phase: 'idle',
    invite: undefined,
    inviteAttempts: 0,
    finalStatus: undefined,
    finalReason: undefined,
    cancel: { requested: false, sentAt: undefined },
    acks: new Map(),
    initialInviteCSeq: undefined,
    acksLost: 0,
    want: 'sendrecv',
    reinviteBusy: false,
    reinviteChain: Promise.resolve(),
    awaitingAckAnswer: false,
    cancelRefresh: undefined,
    cancelExpiry: undefined,
    sessionIntervalS: undefined,
    gatewayHungUp: false,
    answeredAt: undefined,
    negotiated: undefined,
    timings: {},
    dtmfSent: [],
    actions: [],
    notes: [],
    internalErrors: 0,
  };
}

/** Applies a negotiated plan to the media and records what was agreed. */
export function applyPlan(ctx: CallContext, plan: MediaPlan): void {
  ctx.media.apply(plan);
  const n: NegotiatedRecord = {
    codec: { name: plan.codec.name, payloadType: plan.codec.payloadType },
    remoteAddress: plan.remote.host,
    remotePort: plan.remote.port,
    direction: plan.direction,
  };
  if (plan.telephoneEventPt !== undefined) n.telephoneEventPt = plan.telephoneEventPt;
  if (plan.srtp !== undefined) n.srtpProfile = plan.srtp.profile;
  ctx.state.negotiated = n;
}

/**
 * Runs a piece of the call in the background. A throw there is a bug in the caller, not the
 * far end's doing; it is noted and counted so the run still ends and reports, instead of an
 * unhandled rejection taking the process down.
 */
export function background(ctx: CallContext, p: Promise<unknown>): void {
  p.catch((err: unknown) => {
    ctx.state.internalErrors++;
    note(ctx, `internal error: ${describeError(err, { stack: true })}`);
  });
}

export function note(ctx: CallContext, text: string): void {
  const MAX_NOTES = 1_000;
  if (ctx.state.notes.length < MAX_NOTES) ctx.state.notes.push(`${ctx.clock.now().toFixed(1)} ms: ${text}`);
}
