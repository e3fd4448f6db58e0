import { randomBytes } from 'node:crypto';
import { srtpProfileParams, type SrtpProfile } from './profiles.js';

/** One direction's master key material, as carried in an SDES a=crypto line (RFC 4568). */
export interface SrtpKeys {
  profile: SrtpProfile;
  /** 16 bytes. */
  masterKey: Buffer;
  /** 14 bytes. */
  masterSalt: Buffer;
  /**
   * Master Key Identifier carried in every packet of this direction (RFC 3711 §3.1), when the
   * a=crypto line declared one ("|1:4"): the value, big-endian, in its declared length.
   */
  mki?: Buffer;
}

/** Fresh random master key and salt for our sending direction (node:crypto CSPRNG). */
export function generateKeys(profile: SrtpProfile): SrtpKeys {
  const p = srtpProfileParams(profile);
  return { profile, masterKey: randomBytes(p.masterKeyLength), masterSalt: randomBytes(p.masterSaltLength) };
}

/** Throws RangeError naming the field when key material has the wrong size (a programming error). */
export function assertKeys(keys: SrtpKeys, which: string): void {
  const p = srtpProfileParams(keys.profile);
  if (keys.masterKey.length !== p.masterKeyLength) {
    throw new RangeError(`${which}.masterKey must be ${p.masterKeyLength} bytes, got ${keys.masterKey.length}`);
  }
  if (keys.masterSalt.length !== p.masterSaltLength) {
    throw new RangeError(`${which}.masterSalt must be ${p.masterSaltLength} bytes, got ${keys.masterSalt.length}`);
  }
  if (keys.mki !== undefined && (keys.mki.length < 1 || keys.mki.length > 128)) {
    throw new RangeError(`${which}.mki must be 1..128 bytes, got ${keys.mki.length}`);
  }
}
