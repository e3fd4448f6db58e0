/**
 * Codecs the caller can put in an offer. Only G.711 can actually be sent (the caller encodes with the
 * gateway's G.711); the others exist so a scenario can offer what a carrier might (G.722, G.729,
 * Opus…) and check the gateway answers 488 or picks G.711 from a mixed list.
 */
export type OfferCodecName = 'PCMU' | 'PCMA' | 'G722' | 'G729' | 'GSM' | 'iLBC' | 'opus';

export interface CodecSpec {
  name: OfferCodecName;
  /** RFC 3551 static type, or the dynamic type we offer it on. */
  payloadType: number;
  clockRate: number;
  channels?: number;
  /** a=fmtp value we offer, if any. */
  fmtp?: string;
}

export const OFFER_CODECS: Readonly<Record<OfferCodecName, CodecSpec>> = {
  PCMU: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
  GSM: { name: 'GSM', payloadType: 3, clockRate: 8000 },
  PCMA: { name: 'PCMA', payloadType: 8, clockRate: 8000 },
  // RFC 3551 §4.5.2: G.722's RTP clock is 8000 although it samples at 16 kHz.
  G722: { name: 'G722', payloadType: 9, clockRate: 8000 },
  G729: { name: 'G729', payloadType: 18, clockRate: 8000, fmtp: 'annexb=no' },
  iLBC: { name: 'iLBC', payloadType: 97, clockRate: 8000, fmtp: 'mode=20' },
  opus: { name: 'opus', payloadType: 111, clockRate: 48000, channels: 2 },
};

export const OFFER_CODEC_NAMES = Object.keys(OFFER_CODECS) as OfferCodecName[];

export function isOfferCodecName(name: string): name is OfferCodecName {
  return Object.hasOwn(OFFER_CODECS, name);
}

/** The two laws the caller can encode and decode. */
export type SendableCodec = 'PCMU' | 'PCMA';

export function isSendable(name: string): name is SendableCodec {
  return name === 'PCMU' || name === 'PCMA';
}

/** telephone-event/8000 (RFC 4733) payload type we offer by default. */
export const DEFAULT_TELEPHONE_EVENT_PT = 101;
