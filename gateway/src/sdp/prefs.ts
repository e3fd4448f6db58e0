import { isIP } from 'node:net';
import type { NegotiationPrefs } from './types.js';

/** Our packetization default, ms: 160 G.711 samples per packet. */
export const DEFAULT_PTIME_MS = 20;
const CODECS = new Set(['PCMU', 'PCMA']);
const POLICIES = new Set(['off', 'optional', 'required']);
const MAX_PTIME_MS = 200;

/** Throws RangeError naming the field: prefs come from our config, so a bad one is a bug. */
export function validatePrefs(prefs: NegotiationPrefs): void {
  if (prefs.codecs.length === 0) throw new RangeError('prefs.codecs must name at least one codec');
  for (const c of prefs.codecs) if (!CODECS.has(c)) throw new RangeError(`prefs.codecs: unknown codec "${c}"`);
  if (!POLICIES.has(prefs.srtp)) throw new RangeError(`prefs.srtp: unknown policy "${prefs.srtp}"`);
  if (isIP(prefs.local.address) === 0) throw new RangeError(`prefs.local.address "${prefs.local.address}" is not an IP literal`);
  const port = prefs.local.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`prefs.local.port ${port} not in 1..65535`);
  const ptime = prefs.ptimeMs ?? DEFAULT_PTIME_MS;
  if (!Number.isInteger(ptime) || ptime < 1 || ptime > MAX_PTIME_MS) {
    throw new RangeError(`prefs.ptimeMs ${ptime} not in 1..${MAX_PTIME_MS}`);
  }
}
