import type { MediaDescription } from 'sdp-transform';
import { err, ok, type Result } from '../result.js';
import { generateKeys, parseCryptoAttribute, SRTP_PROFILES, type SrtpKeys } from '../rtp/srtp/index.js';
import { cryptoLine, TELEPHONE_EVENT_FMTP } from './answer.js';
import { G711_CLOCK_RATE } from './codec-select.js';
import { effectiveOfferDirection, isHold, mirrorDirection } from './direction.js';
import { sdpFailure, type SdpFailure } from './errors.js';
import { LocalSdpSession } from './local-session.js';
import { DEFAULT_PTIME_MS, validatePrefs } from './prefs.js';
import { readSdp } from './sdp-reader.js';
import { STATIC_PT } from './static-payload-types.js';
import { checkConnection } from './transport.js';
import type { AudioCodecName, NegotiatedMedia, NegotiationPrefs } from './types.js';

/** The dynamic payload type we pick for telephone-event in our own offers. */
export const OFFER_TELEPHONE_EVENT_PT = 101;

/** What we offered, kept until the answer arrives (in the ACK for an SDP-less INVITE). */
export interface PendingOffer {
  proto: 'RTP/AVP' | 'RTP/SAVP';
  codecs: ReadonlyArray<{ name: AudioCodecName; payloadType: number }>;
  dtmfPayloadType?: number;
  /** Our a=crypto lines (empty for plain RTP): tag and our sending keys. */
  crypto: ReadonlyArray<{ tag: number; keys: SrtpKeys }>;
  ptimeMs: number;
}

export interface SdpOffer {
  offerSdp: string;
  pending: PendingOffer;
  session: LocalSdpSession;
}

export type AnswerResult = Result<NegotiatedMedia, SdpFailure>;

/**
 * Our offer (RFC 3264 §5) for an INVITE without SDP (sent in the 200 OK) or an SDP-less re-INVITE.
 * srtp 'required' offers RTP/SAVP with one a=crypto per supported suite; 'optional' and 'off' offer
 * plain RTP/AVP, since an RTP/SAVP offer would make SRTP mandatory for the peer. `previous` keeps
 * the current codec first and our current SRTP keys, so a re-offer does not force a rekey.
 */
export function createOffer(prefs: NegotiationPrefs, previous?: NegotiatedMedia): SdpOffer {
  validatePrefs(prefs);
  const session = prefs.session ?? new LocalSdpSession(prefs.sessionId === undefined ? {} : { sessionId: prefs.sessionId });
  const ptimeMs = prefs.ptimeMs ?? DEFAULT_PTIME_MS;
  const order = previous ? [previous.codec.name, ...prefs.codecs.filter((c) => c !== previous.codec.name)] : prefs.codecs;
  const codecs = order.filter((c) => prefs.codecs.includes(c)).map((name) => ({ name, payloadType: STATIC_PT[name] }));
  const secure = prefs.srtp === 'required';
  const crypto = secure
    ? SRTP_PROFILES.map((profile, i) => ({
        tag: i + 1,
        keys: previous?.srtp?.profile === profile ? previous.srtp.localKeys : generateKeys(profile),
      }))
    : [];

  const line: MediaDescription = {
    type: 'audio',
    port: prefs.local.port,
    protocol: secure ? 'RTP/SAVP' : 'RTP/AVP',
    payloads: codecs.map((c) => c.payloadType).join(' '),
    rtp: codecs.map((c) => ({ payload: c.payloadType, codec: c.name, rate: G711_CLOCK_RATE })),
    fmtp: [],
    ptime: ptimeMs,
    direction: 'sendrecv',
  };
  if (prefs.dtmf) {
    line.payloads += ` ${OFFER_TELEPHONE_EVENT_PT}`;
    line.rtp.push({ payload: OFFER_TELEPHONE_EVENT_PT, codec: 'telephone-event', rate: G711_CLOCK_RATE });
    line.fmtp.push({ payload: OFFER_TELEPHONE_EVENT_PT, config: TELEPHONE_EVENT_FMTP });
  }
  if (secure) line.crypto = crypto.map((c) => cryptoLine(c.tag, c.keys));

  const offerSdp = session.render({ address: prefs.local.address, media: [line] });
  const pending: PendingOffer = { proto: secure ? 'RTP/SAVP' : 'RTP/AVP', codecs, crypto, ptimeMs };
  if (prefs.dtmf) pending.dtmfPayloadType = OFFER_TELEPHONE_EVENT_PT;
  return { offerSdp, pending, session };
}

