import { isIP } from 'node:net';
import type { StreamProblem } from './errors.js';
import type { ConnectionData } from './sdp-reader.js';

/** RTP profiles we answer: AVP and its feedback/secure variants (RFC 3551, 4585, 3711, 5124). */
const PLAIN = new Set(['RTP/AVP', 'RTP/AVPF']);
const SECURE = new Set(['RTP/SAVP', 'RTP/SAVPF']);
/** RFC 5764 DTLS-SRTP transports. */
const DTLS_RE = /^(UDP|TCP)\/TLS\/RTP\/SAVPF?$/i;

export const DTLS_REASON = 'DTLS-SRTP not supported; offer SDES (RTP/SAVP with a=crypto)';

export type TransportKind = 'plain' | 'sdes' | 'dtls' | 'other';

export function transportKind(proto: string): TransportKind {
  const p = proto.toUpperCase();
  if (PLAIN.has(p)) return 'plain';
  if (SECURE.has(p)) return 'sdes';
  if (DTLS_RE.test(p)) return 'dtls';
  return 'other';
}

/**
 * The stream's address must be a unicast IP literal of the family c= names: host names would need
 * DNS in the media path, and multicast (with its /ttl) is not a phone call.
 */
export function checkConnection(c: ConnectionData): StreamProblem | undefined {
  const [address, ...ttl] = c.address.split('/');
  const family = isIP(address ?? '');
  if (family === 0) {
    return /^[A-Za-z0-9.-]+$/.test(address ?? '') && ttl.length === 0
      ? { code: 'SDP_ERR_UNSUPPORTED_ADDRESS', reason: `c= host names are not supported (got ${address})` }
      : { code: 'SDP_ERR_CONNECTION', reason: `c= address "${c.address}" is not an IP address` };
  }
  if (family !== c.ipVer) {
    return { code: 'SDP_ERR_CONNECTION', reason: `c= address ${address} is not an IPv${c.ipVer} address` };
  }
  if (ttl.length > 0 || isMulticast(address!, family)) {
    return { code: 'SDP_ERR_UNSUPPORTED_ADDRESS', reason: `multicast c= ${c.address} is not supported` };
  }
  return undefined;
}

function isMulticast(address: string, family: number): boolean {
  if (family === 6) return address.toLowerCase().startsWith('ff');
  const first = Number(address.split('.')[0]);
  return first >= 224 && first <= 239;
}
