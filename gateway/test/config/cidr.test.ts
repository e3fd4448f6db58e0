import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCidr } from '../../src/config/cidr.js';

describe('RFC 4632 §3.1 / RFC 4291 §2.3 CIDR notation (isCidr)', () => {
  it('accepts IPv4 prefixes with lengths 0..32', () => {
    for (const v of ['0.0.0.0/0', '10.0.0.0/8', '3.80.16.0/23', '192.0.2.1/32']) expect(isCidr(v), v).toBe(true);
  });

  it('accepts IPv6 prefixes with lengths 0..128', () => {
    for (const v of ['::/0', '2001:db8::/32', '::1/128', 'fe80::/10']) expect(isCidr(v), v).toBe(true);
  });

  it('accepts a bare address (a single host)', () => {
    for (const v of ['127.0.0.1', '2001:db8::1']) expect(isCidr(v), v).toBe(true);
  });

  it('rejects prefix lengths beyond the address family', () => {
    expect(isCidr('10.0.0.0/33')).toBe(false);
    expect(isCidr('2001:db8::/129')).toBe(false);
    expect(isCidr('10.0.0.0/1000')).toBe(false);
  });

  it('rejects malformed input', () => {
    for (const v of ['', '/8', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/+8', '10.0.0.0/8.0', '10.0.0.0/8/8', '10.0.0/8', 'any', 'example.com/24', ' 10.0.0.0/8', '10.0.0.0/ 8']) {
      expect(isCidr(v), JSON.stringify(v)).toBe(false);
    }
  });

  it('property: every IPv4 address with every length 0..32 is accepted, 33..999 rejected', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 999 }), (addr, bits) => {
        expect(isCidr(`${addr}/${bits}`)).toBe(bits <= 32);
      }),
      { numRuns: 300 },
    );
  });

  it('property: every IPv6 address with every length 0..128 is accepted, 129..999 rejected', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 999 }), (addr, bits) => {
        expect(isCidr(`${addr}/${bits}`)).toBe(bits <= 128);
      }),
      { numRuns: 300 },
    );
  });

  it('property: never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        expect(typeof isCidr(s)).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});
