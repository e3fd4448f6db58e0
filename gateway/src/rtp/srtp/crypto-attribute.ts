import { err, ok, type Result } from '../../result.js';
import { ownedCopy } from '../../owned-bytes.js';
import type { SrtpKeys } from './keys.js';
import { isSrtpProfile, srtpProfileParams, type SrtpProfile } from './profiles.js';

/**
 * RFC 4568 §9.1 SDES a=crypto value (what follows "a=crypto:"):
 *
 *   crypto-attribute = tag 1*WSP crypto-suite 1*WSP key-params *(1*WSP session-param)
 *   key-params       = key-param *(";" key-param)
 *   key-param        = "inline:" key-salt ["|" lifetime] ["|" mki]     (§6.1, SRTP key-info)
 *   lifetime         = ["2^"] 1*DIGIT                                     (packets)
 *   mki              = mki-value ":" mki-length                           (length 1..128 bytes)
 *
 * e.g. "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4"
 */
export interface CryptoAttribute {
  tag: number;
  profile: SrtpProfile;
  /** The offerer's/answerer's sending keys (with keys.mki when an MKI was declared). */
  keys: SrtpKeys;
  /** Master key lifetime, packets, when given. */
  lifetime?: number;
  /** The declared MKI, when given (also in keys.mki as bytes). */
  mki?: { value: bigint; length: number };
  /** WSH= window size hint for the receiver's replay window (RFC 4568 §6.3.7), packets. */
  windowSizeHint?: number;
}

export type CryptoAttributeParseResult = Result<CryptoAttribute, string>;

const TAG_RE = /^\d{1,9}$/;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const LIFETIME_POW_RE = /^2\^(\d{1,2})$/;
const LIFETIME_DEC_RE = /^\d{1,15}$/;
const MKI_RE = /^(\d{1,39}):(\d{1,3})$/;
const WSH_RE = /^WSH=(\d{1,9})$/;
/** RFC 3711 §9.2 / RFC 4568 §6.2: maximum SRTP master key lifetime for these suites. */
const MAX_LIFETIME_POWER = 48;
const MAX_MKI_LENGTH = 128;
/** RFC 4568 §6.3.7: WSH values below the SRTP minimum replay window are invalid. */
const MIN_WSH = 64;
/** Session parameters naming features we do not implement; offering them rules the line out. */
const UNSUPPORTED_FLAGS = new Set(['UNENCRYPTED_SRTP', 'UNENCRYPTED_SRTCP', 'UNAUTHENTICATED_SRTP']);

/**
 * Parses an a=crypto value. Never throws; the error names the problem for unsupported
 * suites, malformed keys, several master keys (";"), KDR, or the UNENCRYPTED/UNAUTHENTICATED
 * flags. FEC_ORDER/FEC_KEY are ignored (we never send or receive FEC streams), as are
 * session parameters prefixed with "-" (RFC 4568 §6.3: optional, ignorable).
 */
