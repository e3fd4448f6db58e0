import { describe, expect, it } from 'vitest';
import { SrtpSession, type SrtpKeys, type SrtpProfile } from '../../../src/rtp/srtp/index.js';

/**
 * Known-answer packets from libSRTP's srtp_validate() (test/srtp_driver.c), made with the
 * default policy and the RFC 3711 B.3 master key/salt. Matching them byte for byte shows we
 * interoperate with the most widely deployed SRTP stack (Asterisk, FreeSWITCH, Chrome...).
 */
const MASTER_KEY = Buffer.from('e1f97a0d3e018be0d64fa32c06de4139', 'hex');
const MASTER_SALT = Buffer.from('0ec675ad498afeebb6960b3aabe6', 'hex');

const RTP_PLAINTEXT = Buffer.from([
  0x80, 0x0f, 0x12, 0x34, // V=2, PT=15, seq=0x1234
  0xde, 0xca, 0xfb, 0xad, // timestamp
  0xca, 0xfe, 0xba, 0xbe, // SSRC
  ...new Array<number>(16).fill(0xab), // payload
]);
const SRTP_80 = Buffer.from([
  0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, // header, in clear
  0x4e, 0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d, 0x24, 0x02, // payload
  0xb7, 0x8d, 0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb, // 80-bit tag
]);
// HMAC_SHA1_32 keeps the first 32 bits of the same HMAC.
const SRTP_32 = SRTP_80.subarray(0, 28 + 4);

const RTCP_PLAINTEXT = Buffer.from([
  0x81, 0xc8, 0x00, 0x0b, // V=2, RC=1, PT=200 (SR), length=11
  0xca, 0xfe, 0xba, 0xbe, // SSRC
  ...new Array<number>(16).fill(0xab),
]);
const SRTCP = Buffer.from([
  0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, // header, in clear
  0x71, 0x28, 0x03, 0x5b, 0xe4, 0x87, 0xb9, 0xbd, 0xbe, 0xf8, 0x90, 0x41, 0xf9, 0x77, 0xa5, 0xa8, // encrypted
  0x80, 0x00, 0x00, 0x01, // E=1, SRTCP index 1
  0x99, 0x3e, 0x08, 0xcd, 0x54, 0xd6, 0xc1, 0x23, 0x07, 0x98, // 80-bit tag
]);

function session(profile: SrtpProfile): SrtpSession {
  const keys: SrtpKeys = { profile, masterKey: MASTER_KEY, masterSalt: MASTER_SALT };
  return new SrtpSession({ local: keys, remote: keys });
}

describe('libSRTP srtp_validate interop (RFC 3711 §3.3, §3.4)', () => {
  it('protects the reference RTP packet to libSRTP bytes (AES_CM_128_HMAC_SHA1_80)', () => {
    expect(session('AES_CM_128_HMAC_SHA1_80').protectRtp(RTP_PLAINTEXT).toString('hex')).toBe(SRTP_80.toString('hex'));
  });

  it('protects the reference RTP packet to libSRTP bytes (AES_CM_128_HMAC_SHA1_32)', () => {
    expect(session('AES_CM_128_HMAC_SHA1_32').protectRtp(RTP_PLAINTEXT).toString('hex')).toBe(SRTP_32.toString('hex'));
  });

  it('unprotects libSRTP packets to the reference plaintext', () => {
    const r80 = session('AES_CM_128_HMAC_SHA1_80').unprotectRtp(SRTP_80);
    expect(r80.ok && r80.value.toString('hex')).toBe(RTP_PLAINTEXT.toString('hex'));
    const r32 = session('AES_CM_128_HMAC_SHA1_32').unprotectRtp(SRTP_32);
    expect(r32.ok && r32.value.toString('hex')).toBe(RTP_PLAINTEXT.toString('hex'));
  });

  it('protects RTCP to libSRTP bytes (libSRTP numbers from 1; our second packet has index 1)', () => {
    const s = session('AES_CM_128_HMAC_SHA1_80');
    const first = s.protectRtcp(RTCP_PLAINTEXT);
    expect(first.subarray(24, 28).toString('hex')).toBe('80000000'); // E=1, index 0
    expect(s.protectRtcp(RTCP_PLAINTEXT).toString('hex')).toBe(SRTCP.toString('hex'));
  });

  it('unprotects the libSRTP SRTCP packet (80-bit tag also under the _32 suite)', () => {
    for (const profile of ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'] as const) {
      const r = session(profile).unprotectRtcp(SRTCP);
      expect(r.ok && r.value.toString('hex')).toBe(RTCP_PLAINTEXT.toString('hex'));
    }
  });
});
