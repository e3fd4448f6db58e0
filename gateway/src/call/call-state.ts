/**
 * Where a call is, as a union whose variants carry exactly what exists in that phase: no field is
 * "maybe there", so the call never asks `this.#rtp?.` or asserts `this.#dialog!`.
 *
 *   offered ──▶ setting-up ──▶ answered ──▶ ending ──▶ ended
 *      └────────────┴──────────────┴───────────▲   (every path ends through Call.end(reason))
 */
import type { G711Name } from '../audio/index.js';
import type { RealtimeBackend } from '../realtime/backend.js';
import type { RtpSession } from '../rtp/index.js';
import type { LocalSdpSession, NegotiatedMedia } from '../sdp/index.js';
import type { Dialog } from '../sip/index.js';
import type { BargeInPolicy } from './barge-in-policy.js';
import type { EndReason } from './call-stats.js';
import type { DtmfInput } from './dtmf-input.js';
import type { ResponseRecovery } from './response-recovery.js';
import type { MediaBridge } from './media-bridge.js';
import type { PlaybackItem, PlaybackLedger } from './playback-ledger.js';
import type { ToolDispatcher } from './tool-dispatcher.js';
import type { TranscriptLog } from './transcript.js';

/** The call's media once its RTP port pair is bound. */
export interface CallMedia {
  rtp: RtpSession<PlaybackItem>;
  /** What the caller has heard of the agent (and what is queued). */
  playback: PlaybackLedger;
  /** Our o= line state for this dialog (RFC 3264 §8: version bumps only when our SDP changes). */
  sdp: LocalSdpSession;
  /** What offer/answer settled; undefined only between our offer in the 200 and the ACK's answer. */
  negotiated: NegotiatedMedia | undefined;
  codec: G711Name;
}

/** The AI side, present when the Realtime session was ready. */
export interface CallAgent {
  bridge: MediaBridge;
  transcript: TranscriptLog;
  dtmf: DtmfInput;
  tools: ToolDispatcher;
  recovery: ResponseRecovery;
  /** Barge-in decided by the gateway (greeting.interruptible: false, bargeIn.minSpeechMs); absent: by the provider. */
  bargeIn?: BargeInPolicy;
}

/** Everything a call may hold, as teardown and the summary see it. */
export interface CallHoldings {
  media?: CallMedia;
  backend?: RealtimeBackend;
  agent?: CallAgent;
  dialog?: Dialog;
}

export type CallState =
  /** The INVITE is being checked; nothing is allocated. */
  | { phase: 'offered' }
  /** Ports bound, the phone rings, the AI session is being opened (backend set once created). */
  | { phase: 'setting-up'; media: CallMedia; backend: RealtimeBackend | undefined; agent: CallAgent | undefined }
  /** The dialog is confirmed. No agent: the AI was unreachable and the caller gets the apology. */
  | { phase: 'answered'; media: CallMedia; dialog: Dialog; backend: RealtimeBackend | undefined; agent: CallAgent | undefined; handingBack: boolean }
  /** end(reason) is releasing what the call held. */
  | { phase: 'ending'; reason: EndReason; held: CallHoldings }
  | { phase: 'ended'; reason: EndReason; held: CallHoldings };

export type CallPhase = CallState['phase'];

/** What a call in `state` holds (for teardown). */
export function holdingsOf(state: CallState): CallHoldings {
  switch (state.phase) {
    case 'offered':
      return {};
    case 'setting-up':
      return { media: state.media, ...(state.backend ? { backend: state.backend } : {}), ...(state.agent ? { agent: state.agent } : {}) };
    case 'answered':
      return { media: state.media, dialog: state.dialog, ...(state.backend ? { backend: state.backend } : {}), ...(state.agent ? { agent: state.agent } : {}) };
    case 'ending':
    case 'ended':
      return state.held;
  }
}