export function parseCryptoAttribute(value: string): CryptoAttributeParseResult {
  const tokens = value.trim().split(/[ \t]+/);
  if (tokens.length < 3) return err(`a=crypto "${value}": expected "<tag> <suite> inline:<key||salt>"`);
  const [tagText, suite, keyParams] = tokens as [string, string, string];
  if (!TAG_RE.test(tagText)) return err(`a=crypto tag "${tagText}" is not a 1-9 digit number`);
  if (!isSrtpProfile(suite)) return err(`unsupported crypto suite ${suite}`);
  const params = srtpProfileParams(suite);

  if (keyParams.includes(';')) return err('several master keys (";") in one a=crypto are not supported');
  if (!/^inline:/i.test(keyParams)) return err(`key method of "${keyParams}" is not inline:`);
  const [keySalt, ...extras] = keyParams.slice('inline:'.length).split('|') as [string, ...string[]];
  if (extras.length > 2) return err(`too many "|" fields in "${keyParams}"`);
  if (!BASE64_RE.test(keySalt)) return err('inline key||salt is not base64');
  const material = Buffer.from(keySalt, 'base64');
  const wanted = params.masterKeyLength + params.masterSaltLength;
  if (material.length !== wanted) return err(`inline key||salt is ${material.length} bytes; ${suite} needs ${wanted}`);

  const result: CryptoAttribute = {
    tag: Number(tagText),
    profile: suite,
    keys: {
      profile: suite,
      masterKey: ownedCopy(material.subarray(0, params.masterKeyLength)),
      masterSalt: ownedCopy(material.subarray(params.masterKeyLength)),
    },
  };

  for (const [i, extra] of extras.entries()) {
    if (extra.includes(':')) {
      if (i !== extras.length - 1) return err(`MKI "${extra}" must be the last "|" field`);
      const mki = parseMki(extra);
      if (!mki.ok) return mki;
      result.mki = { value: mki.value.value, length: mki.value.bytes.length };
      result.keys.mki = mki.value.bytes;
    } else {
      if (i !== 0) return err(`lifetime "${extra}" must come before the MKI`);
      const lifetime = parseLifetime(extra);
      if (typeof lifetime === 'string') return err(lifetime);
      result.lifetime = lifetime;
    }
  }

  for (const p of tokens.slice(3)) {
    if (UNSUPPORTED_FLAGS.has(p)) return err(`session parameter ${p} is not supported`);
    if (p.startsWith('KDR=')) return err(`session parameter ${p} (key derivation rate) is not supported`);
    if (p.startsWith('FEC_ORDER=') || p.startsWith('FEC_KEY=') || p.startsWith('-')) continue;
    const wsh = WSH_RE.exec(p);
    if (wsh) {
      const n = Number(wsh[1]);
      if (n < MIN_WSH) return err(`WSH=${n} is below the minimum of ${MIN_WSH}`);
      result.windowSizeHint = n;
      continue;
    }
    return err(`unknown session parameter ${p}`);
  }
  return ok(result);
}

function parseLifetime(text: string): number | string {
  const pow = LIFETIME_POW_RE.exec(text);
  if (pow) {
    const n = Number(pow[1]);
    return n <= MAX_LIFETIME_POWER ? 2 ** n : `lifetime ${text} exceeds 2^${MAX_LIFETIME_POWER}`;
  }
  if (LIFETIME_DEC_RE.test(text)) {
    const n = Number(text);
    if (n === 0) return 'lifetime 0 is not valid';
    return n <= 2 ** MAX_LIFETIME_POWER ? n : `lifetime ${text} exceeds 2^${MAX_LIFETIME_POWER}`;
  }
  return `lifetime "${text}" is not a number or 2^n`;
}

function parseMki(text: string): Result<{ value: bigint; bytes: Buffer }, string> {
  const m = MKI_RE.exec(text);
  if (!m) return err(`MKI "${text}" is not <value>:<length>`);
  const length = Number(m[2]);
  if (length < 1 || length > MAX_MKI_LENGTH) return err(`MKI length ${length} not in 1..${MAX_MKI_LENGTH}`);
  const value = BigInt(m[1] as string);
  if (value >= 1n << BigInt(8 * length)) return err(`MKI value ${value} does not fit in ${length} bytes`);
  const bytes = Buffer.alloc(length);
  let v = value;
  for (let i = length - 1; i >= 0 && v > 0n; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return ok({ value, bytes });
}

/** "1 AES_CM_128_HMAC_SHA1_80 inline:<base64 key||salt>" (plus "|<mki>:<len>" when keys.mki is set). */
export function formatCryptoAttribute(tag: number, keys: SrtpKeys): string {
  if (!Number.isInteger(tag) || tag < 0 || tag > 999_999_999) throw new RangeError(`a=crypto tag ${tag} not in 0..999999999`);
  const inline = Buffer.concat([keys.masterKey, keys.masterSalt]).toString('base64');
  let mki = '';
  if (keys.mki !== undefined) {
    let v = 0n;
    for (const b of keys.mki) v = (v << 8n) | BigInt(b);
    mki = `|${v}:${keys.mki.length}`;
  }
  return `${tag} ${keys.profile} inline:${inline}${mki}`;
}
