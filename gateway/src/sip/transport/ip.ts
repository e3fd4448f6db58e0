import { isIP } from 'node:net';

/**
 * Address helpers for the "no DNS, no reflection" rules: we only ever send to IP literals, and never
 * to an address that would fan a packet out (broadcast, multicast) or mean "nowhere" (unspecified).
 */

/** Strips IPv6 brackets and the IPv4-mapped prefix so "::ffff:10.0.0.1" and "10.0.0.1" compare equal. */
export function normalizeAddress(address: string): string {
  let a = address;
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const lower = a.toLowerCase();
  if (lower.startsWith('::ffff:') && isIP(a.slice(7)) === 4) return a.slice(7);
  return a;
}

export function isIpLiteral(host: string): boolean {
  return isIP(normalizeAddress(host)) !== 0;
}

/**
 * True when `host` is an IP literal we may send a unicast packet to: not unspecified (0.0.0.0, ::),
 * not limited/subnet-style broadcast (x.x.x.255 is legal unicast in CIDR, so only 255.255.255.255),
 * not multicast (224.0.0.0/4, ff00::/8).
 */
export function isUnicastIpLiteral(host: string): boolean {
  const a = normalizeAddress(host);
  const family = isIP(a);
  if (family === 4) {
    if (a === '0.0.0.0' || a === '255.255.255.255') return false;
    const first = Number(a.split('.')[0]);
    return !(first >= 224 && first <= 239);
  }
  if (family === 6) {
    const lower = a.toLowerCase();
    if (lower === '::' || lower === '0:0:0:0:0:0:0:0') return false;
    return !lower.startsWith('ff');
  }
  return false;
}

/** True for 0.0.0.0 / :: — a bind address that does not name an interface to advertise. */
export function isWildcardAddress(host: string): boolean {
  const a = normalizeAddress(host);
  return a === '0.0.0.0' || a === '::' || a === '0:0:0:0:0:0:0:0';
}

/** "host:port" with IPv6 brackets, for Via sent-by, Contact and keys. */
export function hostPort(host: string, port: number | undefined): string {
  const h = isIP(host) === 6 ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}
