import { answerOffer } from './answer.js';
import { LocalSdpSession } from './local-session.js';
import { validatePrefs } from './prefs.js';
import { readSdp } from './sdp-reader.js';
import type { NegotiationPrefs, NegotiationResult } from './types.js';

/**
 * Answers an SDP offer (RFC 3264 §6) from an INVITE/UPDATE. Never throws on the offer: bad SDP is
 * a 400, acceptable-but-unusable SDP a 488, each with a reason naming the problem. Throws
 * RangeError only for invalid prefs (our configuration).
 */
export function negotiate(offerSdp: string, prefs: NegotiationPrefs): NegotiationResult {
  validatePrefs(prefs);
  const read = readSdp(offerSdp);
  if (!read.ok) return read;
  const session = prefs.session ?? new LocalSdpSession(prefs.sessionId === undefined ? {} : { sessionId: prefs.sessionId });
  return answerOffer(read.value, prefs, session);
}
