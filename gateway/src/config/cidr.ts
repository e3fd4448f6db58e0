import { isIP } from 'node:net';

/** True for a well-formed IPv4 or IPv6 CIDR ("10.0.0.0/8", "2001:db8::/32") or a bare address. */
export function isCidr(value: string): boolean {
  const [addr, bits, extra] = value.split('/');
  if (addr === undefined || extra !== undefined) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  const n = Number(bits);
  return family === 4 ? n <= 32 : n <= 128;
}
