import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatCryptoAttribute, generateKeys, parseCryptoAttribute } from '../../../src/rtp/srtp/index.js';

// 30 bytes of key||salt: 16-byte key 00..0f, 14-byte salt 10..1d.
const MATERIAL = Buffer.from([...Array(30).keys()]);
const INLINE = MATERIAL.toString('base64'); // "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"

describe('RFC 4568 §9.1 a=crypto parsing', () => {
  it('parses tag, suite and inline key||salt', () => {
    const r = parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE}`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.tag).toBe(1);
    expect(r.value.profile).toBe('AES_CM_128_HMAC_SHA1_80');
    expect(r.value.keys.masterKey.toString('hex')).toBe('000102030405060708090a0b0c0d0e0f');
    expect(r.value.keys.masterSalt.toString('hex')).toBe('101112131415161718191a1b1c1d');
    // Kept for the call's life: memory of their own, not slices of a shared pool chunk.
    for (const key of [r.value.keys.masterKey, r.value.keys.masterSalt]) expect(key.buffer.byteLength).toBe(key.length);
    expect(r.value.lifetime).toBeUndefined();
    expect(r.value.mki).toBeUndefined();
  });

  it('parses lifetime (2^n and decimal) and MKI', () => {
    const r = parseCryptoAttribute(`2 AES_CM_128_HMAC_SHA1_32 inline:${INLINE}|2^20|1:4`);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.lifetime).toBe(1048576);
    expect(r.value.mki).toEqual({ value: 1n, length: 4 });
    expect(r.value.keys.mki?.toString('hex')).toBe('00000001');
    const d = parseCryptoAttribute(`3 AES_CM_128_HMAC_SHA1_80 inline:${INLINE}|1000`);
    expect(!d.ok ? d.error : d.value.lifetime).toBe(1000);
    const m = parseCryptoAttribute(`3 AES_CM_128_HMAC_SHA1_80 inline:${INLINE}|258:2`);
    expect(!m.ok ? m.error : m.value.keys.mki?.toString('hex')).toBe('0102');
  });

  it('accepts WSH and ignorable (-prefixed) and FEC session parameters', () => {
    const r = parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE} WSH=128 -FOO FEC_ORDER=FEC_SRTP`);
    expect(!r.ok ? r.error : r.value.windowSizeHint).toBe(128);
  });

  it.each([
    ['1 AES_256_CM_HMAC_SHA1_80 inline:' + INLINE, 'unsupported crypto suite AES_256_CM_HMAC_SHA1_80'],
    ['1 AEAD_AES_128_GCM inline:' + INLINE, 'unsupported crypto suite AEAD_AES_128_GCM'],
    ['x AES_CM_128_HMAC_SHA1_80 inline:' + INLINE, 'tag'],
    ['1 AES_CM_128_HMAC_SHA1_80', 'expected'],
    ['1 AES_CM_128_HMAC_SHA1_80 uri:https://example.invalid/key', 'not inline'],
    ['1 AES_CM_128_HMAC_SHA1_80 inline:AAEC', 'needs 30'],
    ['1 AES_CM_128_HMAC_SHA1_80 inline:!!!!', 'not base64'],
    [`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE}|2^20|1:4;inline:${INLINE}|2^20|2:4`, 'several master keys'],
    [`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE}|2^49`, 'exceeds 2^48'],
    [`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE}|1:200`, 'MKI length 200'],
    [`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE}|256:1`, 'does not fit'],
    [`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE}|1:4|2^20`, 'must be the last'],
    [`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE} KDR=1`, 'key derivation rate'],
    [`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE} UNENCRYPTED_SRTP`, 'UNENCRYPTED_SRTP is not supported'],
    [`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE} WSH=10`, 'below the minimum'],
    [`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE} BOGUS`, 'unknown session parameter BOGUS'],
  ])('rejects %s', (value, message) => {
    const r = parseCryptoAttribute(value);
    expect(!r.ok && r.error).toContain(message);
  });

  it('never throws on random input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        parseCryptoAttribute(s);
        parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 ${s}`);
        parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE}${s}`);
      }),
    );
  });
});

describe('RFC 4568 a=crypto formatting', () => {
  it('formats tag, suite and base64 key||salt', () => {
    const keys = { profile: 'AES_CM_128_HMAC_SHA1_80' as const, masterKey: MATERIAL.subarray(0, 16), masterSalt: MATERIAL.subarray(16) };
    expect(formatCryptoAttribute(1, keys)).toBe(`1 AES_CM_128_HMAC_SHA1_80 inline:${INLINE}`);
    expect(formatCryptoAttribute(7, { ...keys, mki: Buffer.from([0, 9]) })).toBe(`7 AES_CM_128_HMAC_SHA1_80 inline:${INLINE}|9:2`);
  });

  it('round-trips generated keys through format and parse (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32' as const), fc.nat(999_999_999), (profile, tag) => {
        const keys = generateKeys(profile);
        const r = parseCryptoAttribute(formatCryptoAttribute(tag, keys));
        if (!r.ok) throw new Error(r.error);
        expect(r.value.tag).toBe(tag);
        expect(r.value.keys.masterKey.equals(keys.masterKey)).toBe(true);
        expect(r.value.keys.masterSalt.equals(keys.masterSalt)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('generates 16-byte keys and 14-byte salts that differ each time', () => {
    const a = generateKeys('AES_CM_128_HMAC_SHA1_32');
    const b = generateKeys('AES_CM_128_HMAC_SHA1_32');
    expect([a.masterKey.length, a.masterSalt.length]).toEqual([16, 14]);
    expect(a.masterKey.equals(b.masterKey)).toBe(false);
  });
});
