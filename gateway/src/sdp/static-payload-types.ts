/**
 * RFC 3551 §6 (Table 4): static audio payload types, used when an offer lists a static PT
 * without a=rtpmap (legal, and common: "m=audio 4000 RTP/AVP 0 8").
 */
export interface FormatDescription {
  name: string;
  clockRate: number;
  channels: number;
}

const STATIC: ReadonlyMap<number, FormatDescription> = new Map([
  [0, { name: 'PCMU', clockRate: 8000, channels: 1 }],
  [3, { name: 'GSM', clockRate: 8000, channels: 1 }],
  [4, { name: 'G723', clockRate: 8000, channels: 1 }],
  [5, { name: 'DVI4', clockRate: 8000, channels: 1 }],
  [6, { name: 'DVI4', clockRate: 16000, channels: 1 }],
  [7, { name: 'LPC', clockRate: 8000, channels: 1 }],
  [8, { name: 'PCMA', clockRate: 8000, channels: 1 }],
  [9, { name: 'G722', clockRate: 8000, channels: 1 }],
  [10, { name: 'L16', clockRate: 44100, channels: 2 }],
  [11, { name: 'L16', clockRate: 44100, channels: 1 }],
  [12, { name: 'QCELP', clockRate: 8000, channels: 1 }],
  [13, { name: 'CN', clockRate: 8000, channels: 1 }],
  [14, { name: 'MPA', clockRate: 90000, channels: 1 }],
  [15, { name: 'G728', clockRate: 8000, channels: 1 }],
  [16, { name: 'DVI4', clockRate: 11025, channels: 1 }],
  [17, { name: 'DVI4', clockRate: 22050, channels: 1 }],
  [18, { name: 'G729', clockRate: 8000, channels: 1 }],
]);

export function staticPayloadType(pt: number): FormatDescription | undefined {
  return STATIC.get(pt);
}

/** The static PT of PCMU/PCMA (what we offer). */
export const STATIC_PT = { PCMU: 0, PCMA: 8 } as const;
