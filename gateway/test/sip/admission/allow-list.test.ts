import { describe, expect, it } from 'vitest';
import { AllowList } from '../../../src/sip/admission/allow-list.js';

describe('CIDR allow-list', () => {
  it('allows everything when empty or undefined', () => {
    expect(new AllowList(undefined).allows('203.0.113.9')).toBe(true);
    expect(new AllowList([]).allows('2001:db8::1')).toBe(true);
  });

  it('matches IPv4 CIDRs (Chime us-east-1 3.80.16.0/23), bare addresses and IPv4-mapped IPv6 sources', () => {
    const list = new AllowList(['3.80.16.0/23', '99.77.253.0/24', '127.0.0.1']);
    expect(list.allows('3.80.16.1')).toBe(true);
    expect(list.allows('3.80.17.254')).toBe(true);
    expect(list.allows('3.80.18.0')).toBe(false);
    expect(list.allows('::ffff:3.80.17.10')).toBe(true);
    expect(list.allows('127.0.0.1')).toBe(true);
    expect(list.allows('127.0.0.2')).toBe(false);
    expect(list.allows('not-an-ip')).toBe(false);
  });

  it('matches IPv6 CIDRs', () => {
    const list = new AllowList(['2001:db8:1::/48']);
    expect(list.allows('2001:db8:1:ffff::1')).toBe(true);
    expect(list.allows('2001:db8:2::1')).toBe(false);
    expect(list.allows('[2001:db8:1::5]')).toBe(true);
  });

  it('refuses malformed entries at construction with a RangeError naming the entry', () => {
    expect(() => new AllowList(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
    expect(() => new AllowList(['example.com/8'])).toThrow(RangeError);
    expect(() => new AllowList(['10.0.0.0/8/1'])).toThrow(RangeError);
    expect(() => new AllowList(['2001:db8::/129'])).toThrow(RangeError);
  });
});
