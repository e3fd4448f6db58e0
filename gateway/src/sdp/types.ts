import type { Result } from '../result.js';
import type { SrtpKeys, SrtpProfile } from '../rtp/srtp/index.js';
import type { SdpFailure } from './errors.js';
import type { LocalSdpSession } from './local-session.js';

export type AudioCodecName = 'PCMU' | 'PCMA';
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
export type SrtpPolicy = 'off' | 'optional' | 'required';

export interface NegotiationPrefs {
  /** Codecs we accept, in our preference order. */
  codecs: readonly AudioCodecName[];
  /** Accept/offer RFC 4733 telephone-event/8000. */
  dtmf: boolean;
  /** off: plain RTP only; optional: SDES-SRTP when offered; required: SDES-SRTP or 488. */
  srtp: SrtpPolicy;
  /** The address and RTP port we advertise (public address when behind NAT). */
  local: { address: string; port: number };
  /** Packetization we send, ms. Default 20. */
  ptimeMs?: number;
  /** The o= state of this dialog (RFC 3264 §8); a new one is created and returned if absent. */
  session?: LocalSdpSession;
  /** o= sess-id for the new session when `session` is absent (default: random). */
  sessionId?: string;
}

export interface NegotiatedSrtp {
  profile: SrtpProfile;
  /** Our sending keys (in our SDP). */
  localKeys: SrtpKeys;
  /** The peer's sending keys (in its SDP). */
  remoteKeys: SrtpKeys;
  /** The a=crypto tag that was accepted. */
  tag: number;
}

export interface NegotiatedMedia {
  remoteAddress: string;
  remotePort: number;
  /** Where to send RTCP: a=rtcp port, else remotePort with rtcp-mux, else remotePort + 1. */
  remoteRtcpPort: number;
  /** Address for RTCP (a=rtcp may name one; otherwise remoteAddress). */
  remoteRtcpAddress: string;
  /** RTP and RTCP share our port (RFC 5761); otherwise we receive RTCP on local port + 1. */
  rtcpMux: boolean;
  codec: { name: AudioCodecName; payloadType: number; clockRate: 8000 };
  /** telephone-event/8000 payload type, when negotiated. */
  dtmf?: { payloadType: number };
  /** Packetization we send, ms. */
  ptimeMs: number;
  /** a=ptime the peer asked for, if any (we still send ptimeMs). */
  remotePtimeMs?: number;
  /** a=maxptime of the peer, if any. */
  remoteMaxPtimeMs?: number;
  /** OUR direction: sendonly/sendrecv mean we send, recvonly/sendrecv that we expect media. */
  direction: MediaDirection;
  /** The peer has put us on hold (it offered sendonly/inactive, or the legacy c=0.0.0.0). */
  onHold: boolean;
  srtp?: NegotiatedSrtp;
  /** Index of the m= line carrying this stream (others were rejected with port 0). */
  mediaIndex: number;
}

export type NegotiationResult = Result<{ answerSdp: string; media: NegotiatedMedia; session: LocalSdpSession }, SdpFailure>;
