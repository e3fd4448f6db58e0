import type { ConnectionData } from './sdp-reader.js';
import type { MediaDirection } from './types.js';

/**
 * RFC 3264 §6.1: the answer's direction mirrors the offer's. We always want both directions, so
 * a sendrecv offer is answered sendrecv, and the answer is also OUR direction.
 */
const MIRROR: Readonly<Record<MediaDirection, MediaDirection>> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

export function mirrorDirection(d: MediaDirection): MediaDirection {
  return MIRROR[d];
}

/**
 * RFC 3264 §8.4 (and RFC 2543 before it): c=0.0.0.0 is the legacy way to put a call on hold:
 * "do not send me media". We read it as the offerer not receiving: sendrecv becomes sendonly,
 * recvonly becomes inactive.
 */
export function isLegacyHold(connection: ConnectionData | undefined): boolean {
  return connection !== undefined && connection.ipVer === 4 && connection.address === '0.0.0.0';
}

export function effectiveOfferDirection(d: MediaDirection, connection: ConnectionData | undefined): MediaDirection {
  if (!isLegacyHold(connection)) return d;
  if (d === 'sendrecv') return 'sendonly';
  if (d === 'recvonly') return 'inactive';
  return d;
}

/** The peer does not want our media: it put us on hold. */
export function isHold(effectiveRemote: MediaDirection): boolean {
  return effectiveRemote === 'sendonly' || effectiveRemote === 'inactive';
}
