import { BlockList, isIP } from 'node:net';
import { normalizeAddress } from '../transport/ip.js';

/**
 * Source-address allow-list (CIDR, IPv4 and IPv6; a bare address means /32 or /128). Empty means
 * allow all. IPv4-mapped IPv6 sources ("::ffff:3.80.16.9" on a dual-stack socket) match IPv4 rules.
 */
export class AllowList {
  readonly #list: BlockList | undefined;

  constructor(cidrs: readonly string[] | undefined) {
    if (cidrs === undefined || cidrs.length === 0) return;
    const list = new BlockList();
    for (const entry of cidrs) {
      const [addr, bits, extra] = entry.trim().split('/');
      const family = isIP(addr ?? '');
      const max = family === 4 ? 32 : 128;
      const prefix = bits === undefined ? max : Number(bits);
      if (family === 0 || extra !== undefined || (bits !== undefined && !/^\d{1,3}$/.test(bits)) || prefix > max) {
        throw new RangeError(`allowFrom: not an IPv4/IPv6 CIDR: "${entry}"`);
      }
      list.addSubnet(addr as string, prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
    this.#list = list;
  }

  allows(address: string): boolean {
    if (this.#list === undefined) return true;
    const a = normalizeAddress(address);
    const family = isIP(a);
    if (family === 0) return false;
    return this.#list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  }
}
