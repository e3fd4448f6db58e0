/**
 * RFC 4733 §2.3: the telephone-event payload.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |     event     |E|R| volume    |          duration             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * duration is in RTP timestamp units since the event began (the event's RTP timestamp);
 * volume is the power level in -dBm0 (0..63). Pure functions over bytes, no state.
 */
export const DTMF_PAYLOAD_SIZE = 4;

const EVENT_OFFSET = 0;
const FLAGS_OFFSET = 1;
const DURATION_OFFSET = 2;
const END_BIT = 0x80;
const VOLUME_MASK = 0x3f;

/** Largest duration one payload can carry (RFC 4733 §2.5.2.3 segments longer events). */
export const MAX_EVENT_DURATION_UNITS = 0xffff;
/** Largest volume value (-63 dBm0). */
export const MAX_VOLUME = 63;

export interface DtmfPayload {
  event: number;
  end: boolean;
  volume: number;
  /** RTP timestamp units. */
  duration: number;
}

/**
 * Parses the first four bytes into `out` (reused by the receiver, so no allocation per packet).
 * Returns false when the payload is shorter than four bytes. Bytes after the fourth are ignored:
 * RFC 4733 carries one event per payload unless RFC 2198 redundancy wraps it, which is a
 * different payload type.
 */
export function parseDtmfPayloadInto(payload: Uint8Array, out: DtmfPayload): boolean {
  if (payload.length < DTMF_PAYLOAD_SIZE) return false;
  const flags = payload[FLAGS_OFFSET] as number;
  out.event = payload[EVENT_OFFSET] as number;
  out.end = (flags & END_BIT) !== 0;
  out.volume = flags & VOLUME_MASK;
  out.duration = ((payload[DURATION_OFFSET] as number) << 8) | (payload[DURATION_OFFSET + 1] as number);
  return true;
}

/** Parses a payload into a new object, or undefined when it is too short. */
export function parseDtmfPayload(payload: Uint8Array): DtmfPayload | undefined {
  const out: DtmfPayload = { event: 0, end: false, volume: 0, duration: 0 };
  return parseDtmfPayloadInto(payload, out) ? out : undefined;
}

/**
 * Writes the four payload bytes at `offset` of `out` (R is always sent as 0, §2.3).
 * Throws RangeError for fields that do not fit: this is our own output, so a bad value is a bug.
 */
export function writeDtmfPayload(p: DtmfPayload, out: Uint8Array, offset = 0): void {
  if (!Number.isInteger(p.event) || p.event < 0 || p.event > 255) throw new RangeError(`event ${p.event} not in 0..255`);
  if (!Number.isInteger(p.volume) || p.volume < 0 || p.volume > MAX_VOLUME) {
    throw new RangeError(`volume ${p.volume} not in 0..${MAX_VOLUME}`);
  }
  if (!Number.isInteger(p.duration) || p.duration < 0 || p.duration > MAX_EVENT_DURATION_UNITS) {
    throw new RangeError(`duration ${p.duration} not in 0..${MAX_EVENT_DURATION_UNITS}`);
  }
  if (out.length - offset < DTMF_PAYLOAD_SIZE) throw new RangeError('output buffer too small for a DTMF payload');
  out[offset + EVENT_OFFSET] = p.event;
  out[offset + FLAGS_OFFSET] = (p.end ? END_BIT : 0) | (p.volume & VOLUME_MASK);
  out[offset + DURATION_OFFSET] = p.duration >>> 8;
  out[offset + DURATION_OFFSET + 1] = p.duration & 0xff;
}

