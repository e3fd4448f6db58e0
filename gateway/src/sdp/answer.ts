import type { MediaDescription } from 'sdp-transform';
import { err, ok } from '../result.js';
import { formatCryptoAttribute, generateKeys, type CryptoAttribute, type SrtpKeys } from '../rtp/srtp/index.js';
import { chooseCodec, chooseTelephoneEvent, describeOffered, G711_CLOCK_RATE } from './codec-select.js';
import { chooseCrypto } from './crypto-select.js';
import { effectiveOfferDirection, isHold, mirrorDirection } from './direction.js';
import { combineProblems, sdpFailure, type StreamProblem } from './errors.js';
import type { LocalSdpSession } from './local-session.js';
import { DEFAULT_PTIME_MS } from './prefs.js';
import type { MediaSection, RemoteSdp } from './sdp-reader.js';
import { checkConnection, DTLS_REASON, transportKind } from './transport.js';
import type { AudioCodecName, NegotiatedMedia, NegotiationPrefs, NegotiationResult } from './types.js';

/** The telephone-event range we receive and send (RFC 4733 §3.2 DTMF events). */
export const TELEPHONE_EVENT_FMTP = '0-15';

/** What an earlier negotiation of this dialog lets us keep stable on a re-offer. */
export interface AnswerHints {
  /** Keep this codec if it is still offered (no codec flip-flop on session refresh). */
  preferCodec?: AudioCodecName;
  /** Keep our SRTP keys if the same suite is chosen (no rekey, so our SDP can stay identical). */
  reuseLocalKeys?: SrtpKeys;
}

/** One acceptable audio m= line and what we would answer on it. */
interface AudioPlan {
  section: MediaSection;
  codec: { name: AudioCodecName; payloadType: number };
  dtmfPayloadType: number | undefined;
  crypto: CryptoAttribute | undefined;
}

function evaluate(section: MediaSection, prefs: NegotiationPrefs, hints: AnswerHints): AudioPlan | StreamProblem {
  const kind = transportKind(section.proto);
  if (kind === 'dtls') return { code: 'SDP_ERR_DTLS_UNSUPPORTED', reason: DTLS_REASON };
  if (kind === 'other') return { code: 'SDP_ERR_UNSUPPORTED_TRANSPORT', reason: `transport ${section.proto} is not supported` };
  const connectionProblem = checkConnection(section.connection!);
  if (connectionProblem) return connectionProblem;
  if (kind === 'sdes') {
    if (section.cryptoLines.length === 0) {
      return section.hasFingerprint
        ? { code: 'SDP_ERR_DTLS_UNSUPPORTED', reason: DTLS_REASON }
        : { code: 'SDP_ERR_NO_USABLE_CRYPTO', reason: `${section.proto} offered without a=crypto` };
    }
    if (prefs.srtp === 'off') {
      return { code: 'SDP_ERR_SRTP_DISABLED', reason: `SRTP offered (${section.proto}) but SRTP is disabled here` };
    }
  } else if (prefs.srtp === 'required') {
    return { code: 'SDP_ERR_SRTP_REQUIRED', reason: `SRTP required but the offer is plain ${section.proto}` };
  }

  const preference = hints.preferCodec
    ? [hints.preferCodec, ...prefs.codecs.filter((c) => c !== hints.preferCodec)]
    : prefs.codecs;
  const codec = chooseCodec(section.rtpFormats, preference);
  if (!codec) {
    return { code: 'SDP_ERR_NO_COMMON_CODEC', reason: `no common codec (offered: ${describeOffered(section.rtpFormats)})` };
  }

  let crypto: CryptoAttribute | undefined;
  if (kind === 'sdes') {
    const chosen = chooseCrypto(section.cryptoLines);
    if (!chosen.ok) {
      return { code: 'SDP_ERR_NO_USABLE_CRYPTO', reason: `no usable a=crypto (${chosen.error.join('; ')})` };
    }
    crypto = chosen.value;
  }
  return {
    section,
    codec,
    dtmfPayloadType: prefs.dtmf ? chooseTelephoneEvent(section.rtpFormats) : undefined,
    crypto,
  };
}

/**
 * RFC 3264 §6: answers an offer. One active audio m= line is accepted; every other m= line
 * (video, a second audio, T.38...) is rejected with port 0, keeping the offer's m= count and order.
 */
