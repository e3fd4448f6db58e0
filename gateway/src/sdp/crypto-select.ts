import { parseCryptoAttribute, type CryptoAttribute } from '../rtp/srtp/index.js';

/**
 * RFC 4568 §7.1.1/§7.1.2: the answerer picks one offered a=crypto it supports (we take the first,
 * honouring the offerer's preference order) and answers with the same tag and suite.
 */
export function chooseCrypto(lines: readonly string[]): { crypto: CryptoAttribute } | { problems: string[] } {
  const problems: string[] = [];
  for (const line of lines) {
    const parsed = parseCryptoAttribute(line);
    if (!('error' in parsed)) return { crypto: parsed };
    problems.push(parsed.error);
  }
  return { problems };
}
