import { AesCounterMode } from './aes-cm.js';
import { srtpProfileParams } from './profiles.js';
import type { SrtpKeys } from './keys.js';

/** RFC 3711 §4.3.1 key derivation labels. */
export const KDF_LABEL = {
  rtpEncryption: 0x00,
  rtpAuthentication: 0x01,
  rtpSalt: 0x02,
  rtcpEncryption: 0x03,
  rtcpAuthentication: 0x04,
  rtcpSalt: 0x05,
} as const;

/** Byte of the 14-byte salt the label lands on: key_id = label || r (48 bits) is right-aligned. */
const LABEL_BYTE = 7;

/**
 * RFC 3711 §4.3.1/§4.3.3 with key_derivation_rate 0 (r = 0; SDES keys with KDR are refused):
 *   x = key_id XOR master_salt, key = AES-CM PRF_n(master_key, x * 2^16).
 */
export function deriveSessionKey(masterKey: Buffer, masterSalt: Buffer, label: number, length: number): Buffer {
  const iv = new Uint8Array(16);
  iv.set(masterSalt.subarray(0, 14));
  iv[LABEL_BYTE] = (iv[LABEL_BYTE] as number) ^ label;
  return new AesCounterMode(masterKey).keystream(iv, length).subarray(0, length);
}

export interface SessionKeys {
  encryptionKey: Buffer;
  authenticationKey: Buffer;
  salt: Buffer;
}

/** The three SRTP session keys and the three SRTCP session keys of one direction. */
export function deriveSessionKeys(keys: SrtpKeys): { rtp: SessionKeys; rtcp: SessionKeys } {
  const p = srtpProfileParams(keys.profile);
  const d = (label: number, length: number): Buffer => deriveSessionKey(keys.masterKey, keys.masterSalt, label, length);
  return {
    rtp: {
      encryptionKey: d(KDF_LABEL.rtpEncryption, p.sessionKeyLength),
      authenticationKey: d(KDF_LABEL.rtpAuthentication, p.sessionAuthKeyLength),
      salt: d(KDF_LABEL.rtpSalt, p.sessionSaltLength),
    },
    rtcp: {
      encryptionKey: d(KDF_LABEL.rtcpEncryption, p.sessionKeyLength),
      authenticationKey: d(KDF_LABEL.rtcpAuthentication, p.sessionAuthKeyLength),
      salt: d(KDF_LABEL.rtcpSalt, p.sessionSaltLength),
    },
  };
}