export function answerOffer(
  remote: RemoteSdp,
  prefs: NegotiationPrefs,
  session: LocalSdpSession,
  hints: AnswerHints = {},
): NegotiationResult {
  const audio = remote.media.filter((m) => m.type === 'audio');
  if (audio.length === 0) return err(sdpFailure('SDP_ERR_NO_AUDIO', 'no audio m= line in the offer'));
  const active = audio.filter((m) => m.port !== 0);
  if (active.length === 0) return err(sdpFailure('SDP_ERR_STREAM_REJECTED', 'the offer has no active audio stream (all ports 0)'));

  const plans: AudioPlan[] = [];
  const problems: StreamProblem[] = [];
  for (const section of active) {
    const r = evaluate(section, prefs, hints);
    if ('section' in r) plans.push(r);
    else problems.push(r);
  }
  // With SRTP optional, an SDES stream beats a plain one offered alongside it.
  const plan = (prefs.srtp === 'optional' ? plans.find((p) => p.crypto !== undefined) : undefined) ?? plans[0];
  if (!plan) return err(combineProblems(problems));
  return buildAnswer(remote, plan, prefs, session, hints);
}

function buildAnswer(
  remote: RemoteSdp,
  plan: AudioPlan,
  prefs: NegotiationPrefs,
  session: LocalSdpSession,
  hints: AnswerHints,
): NegotiationResult {
  const { section, codec, dtmfPayloadType, crypto } = plan;
  const ptimeMs = prefs.ptimeMs ?? DEFAULT_PTIME_MS;
  const remoteDirection = effectiveOfferDirection(section.direction, section.connection);
  const direction = mirrorDirection(remoteDirection);

  let srtp: NegotiatedMedia['srtp'];
  if (crypto) {
    const reuse = hints.reuseLocalKeys;
    const localKeys = reuse && reuse.profile === crypto.profile ? reuse : generateKeys(crypto.profile);
    srtp = { profile: crypto.profile, localKeys, remoteKeys: crypto.keys, tag: crypto.tag };
  }

  const audioLine: MediaDescription = {
    type: 'audio',
    port: prefs.local.port,
    protocol: section.proto,
    payloads: dtmfPayloadType === undefined ? `${codec.payloadType}` : `${codec.payloadType} ${dtmfPayloadType}`,
    rtp: [{ payload: codec.payloadType, codec: codec.name, rate: G711_CLOCK_RATE }],
    fmtp: [],
    ptime: ptimeMs,
    direction,
  };
  if (dtmfPayloadType !== undefined) {
    audioLine.rtp.push({ payload: dtmfPayloadType, codec: 'telephone-event', rate: G711_CLOCK_RATE });
    audioLine.fmtp.push({ payload: dtmfPayloadType, config: TELEPHONE_EVENT_FMTP });
  }
  if (section.rtcpMux) audioLine.rtcpMux = 'rtcp-mux';
  if (srtp) audioLine.crypto = [cryptoLine(srtp.tag, srtp.localKeys)];

  const media = remote.media.map((m): MediaDescription =>
    m.index === section.index ? audioLine : { type: m.type, port: 0, protocol: m.proto, payloads: m.formats.join(' '), rtp: [], fmtp: [] },
  );
  const answerSdp = session.render({ address: prefs.local.address, media });

  const connection = section.connection!;
  const negotiated: NegotiatedMedia = {
    remoteAddress: connection.address,
    remotePort: section.port,
    remoteRtcpPort: section.rtcp?.port ?? (section.rtcpMux ? section.port : section.port + 1),
    remoteRtcpAddress: section.rtcp?.address ?? connection.address,
    rtcpMux: section.rtcpMux,
    codec: { name: codec.name, payloadType: codec.payloadType, clockRate: G711_CLOCK_RATE },
    ptimeMs,
    direction,
    onHold: isHold(remoteDirection),
    mediaIndex: section.index,
  };
  if (dtmfPayloadType !== undefined) negotiated.dtmf = { payloadType: dtmfPayloadType };
  if (section.ptime !== undefined) negotiated.remotePtimeMs = section.ptime;
  if (section.maxptime !== undefined) negotiated.remoteMaxPtimeMs = section.maxptime;
  if (srtp) negotiated.srtp = srtp;
  return ok({ answerSdp, media: negotiated, session });
}

/** a=crypto in sdp-transform's shape: id, suite, key params (the formatted line split). */
export function cryptoLine(tag: number, keys: SrtpKeys): { id: number; suite: string; config: string } {
  const [, suite, config] = formatCryptoAttribute(tag, keys).split(' ') as [string, string, string];
  return { id: tag, suite, config };
}
