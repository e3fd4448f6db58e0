import type { OfferedFormat } from './sdp-reader.js';
import type { AudioCodecName } from './types.js';

/** The G.711 clock rate: the only rate we negotiate for audio and telephone-event. */
export const G711_CLOCK_RATE = 8000;

function isCodec(f: OfferedFormat, name: string): boolean {
  return f.name.toUpperCase() === name.toUpperCase() && f.clockRate === G711_CLOCK_RATE && f.channels === 1;
}

/**
 * Our codec among those offered: the first of `preference` (ours, not the offerer's order, RFC
 * 3264 §6.1 lets the answerer choose) that appears, answered with the offer's payload type.
 */
export function chooseCodec(
  offered: readonly OfferedFormat[],
  preference: readonly AudioCodecName[],
): { name: AudioCodecName; payloadType: number } | undefined {
  for (const name of preference) {
    const f = offered.find((o) => isCodec(o, name));
    if (f) return { name, payloadType: f.payloadType };
  }
  return undefined;
}

/** RFC 4733 §7.1: telephone-event at 8000 Hz, with the payload type the offer chose (not 101). */
export function chooseTelephoneEvent(offered: readonly OfferedFormat[]): number | undefined {
  return offered.find((o) => isCodec(o, 'telephone-event'))?.payloadType;
}

/** "G729/8000, opus/48000/2, PT 96 (no rtpmap)": what was offered, for a 488 reason. */
export function describeOffered(offered: readonly OfferedFormat[]): string {
  const names = offered
    .filter((o) => !/^(telephone-event|CN)$/i.test(o.name))
    .map((o) => (o.name === '' ? `PT ${o.payloadType} (no rtpmap)` : `${o.name}/${o.clockRate}${o.channels > 1 ? `/${o.channels}` : ''}`));
  return names.length > 0 ? names.join(', ') : 'no audio codec';
}
