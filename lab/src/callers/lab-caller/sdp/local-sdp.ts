/**
 * Our side of offer/answer (RFC 3264): the offer we put in the INVITE or a re-INVITE, reading the
 * answer to it, and answering an offer the gateway makes (its re-INVITE/UPDATE). The o= version
 * goes up only when the SDP changes (§8), so a session-refresh re-INVITE repeats it exactly.
 * SRTP master keys are made once per call, one per offered suite, and kept across re-offers.
 */
import { OFFER_CODECS, isSendable, type OfferCodecName, type SendableCodec } from '../codecs.js';
import { formatCryptoAttribute, generateKeys, type SrtpKeys, type SrtpProfile } from 'connect-realtime-gateway';
import type { HostPort, SrtpMode } from '../options.js';
import type { MediaDirection } from '../script.js';
import type { RemoteMedia } from './remote-media.js';

/** a=fmtp of telephone-event: the sixteen DTMF events plus flash (RFC 4733 §3.2). */
export const TELEPHONE_EVENT_FMTP = '0-16';
export const PTIME_MS = 20;

export interface LocalMediaConfig {
  address: string;
  rtpPort: number;
  codecs: readonly OfferCodecName[];
  telephoneEvent: number | false;
  srtp: SrtpMode;
  srtpProfiles: readonly SrtpProfile[];
}

export interface MediaPlan {
  remote: HostPort;
  remoteRtcp: HostPort;
  rtcpMux: boolean;
  codec: { name: SendableCodec; payloadType: number };
  telephoneEventPt: number | undefined;
  srtp: { profile: SrtpProfile; localKeys: SrtpKeys; remoteKeys: SrtpKeys } | undefined;
  /** Our direction after this exchange. */
  direction: MediaDirection;
}

export function sends(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}

export function receives(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}

export function directionOf(send: boolean, receive: boolean): MediaDirection {
  return send ? (receive ? 'sendrecv' : 'sendonly') : receive ? 'recvonly' : 'inactive';
}

interface RenderSpec {
  proto: string;
  codecs: Array<{ payloadType: number; rtpmap: string; fmtp?: string }>;
  direction: MediaDirection;
  crypto: string[];
}

export class LocalSdp {
  readonly #cfg: LocalMediaConfig;
  readonly #keys = new Map<SrtpProfile, SrtpKeys>();
  readonly #sessionId = String(Math.floor(Math.random() * 2 ** 31));
  #version = 0;
  #lastBody: string | undefined;
  /** What our last offer contained, to read its answer against. */
  #offered: { codecs: readonly OfferCodecName[]; direction: MediaDirection } | undefined;

  constructor(cfg: LocalMediaConfig) {
    this.#cfg = cfg;
    if (cfg.srtp === 'sdes') for (const p of cfg.srtpProfiles) this.#keys.set(p, generateKeys(p));
  }

  /** Our sending keys per offered suite (what the far end must use to decrypt us). */
  get keys(): ReadonlyMap<SrtpProfile, SrtpKeys> {
    return this.#keys;
  }

  /** An offer; without `codecs`, the list of our previous offer (a refresh must not change it). */
  offer(direction: MediaDirection, codecs: readonly OfferCodecName[] = this.#offered?.codecs ?? this.#cfg.codecs): string {
    this.#offered = { codecs, direction };
    const list = codecs.map((name) => {
      const c = OFFER_CODECS[name];
      const rtpmap = `${c.name}/${c.clockRate}${c.channels !== undefined ? `/${c.channels}` : ''}`;
      return { payloadType: c.payloadType, rtpmap, ...(c.fmtp !== undefined ? { fmtp: c.fmtp } : {}) };
    });
    const te = this.#cfg.telephoneEvent;
    if (te !== false) list.push({ payloadType: te, rtpmap: 'telephone-event/8000', fmtp: TELEPHONE_EVENT_FMTP });
    const crypto = this.#cfg.srtp === 'sdes' ? this.#cfg.srtpProfiles.map((p, i) => formatCryptoAttribute(i + 1, this.#keys.get(p)!)) : [];
    return this.#render({ proto: this.#cfg.srtp === 'sdes' ? 'RTP/SAVP' : 'RTP/AVP', codecs: list, direction, crypto });
  }