/**
 * Reads the answer to our offer (RFC 3264 §6/§7): same single m= line, not rejected, same
 * transport, one of our codecs, and for SRTP an a=crypto echoing one of our tags and suites.
 * Never throws; a failure means the call should be ended (an ACK cannot be refused).
 */
export function acceptAnswer(offer: PendingOffer, answerSdp: string): AnswerResult {
  const read = readSdp(answerSdp);
  if (!read.ok) return read;
  const media = read.value.media;
  if (media.length !== 1) {
    return err(sdpFailure('SDP_ERR_ANSWER_MISMATCH', `answer has ${media.length} m= lines; our offer had 1 (RFC 3264 §6)`));
  }
  const section = media[0]!;
  if (section.type !== 'audio') return err(sdpFailure('SDP_ERR_ANSWER_MISMATCH', `answer m= line is ${section.type}, offer was audio`));
  if (section.port === 0) return err(sdpFailure('SDP_ERR_STREAM_REJECTED', 'the answer rejected the audio stream (port 0)'));
  if (section.proto.toUpperCase() !== offer.proto) {
    return err(sdpFailure('SDP_ERR_ANSWER_MISMATCH', `answer transport ${section.proto} differs from offered ${offer.proto}`));
  }
  const connectionProblem = checkConnection(section.connection!);
  if (connectionProblem) return err(sdpFailure(connectionProblem.code, connectionProblem.reason));

  // The answerer lists what it will use; its first format that is one of ours wins.
  let codec: { name: AudioCodecName; payloadType: number } | undefined;
  for (const f of section.rtpFormats) {
    codec = offer.codecs.find((c) => c.payloadType === f.payloadType || (f.name.toUpperCase() === c.name && f.clockRate === G711_CLOCK_RATE));
    if (codec) {
      codec = { name: codec.name, payloadType: f.payloadType };
      break;
    }
  }
  if (!codec) return err(sdpFailure('SDP_ERR_NO_COMMON_CODEC', 'the answer chose none of the codecs we offered'));

  let srtp: NegotiatedMedia['srtp'];
  if (offer.crypto.length > 0) {
    const errors: string[] = [];
    for (const raw of section.cryptoLines) {
      const parsed = parseCryptoAttribute(raw);
      if (!parsed.ok) {
        errors.push(parsed.error);
        continue;
      }
      const ours = offer.crypto.find((c) => c.tag === parsed.value.tag && c.keys.profile === parsed.value.profile);
      if (ours) {
        srtp = { profile: parsed.value.profile, localKeys: ours.keys, remoteKeys: parsed.value.keys, tag: parsed.value.tag };
        break;
      }
      errors.push(`tag ${parsed.value.tag} ${parsed.value.profile} was not offered`);
    }
    if (!srtp) {
      return err(sdpFailure('SDP_ERR_NO_USABLE_CRYPTO', `the answer has no usable a=crypto${errors.length ? ` (${errors.join('; ')})` : ''}`));
    }
  }

  const dtmf =
    offer.dtmfPayloadType === undefined
      ? undefined
      : section.rtpFormats.find((f) => f.name.toLowerCase() === 'telephone-event' && f.clockRate === G711_CLOCK_RATE);
  const remoteDirection = effectiveOfferDirection(section.direction, section.connection);
  const connection = section.connection!;
  // We did not offer rtcp-mux, so the answer cannot turn it on (RFC 5761 §5.1.1).
  const result: NegotiatedMedia = {
    remoteAddress: connection.address,
    remotePort: section.port,
    remoteRtcpPort: section.rtcp?.port ?? section.port + 1,
    remoteRtcpAddress: section.rtcp?.address ?? connection.address,
    rtcpMux: false,
    codec: { name: codec.name, payloadType: codec.payloadType, clockRate: G711_CLOCK_RATE },
    ptimeMs: offer.ptimeMs,
    direction: mirrorDirection(remoteDirection),
    onHold: isHold(remoteDirection),
    mediaIndex: 0,
  };
  if (dtmf) result.dtmf = { payloadType: dtmf.payloadType };
  if (section.ptime !== undefined) result.remotePtimeMs = section.ptime;
  if (section.maxptime !== undefined) result.remoteMaxPtimeMs = section.maxptime;
  if (srtp) result.srtp = srtp;
  return ok(result);
}
