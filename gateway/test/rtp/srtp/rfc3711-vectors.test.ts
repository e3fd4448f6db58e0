import { describe, expect, it } from 'vitest';
import { AesCounterMode, writeSrtpIv } from '../../../src/rtp/srtp/aes-cm.js';
import { deriveSessionKey, deriveSessionKeys, KDF_LABEL } from '../../../src/rtp/srtp/kdf.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('RFC 3711 B.2 AES-CM test vectors', () => {
  const sessionKey = hex('2B7E151628AED2A6ABF7158809CF4F3C');
  // The RFC's "Offset": session salt F0F1..FCFD shifted left 16 bits; ROC, SEQ and SSRC are 0.
  const salt = hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD');

  it('builds the counter IV from salt, SSRC 0 and index 0', () => {
    const iv = new Uint8Array(16);
    writeSrtpIv(iv, salt, 0, 0);
    expect(Buffer.from(iv).toString('hex')).toBe('f0f1f2f3f4f5f6f7f8f9fafbfcfd0000');
  });

  it('produces the keystream blocks listed in the RFC, including 0xFEFF..0xFF01', () => {
    const iv = new Uint8Array(16);
    writeSrtpIv(iv, salt, 0, 0);
    const ks = new AesCounterMode(sessionKey).keystream(iv, 0xff02 * 16);
    const block = (j: number): string => ks.subarray(j * 16, j * 16 + 16).toString('hex').toUpperCase();
    expect(block(0x0000)).toBe('E03EAD0935C95E80E166B16DD92B4EB4');
    expect(block(0x0001)).toBe('D23513162B02D0F72A43A2FE4A5F97AB');
    expect(block(0x0002)).toBe('41E95B3BB0A2E8DD477901E4FCA894C0');
    expect(block(0xfeff)).toBe('EC8CDF7398607CB0F2D21675EA9EA1E4');
    expect(block(0xff00)).toBe('362B7C3C6773516318A077D7FC5073AE');
    expect(block(0xff01)).toBe('6A2CC3787889374FBEB4C81B17BA6C44');
  });

  it('refuses a keystream longer than 2^16 blocks', () => {
    expect(() => new AesCounterMode(sessionKey).keystream(new Uint8Array(16), 0x10001 * 16)).toThrow(RangeError);
  });
});

describe('RFC 3711 §4.1.1 IV layout', () => {
  it('XORs the SSRC into bytes 4..7 and the 48-bit index into bytes 8..13', () => {
    const iv = new Uint8Array(16);
    writeSrtpIv(iv, new Uint8Array(14), 0xcafebabe, 0x123456789abc);
    expect(Buffer.from(iv).toString('hex')).toBe(
      '00000000' + // salt bytes 0..3 untouched
        'cafebabe' + // SSRC
        '123456789abc' + // packet index (ROC 0x12345678, SEQ 0x9abc)
        '0000', // block counter
    );
  });
});

describe('RFC 3711 B.3 key derivation test vectors', () => {
  const masterKey = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
  const masterSalt = hex('0EC675AD498AFEEBB6960B3AABE6');

  it('derives the cipher key (label 0)', () => {
    expect(deriveSessionKey(masterKey, masterSalt, KDF_LABEL.rtpEncryption, 16).toString('hex').toUpperCase()).toBe(
      'C61E7A93744F39EE10734AFE3FF7A087',
    );
  });

  it('derives the cipher salt (label 2)', () => {
    expect(deriveSessionKey(masterKey, masterSalt, KDF_LABEL.rtpSalt, 14).toString('hex').toUpperCase()).toBe(
      '30CBBC08863D8C85D49DB34A9AE1',
    );
  });

  it('derives the 94-byte auth key stream of the RFC (label 1)', () => {
    expect(deriveSessionKey(masterKey, masterSalt, KDF_LABEL.rtpAuthentication, 94).toString('hex').toUpperCase()).toBe(
      'CEBE321F6FF7716B6FD4AB49AF256A15' +
        '6D38BAA48F0A0ACF3C34E2359E6CDBCE' +
        'E049646C43D9327AD175578EF7227098' +
        '6371C10C9A369AC2F94A8C5FBCDDDC25' +
        '6D6E919A48B610EF17C2041E47403576' +
        '6B68642C59BBFC2F34DB60DBDFB2',
    );
  });

  it('gives SRTP the first 160 bits of it as the HMAC-SHA1 key', () => {
    const keys = deriveSessionKeys({ profile: 'AES_CM_128_HMAC_SHA1_80', masterKey, masterSalt });
    expect(keys.rtp.authenticationKey.toString('hex')).toBe('cebe321f6ff7716b6fd4ab49af256a156d38baa4');
    expect(keys.rtp.encryptionKey.toString('hex')).toBe('c61e7a93744f39ee10734afe3ff7a087');
    expect(keys.rtp.salt.toString('hex')).toBe('30cbbc08863d8c85d49db34a9ae1');
    // SRTCP keys come from labels 3..5 and must differ from the SRTP ones.
    expect(keys.rtcp.encryptionKey.equals(keys.rtp.encryptionKey)).toBe(false);
    expect(keys.rtcp.authenticationKey).toHaveLength(20);
    expect(keys.rtcp.salt).toHaveLength(14);
  });
});
