/**
 * Answering a digest challenge as a UAC (RFC 3261 §22.2, RFC 7616 §3.4, RFC 8760 for SHA-256):
 * pick the strongest challenge we may use, then build Authorization (for 401 WWW-Authenticate) or
 * Proxy-Authorization (for 407 Proxy-Authenticate). Pure: the hashes are the gateway's own.
 */
import { randomBytes } from 'node:crypto';
import { digestHash, digestResponse, parseDigestCredentials, type DigestAlgorithm, type SipResponse } from 'connect-realtime-gateway';
import type { LabCallerCredentials } from '../options.js';

export const DEFAULT_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

export interface DigestAnswer {
  header: 'Authorization' | 'Proxy-Authorization';
  value: string;
  algorithm: DigestAlgorithm;
  realm: string;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** RFC 7616 §3.3: a missing algorithm means MD5; names are case-insensitive. */
function algorithmOf(params: Map<string, string>): DigestAlgorithm | undefined {
  const a = (params.get('algorithm') ?? 'MD5').toUpperCase();
  return a === 'MD5' ? 'MD5' : a === 'SHA-256' ? 'SHA-256' : undefined;
}

/**
 * The credentials for a 401/407 and the request that drew it, or a reason string when no
 * challenge can be answered (none, only unknown algorithms, or a qop other than auth).
 */
export function answerChallenge(
  res: SipResponse,
  creds: LabCallerCredentials,
  request: { method: string; uri: string },
  cnonce: string = randomBytes(8).toString('hex'),
): DigestAnswer | string {
  const proxy = res.status === 407;
  const challenges = res.headers.getAll(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate');
  // WWW-Authenticate is not a comma-list header (its values contain commas), so each line is one challenge.
  const parsed = challenges.map((c) => parseDigestCredentials(c)).filter((p): p is Map<string, string> => p !== undefined);
  if (parsed.length === 0) return `${res.status} without a Digest challenge`;
  const prefs = creds.algorithms ?? DEFAULT_ALGORITHMS;
  for (const want of prefs) {
    const ch = parsed.find((p) => algorithmOf(p) === want);
    if (ch === undefined) continue;
    const realm = ch.get('realm') ?? '';
    const nonce = ch.get('nonce');
    if (nonce === undefined) continue;
    const qops = (ch.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase()).filter((q) => q.length > 0);
    if (qops.length > 0 && !qops.includes('auth')) continue;
    const parts = [
      `username=${quote(creds.username)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(nonce)}`,
      `uri=${quote(request.uri)}`,
    ];
    let response: string;
    if (qops.length > 0) {
      const nc = '00000001';
      response = digestResponse({ algorithm: want, username: creds.username, realm, password: creds.password, method: request.method, uri: request.uri, nonce, nc, cnonce, qop: 'auth' });
      parts.push(`response=${quote(response)}`, `algorithm=${want}`, `cnonce=${quote(cnonce)}`, 'qop=auth', `nc=${nc}`);
    } else {
      // RFC 2069 compatibility (RFC 7616 §3.4.1 without qop): H(HA1:nonce:HA2).
      const ha1 = digestHash(want, `${creds.username}:${realm}:${creds.password}`);
      const ha2 = digestHash(want, `${request.method}:${request.uri}`);
      response = digestHash(want, `${ha1}:${nonce}:${ha2}`);
      parts.push(`response=${quote(response)}`, `algorithm=${want}`);
    }
    const opaque = ch.get('opaque');
    if (opaque !== undefined) parts.push(`opaque=${quote(opaque)}`);
    return { header: proxy ? 'Proxy-Authorization' : 'Authorization', value: `Digest ${parts.join(', ')}`, algorithm: want, realm };
  }
  return `no usable challenge (offered: ${parsed.map((p) => p.get('algorithm') ?? 'MD5').join(', ')}; we accept ${prefs.join(', ')})`;
}
