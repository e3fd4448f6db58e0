import type tls from 'node:tls';

/**
 * TLS 1.2 suites we offer and accept: forward secrecy (ECDHE) and authenticated encryption (GCM,
 * ChaCha20-Poly1305) only, so a stolen key cannot decrypt recorded calls and no CBC/SHA-1 suite
 * (AES128-SHA, AES256-SHA …) is ever negotiated. The TLS 1.3 suites are OpenSSL's defaults, all AEAD
 * with ephemeral keys; they are named so a ciphers string never silently drops them.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;
export const TLS13_CIPHERS = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] as const;
export const TLS_CIPHERS = [...TLS13_CIPHERS, ...TLS12_CIPHERS].join(':');

/**
 * Client certificates (mutual TLS) on connections peers open to us:
 * - `off`: none asked for;
 * - `optional`: asked for; a peer may send none, but one it sends must chain to the client CAs;
 * - `required`: every peer must present one that chains to the client CAs.
 */
export type ClientCertMode = 'off' | 'optional' | 'required';

export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
  /** CAs we trust for connections we open (BYE to the peer when its connection is gone). */
  ca?: string | Buffer;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** CAs that client certificates must chain to; needed unless clientCert is 'off'. */
  clientCa?: string | Buffer;
  clientCert?: ClientCertMode;
}

/** Checked once, when the transport is built: a mode that needs CAs without them is a config error. */
export function validateTlsMaterial(m: TlsMaterial): void {
  const mode = m.clientCert ?? 'off';
  if (mode !== 'off' && m.clientCa === undefined) throw new RangeError(`tls.clientCert is ${mode}: tls.clientCa (the client CA bundle) is required`);
}

/** Options for the listening side. */
export function serverTlsOptions(m: TlsMaterial): tls.TlsOptions {
  const mode = m.clientCert ?? 'off';
  return {
    cert: m.cert,
    key: m.key,
    minVersion: m.minVersion ?? 'TLSv1.2',
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
    ...(mode === 'off' ? { requestCert: false } : { requestCert: true, rejectUnauthorized: mode === 'required', ...(m.clientCa !== undefined ? { ca: m.clientCa } : {}) }),
  };
}

/** Options for connections we open (our certificate is offered as a client certificate). */
export function clientTlsOptions(m: TlsMaterial): tls.ConnectionOptions {
  return {
    cert: m.cert,
    key: m.key,
    ...(m.ca !== undefined ? { ca: m.ca } : {}),
    minVersion: m.minVersion ?? 'TLSv1.2',
    ciphers: TLS_CIPHERS,
    rejectUnauthorized: true,
  };
}

/**
 * `optional` mode lets a handshake without a certificate through; one with a certificate that did
 * not verify must still be refused. True when the connection may be used.
 */
export function clientCertAcceptable(m: TlsMaterial, socket: tls.TLSSocket): boolean {
  if ((m.clientCert ?? 'off') !== 'optional' || socket.authorized) return true;
  const peer = socket.getPeerCertificate();
  return peer === null || Object.keys(peer).length === 0;
}