  /** Reads the answer to our last offer (RFC 3264 §6.1 from the offerer's side). */
  applyAnswer(answer: RemoteMedia): MediaPlan | { error: string } {
    const offered = this.#offered;
    if (offered === undefined) return { error: 'an answer arrived but we made no offer' };
    const codec = answer.formats.find((f) => isSendable(f.name.toUpperCase()) && offered.codecs.includes(f.name.toUpperCase() as OfferCodecName));
    if (codec === undefined) {
      return { error: `answer has no G.711 codec we offered (answer: ${answer.formats.map((f) => f.name).join(' ') || 'none'})` };
    }
    const te = this.#cfg.telephoneEvent === false ? undefined : answer.formats.find((f) => isTelephoneEvent(f));
    let srtp: MediaPlan['srtp'];
    if (this.#cfg.srtp === 'sdes') {
      if (!answer.secure) return { error: `we offered RTP/SAVP, the answer is ${answer.proto}` };
      const line = answer.cryptos[0];
      if (line === undefined) return { error: `answer has no usable a=crypto (${answer.cryptoProblems.join('; ') || 'none present'})` };
      const ours = this.#cfg.srtpProfiles[line.tag - 1];
      if (ours !== line.profile) return { error: `answer a=crypto tag ${line.tag} ${line.profile} matches none we offered` };
      srtp = { profile: line.profile, localKeys: this.#keys.get(line.profile)!, remoteKeys: line.keys };
    } else if (answer.secure) {
      return { error: `we offered RTP/AVP, the answer is ${answer.proto}` };
    }
    const send = sends(offered.direction) && receives(answer.direction);
    const receive = receives(offered.direction) && sends(answer.direction);
    return this.#plan(answer, { name: codec.name.toUpperCase() as SendableCodec, payloadType: codec.payloadType }, te?.payloadType, srtp, directionOf(send, receive));
  }

  /**
   * Answers the peer's offer (RFC 3264 §6) wanting `want` (sendrecv, or sendonly while we hold).
   * An error means 488 Not Acceptable Here.
   */
  answer(offer: RemoteMedia, want: MediaDirection): { sdp: string; plan: MediaPlan } | { error: string } {
    const codec = offer.formats.find((f) => isSendable(f.name.toUpperCase()) && this.#cfg.codecs.includes(f.name.toUpperCase() as OfferCodecName));
    if (codec === undefined) return { error: `offer has no G.711 codec we accept (${offer.formats.map((f) => f.name).join(' ') || 'none'})` };
    const te = this.#cfg.telephoneEvent === false ? undefined : offer.formats.find((f) => isTelephoneEvent(f));
    let srtp: MediaPlan['srtp'];
    const crypto: string[] = [];
    if (offer.secure) {
      if (this.#cfg.srtp !== 'sdes') return { error: `offer is ${offer.proto} but this caller has SRTP off` };
      const line = offer.cryptos.find((c) => this.#keys.has(c.profile));
      if (line === undefined) return { error: `no a=crypto suite we accept (${offer.cryptoProblems.join('; ') || 'offered suites unknown'})` };
      const localKeys = this.#keys.get(line.profile)!;
      srtp = { profile: line.profile, localKeys, remoteKeys: line.keys };
      crypto.push(formatCryptoAttribute(line.tag, localKeys));
    } else if (this.#cfg.srtp === 'sdes') {
      return { error: `offer is plain ${offer.proto} but this caller requires SRTP` };
    }
    const direction = directionOf(sends(want) && receives(offer.direction), receives(want) && sends(offer.direction));
    const name = codec.name.toUpperCase() as SendableCodec;
    const list: RenderSpec['codecs'] = [{ payloadType: codec.payloadType, rtpmap: `${name}/8000` }];
    if (te !== undefined) list.push({ payloadType: te.payloadType, rtpmap: 'telephone-event/8000', fmtp: TELEPHONE_EVENT_FMTP });
    const sdp = this.#render({ proto: offer.proto, codecs: list, direction, crypto });
    return { sdp, plan: this.#plan(offer, { name, payloadType: codec.payloadType }, te?.payloadType, srtp, direction) };
  }

  #plan(remote: RemoteMedia, codec: MediaPlan['codec'], te: number | undefined, srtp: MediaPlan['srtp'], direction: MediaDirection): MediaPlan {
    return {
      remote: { host: remote.address, port: remote.port },
      remoteRtcp: { host: remote.rtcpAddress, port: remote.rtcpPort },
      rtcpMux: remote.rtcpMux,
      codec,
      telephoneEventPt: te,
      srtp,
      direction,
    };
  }

  #render(spec: RenderSpec): string {
    const a = this.#cfg.address;
    const lines = [`s=lab-caller`, `c=IN IP4 ${a}`, 't=0 0', `m=audio ${this.#cfg.rtpPort} ${spec.proto} ${spec.codecs.map((c) => c.payloadType).join(' ')}`];
    for (const c of spec.codecs) lines.push(`a=rtpmap:${c.payloadType} ${c.rtpmap}`);
    for (const c of spec.codecs) if (c.fmtp !== undefined) lines.push(`a=fmtp:${c.payloadType} ${c.fmtp}`);
    lines.push(`a=ptime:${PTIME_MS}`, `a=${spec.direction}`);
    for (const c of spec.crypto) lines.push(`a=crypto:${c}`);
    const body = lines.join('\r\n');
    if (body !== this.#lastBody) {
      if (this.#lastBody !== undefined) this.#version++;
      this.#lastBody = body;
    }
    return `v=0\r\no=lab-caller ${this.#sessionId} ${this.#version} IN IP4 ${a}\r\n${body}\r\n`;
  }
}

function isTelephoneEvent(f: { name: string; clockRate: number }): boolean {
  return f.name.toLowerCase() === 'telephone-event' && f.clockRate === 8000;
}
