/**
 * What a run leaves behind: plain data (JSON-serialisable apart from the Buffer payloads and the
 * Int16Array of received audio). Times are ms since run() started, from performance.now().
 */
import type { SendableCodec } from './codecs.js';
import type { SipTransportKind } from './options.js';
import type { ActionKind, MediaDirection } from './script.js';

export interface SipRecord {
  t: number;
  /** 'dropped' = an ACK we deliberately did not send (loseAcks). */
  dir: 'in' | 'out' | 'dropped';
  /** "INVITE", "200 INVITE", "ACK" … (method, or status and CSeq method). */
  summary: string;
  text: string;
}

export interface RtpReceivedRecord {
  t: number;
  seq: number;
  ts: number;
  pt: number;
  marker: boolean;
  ssrc: number;
  payload: Buffer;
}

export type SentKind = 'silence' | 'speech' | 'echo' | 'dtmf';

export interface RtpSentRecord {
  t: number;
  /** Packet index in send order (what dropPackets counts). */
  index: number;
  seq: number;
  ts: number;
  pt: number;
  kind: SentKind;
  /** Dropped by loss injection instead of sent. */
  dropped: boolean;
}

export interface RtcpReceivedRecord {
  t: number;
  /** Packet type of the first packet of the compound (200 SR, 201 RR …). */
  firstType: number;
  length: number;
}

export interface ActionRecord {
  /** When it ran (or was skipped). */
  t: number;
  /** Index in the script. */
  index: number;
  kind: ActionKind;
  outcome: 'done' | 'skipped' | 'failed' | 'timeout' | 'pending';
  detail?: string;
}

export interface NegotiatedRecord {
  codec: { name: string; payloadType: number };
  telephoneEventPt?: number;
  srtpProfile?: string;
  remoteAddress: string;
  remotePort: number;
  /** Our direction after the last offer/answer. */
  direction: MediaDirection;
}

export type EndReason =
  /** We sent BYE (script, waitForBye timeout, or maxCallMs). */
  | 'bye-sent'
  /** The gateway sent BYE. */
  | 'bye-received'
  /** Our CANCEL ended the INVITE (487). */
  | 'cancelled'
  /** The INVITE got a final non-2xx. */
  | 'rejected'
  /** No final response (Timer B) or the transport closed before one. */
  | 'no-response'
  /** The answer could not be used (no common G.711, bad crypto): we hung up. */
  | 'bad-answer'
  /** The SIP connection closed during the call. */
  | 'transport-closed';

export interface LabCallerCounters {
  sipParseErrors: number;
  sipUnmatchedResponses: number;
  rtpMalformed: number;
  /** SRTP unprotect failures by reason. */
  srtpFailures: Record<'short' | 'auth' | 'replay' | 'malformed', number>;
  /** Packets from an address/port other than the one the SDP named. */
  rtpFromUnexpectedSource: number;
  /** Records not kept because a record list reached its cap. */
  recordsDropped: number;
  /** Exceptions caught in the caller's own handlers: bugs of the caller, expected 0. */
  internalErrors: number;
}

export interface PacerStats {
  ticks: number;
  /** How late ticks ran behind their absolute schedule, ms. */
  lateMsMax: number;
  lateMsMean: number;
  /** Ticks more than one frame late, sent in a catch-up burst. */
  catchUps: number;
}

export interface LabCallerResult {
  transport: SipTransportKind;
  callId: string;
  /** Date.now() when run() started, to line records up with other logs. */
  startedAtWallMs: number;
  durationMs: number;
  /** Final status of the (last) INVITE; undefined when none arrived. */
  finalStatus: number | undefined;
  finalReason: string | undefined;
  /** INVITEs sent for the call (an auth or 422 retry makes 2). */
  inviteAttempts: number;
  answered: boolean;
  endReason: EndReason;
  gatewayHungUp: boolean;
  timings: {
    inviteTo100Ms?: number;
    inviteTo180Ms?: number;
    inviteTo183Ms?: number;
    inviteToFinalMs?: number;
    inviteTo200Ms?: number;
    byeTo200Ms?: number;
    cancelToFinalMs?: number;
  };
  negotiated: NegotiatedRecord | undefined;
  sip: SipRecord[];
  rtpReceived: RtpReceivedRecord[];
  rtpSent: RtpSentRecord[];
  rtcpReceived: RtcpReceivedRecord[];
  actions: ActionRecord[];
  /** DTMF digits sent (both ways of sending), in order, with when they started. */
  dtmfSent: Array<{ t: number; digit: string; via: 'rfc4733' | 'info'; status?: number }>;
  /**
   * Received audio (agent), decoded, 8 kHz, placed by RTP timestamp; sample 0 is the answer (the
   * pacer start), silence where nothing arrived. Early media is in rtpReceived only.
   */
  receivedAudio: Int16Array;
  /** The codec the received audio was decoded with. */
  receivedCodec: SendableCodec | undefined;
  pacer: PacerStats;
  counters: LabCallerCounters;
  /** Things that went wrong on the far side or in the run, one line each. */
  notes: string[];
}
