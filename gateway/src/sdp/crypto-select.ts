import { err, type Result } from '../result.js';
import { parseCryptoAttribute, type CryptoAttribute } from '../rtp/srtp/index.js';

/**
 * RFC 4568 §7.1.1/§7.1.2: the answerer picks one offered a=crypto it supports (we take the first,
 * honouring the offerer's preference order) and answers with the same tag and suite.
 */
export function chooseCrypto(lines: readonly string[]): Result<CryptoAttribute, string[]> {
  const problems: string[] = [];
  for (const line of lines) {
    const parsed = parseCryptoAttribute(line);
    if (parsed.ok) return parsed;
    problems.push(parsed.error);
  }
  return err(problems);
}
