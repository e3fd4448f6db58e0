/**
 * SRTP crypto suites we implement (RFC 4568 §6.2.1/§6.2.2, RFC 3711 §5). Both use AES-128 in
 * counter mode with a 112-bit salt and HMAC-SHA1 with a 160-bit session auth key; they differ only
 * in the SRTP tag length. SRTCP always carries an 80-bit tag, also for _32 (RFC 4568 §6.2.2; libsrtp
 * and pion agree).
 */
export type SrtpProfile = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';

/** In our preference order (stronger tag first). */
export const SRTP_PROFILES: readonly SrtpProfile[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

export interface SrtpProfileParams {
  /** Master key length, bytes. */
  masterKeyLength: number;
  /** Master salt length, bytes. */
  masterSaltLength: number;
  /** Session encryption key length, bytes (AES-128). */
  sessionKeyLength: number;
  /** Session salt length, bytes. */
  sessionSaltLength: number;
  /** Session authentication key length, bytes (HMAC-SHA1 n_a = 160 bits). */
  sessionAuthKeyLength: number;
  /** SRTP authentication tag length, bytes. */
  rtpTagLength: number;
  /** SRTCP authentication tag length, bytes. */
  rtcpTagLength: number;
}

const COMMON = {
  masterKeyLength: 16,
  masterSaltLength: 14,
  sessionKeyLength: 16,
  sessionSaltLength: 14,
  sessionAuthKeyLength: 20,
  rtcpTagLength: 10,
} as const;

const PARAMS: Readonly<Record<SrtpProfile, SrtpProfileParams>> = {
  AES_CM_128_HMAC_SHA1_80: { ...COMMON, rtpTagLength: 10 },
  AES_CM_128_HMAC_SHA1_32: { ...COMMON, rtpTagLength: 4 },
};

export function srtpProfileParams(profile: SrtpProfile): SrtpProfileParams {
  return PARAMS[profile];
}

export function isSrtpProfile(name: string): name is SrtpProfile {
  return Object.hasOwn(PARAMS, name);
}
