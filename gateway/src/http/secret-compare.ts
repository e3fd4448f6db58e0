import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality of two secrets of any length: both are hashed first, so neither the
 * content nor the length of the expected value leaks through timing.
 */
export function secretsEqual(given: string | Buffer, expected: string | Buffer): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The bearer token of an Authorization header value, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const m = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(authorization);
  return m?.[1];
}
