/**
 * Identifiers we generate: tags (RFC 3261 §19.3, at least 32 random bits), branches (§8.1.1.7,
 * the magic cookie "z9hG4bK" then a value unique in space and time) and Call-IDs (§8.1.1.4).
 */
import { randomBytes } from 'node:crypto';
import { isCallId } from './scalars.js';

export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

/** 64 random bits as 16 hex digits (token characters only). */
export function newTag(): string {
  return randomBytes(8).toString('hex');
}

export function newBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomBytes(12).toString('hex');
}

/** `<128 random bits>@host`, or just the random part when `host` is not a Call-ID word. */
export function newCallId(host: string): string {
  const local = randomBytes(16).toString('hex');
  const withHost = `${local}@${host}`;
  return host.length > 0 && isCallId(withHost) ? withHost : local;
}
