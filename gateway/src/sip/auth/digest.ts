import { createHash } from 'node:crypto';

/**
 * HTTP Digest as SIP uses it (RFC 3261 §22.4, RFC 7616, RFC 8760 for SHA-256): pure functions over
 * strings. Only qop=auth and the non-"-sess" algorithms are implemented — the ones we offer.
 */
export type DigestAlgorithm = 'SHA-256' | 'MD5';

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc: string;
  cnonce: string;
  qop: 'auth';
}

export function digestHash(algorithm: DigestAlgorithm, data: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(data, 'utf8').digest('hex');
}

/**
 * RFC 7616 §3.4.1 with qop=auth:
 *   response = H( H(username:realm:password) : nonce : nc : cnonce : qop : H(method:uri) )
 */
export function digestResponse(p: DigestInput): string {
  const ha1 = digestHash(p.algorithm, `${p.username}:${p.realm}:${p.password}`);
  const ha2 = digestHash(p.algorithm, `${p.method}:${p.uri}`);
  return digestHash(p.algorithm, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

/**
 * Parses `Digest name=value, name="quoted, value", ...` into lower-cased names. Returns undefined
 * when the scheme is not Digest or the list is malformed. Backslash escapes in quoted strings are
 * honoured (RFC 7230 quoted-pair).
 */
export function parseDigestCredentials(header: string): Map<string, string> | undefined {
  const m = /^\s*digest\s+/i.exec(header);
  if (m === null) return undefined;
  const params = new Map<string, string>();
  const s = header.slice(m[0].length);
  let i = 0;
  // Each iteration consumes one name=value pair; i strictly increases, so the loop is bounded by s.length.
  while (i < s.length) {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++;
    if (i >= s.length) break;
    const nameStart = i;
    while (i < s.length && /[A-Za-z0-9_-]/.test(s[i] ?? '')) i++;
    const name = s.slice(nameStart, i).toLowerCase();
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
    if (name === '' || s[i] !== '=') return undefined;
    i++;
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
    let value = '';
    if (s[i] === '"') {
      i++;
      let closed = false;
      while (i < s.length) {
        const c = s[i];
        if (c === '\\' && i + 1 < s.length) {
          value += s[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) return undefined;
    } else {
      const start = i;
      while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
      value = s.slice(start, i);
    }
    if (params.has(name)) return undefined; // a repeated parameter is ambiguous: refuse it
    params.set(name, value);
  }
  return params;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** One WWW-Authenticate value (RFC 7616 §3.3 / RFC 8760 §2.4). */
export function formatChallenge(c: { realm: string; nonce: string; opaque: string; algorithm: DigestAlgorithm; stale: boolean }): string {
  const parts = [`realm=${quote(c.realm)}`, `nonce=${quote(c.nonce)}`, `opaque=${quote(c.opaque)}`, `algorithm=${c.algorithm}`, `qop="auth"`];
  if (c.stale) parts.push('stale=TRUE');
  return `Digest ${parts.join(', ')}`;
}
