import { ok, type Result } from '../result.js';
import { answerOffer } from './answer.js';
import type { SdpFailure } from './errors.js';
import type { LocalSdpSession } from './local-session.js';
import { validatePrefs } from './prefs.js';
import { readSdp } from './sdp-reader.js';
import type { NegotiatedMedia, NegotiationPrefs } from './types.js';

/** What a re-offer changed, so the call layer knows which parts of the media path to touch. */
export interface MediaChanges {
  /** Remote RTP/RTCP address or port moved: re-point the RTP session. */
  remoteAddress: boolean;
  codec: boolean;
  dtmf: boolean;
  /** Our direction changed (hold/resume). */
  direction: boolean;
  /** SRTP was switched on/off, or either side's keys changed: build a new SrtpSession. */
  srtp: boolean;
}

export type RenegotiationResult = Result<
  { answerSdp: string; media: NegotiatedMedia; session: LocalSdpSession; changes: MediaChanges },
  SdpFailure
>;

/**
 * Answers a re-INVITE/UPDATE offer in an established dialog (RFC 3264 §8): hold/resume, address
 * or codec change, or a session refresh. The current codec is kept while still offered and our
 * SRTP keys are kept while the suite is unchanged, so an unchanged offer gets our previous SDP
 * back with the same o= version. On failure the previous media stays in force (RFC 3264 §8:
 * a rejected re-offer leaves the session as it was).
 */
export function renegotiate(
  previous: NegotiatedMedia,
  newOfferSdp: string,
  prefs: NegotiationPrefs & { session: LocalSdpSession },
): RenegotiationResult {
  validatePrefs(prefs);
  const read = readSdp(newOfferSdp);
  if (!read.ok) return read;
  const hints = previous.srtp
    ? { preferCodec: previous.codec.name, reuseLocalKeys: previous.srtp.localKeys }
    : { preferCodec: previous.codec.name };
  const r = answerOffer(read.value, prefs, prefs.session, hints);
  if (!r.ok) return r;
  return ok({ ...r.value, changes: diff(previous, r.value.media) });
}

function sameKeys(a: NegotiatedMedia['srtp'], b: NegotiatedMedia['srtp']): boolean {
  if (a === undefined || b === undefined) return a === b;
  const eq = (x: Buffer | undefined, y: Buffer | undefined): boolean =>
    x === undefined || y === undefined ? x === y : x.equals(y);
  return (
    a.profile === b.profile &&
    a.localKeys.masterKey.equals(b.localKeys.masterKey) &&
    a.localKeys.masterSalt.equals(b.localKeys.masterSalt) &&
    eq(a.localKeys.mki, b.localKeys.mki) &&
    a.remoteKeys.masterKey.equals(b.remoteKeys.masterKey) &&
    a.remoteKeys.masterSalt.equals(b.remoteKeys.masterSalt) &&
    eq(a.remoteKeys.mki, b.remoteKeys.mki)
  );
}

function diff(a: NegotiatedMedia, b: NegotiatedMedia): MediaChanges {
  return {
    remoteAddress:
      a.remoteAddress !== b.remoteAddress ||
      a.remotePort !== b.remotePort ||
      a.remoteRtcpAddress !== b.remoteRtcpAddress ||
      a.remoteRtcpPort !== b.remoteRtcpPort ||
      a.rtcpMux !== b.rtcpMux,
    codec: a.codec.name !== b.codec.name || a.codec.payloadType !== b.codec.payloadType,
    dtmf: a.dtmf?.payloadType !== b.dtmf?.payloadType,
    direction: a.direction !== b.direction,
    srtp: !sameKeys(a.srtp, b.srtp),
  };
}
