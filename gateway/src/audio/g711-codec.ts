/**
 * One object per G.711 law so the media path picks the law once (from the negotiated SDP payload
 * type) and then calls `encode`/`decode` without branching per frame.
 */
import { ALAW_SILENCE, decodeAlaw, encodeAlaw } from './alaw.js';
import { decodeMulaw, encodeMulaw, MULAW_SILENCE } from './mulaw.js';

/** RTP/AVP encoding names (RFC 3551 §4.5.14): PCMU is µ-law (PT 0), PCMA is A-law (PT 8). */
export type G711Name = 'PCMU' | 'PCMA';

export interface G711Codec {
  readonly name: G711Name;
  /** Encodes `n` samples (default all) into `out`; clamps `n` to both buffers; returns the count. */
  encode(pcm: Int16Array, out: Uint8Array, n?: number): number;
  /** Decodes `n` codes (default all) into `out`; clamps `n` to both buffers; returns the count. */
  decode(codes: Uint8Array, out: Int16Array, n?: number): number;
  /** The byte that decodes to (near) zero, used to fill comfort/silence payloads. */
  readonly silenceByte: number;
}

const PCMU: G711Codec = Object.freeze({
  name: 'PCMU' as const,
  encode: encodeMulaw,
  decode: decodeMulaw,
  silenceByte: MULAW_SILENCE,
});

const PCMA: G711Codec = Object.freeze({
  name: 'PCMA' as const,
  encode: encodeAlaw,
  decode: decodeAlaw,
  silenceByte: ALAW_SILENCE,
});

/** The shared, stateless codec object for a law. */
export function g711Codec(name: G711Name): G711Codec {
  return name === 'PCMU' ? PCMU : PCMA;
}
