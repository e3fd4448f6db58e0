/**
 * Single-valued scalar headers: CSeq (RFC 3261 §20.16), Call-ID (§20.8), Max-Forwards (§20.22),
 * Expires (§20.19), Content-Length (§20.14).
 */
import { isToken, isWord, parseDecimal, trimWsp } from './chars.js';
import { SipErrorCode, badRequest } from './errors.js';
import type { CSeq, SipParseError } from './types.js';

/** 2^32 - 1: CSeq numbers and delta-seconds must fit 32 bits (RFC 4475 §3.1.2.4 scalar02). */
export const MAX_UINT32 = 0xffff_ffff;

/** CSeq = 1*DIGIT LWS Method. Leading zeros allowed ("0009", RFC 4475 wsinv). */
export function parseCSeq(value: string): CSeq | SipParseError {
  const m = /^(\d+)[ \t]+(\S+)$/.exec(trimWsp(value));
  const bad = (): SipParseError => badRequest(SipErrorCode.BAD_CSEQ, 'malformed CSeq');
  if (m === null) return bad();
  const seq = parseDecimal(m[1] ?? '', MAX_UINT32);
  const method = m[2] ?? '';
  if (seq === undefined || !isToken(method)) return bad();
  return { seq, method };
}

/** callid = word [ "@" word ] */
export function isCallId(value: string): boolean {
  const at = value.indexOf('@');
  if (at < 0) return isWord(value);
  return isWord(value.slice(0, at)) && isWord(value.slice(at + 1));
}

/** Max-Forwards = 1*DIGIT, 0..255 (RFC 3261 §20.22; RFC 4475 §3.1.2.4 treats 300 as overlarge). */
export function parseMaxForwards(value: string): number | undefined {
  return parseDecimal(trimWsp(value), 255);
}

/** delta-seconds = 1*DIGIT within 32 bits. */
export function parseDeltaSeconds(value: string): number | undefined {
  return parseDecimal(trimWsp(value), MAX_UINT32);
}
