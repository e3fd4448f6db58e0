/**
 * Parameters: header parameters (`generic-param`, RFC 3261 §25.1: SWS around ";" and "=",
 * values token / host / quoted-string) and URI parameters (`uri-parameter`, §19.1.1: no
 * whitespace, paramchar with %-escapes).
 */
import {
  isGenValue,
  isParamChars,
  isToken,
  quote,
  readQuoted,
  splitTopLevel,
  trimWsp,
} from './chars.js';
import type { Params } from './types.js';

/**
 * Which parameter values were written as quoted-strings. Kept beside the Map (not in it) so the
 * public type stays a plain Map, while formatting still re-quotes `;+sip.instance="<urn:…>"` and
 * feature tags whose meaning depends on the quotes (RFC 3840 §9).
 */
const quotedNames = new WeakMap<Params, Set<string>>();

function markQuoted(params: Params, name: string): void {
  let set = quotedNames.get(params);
  if (set === undefined) {
    set = new Set();
    quotedNames.set(params, set);
  }
  set.add(name);
}

/**
 * Parses header parameters: `text` is everything after the value they qualify, e.g.
 * ` ;tag = 98asjd8 ; q=0.5`. Empty text → empty map. Returns undefined on any malformed
 * parameter (empty `;;`, non-token name, bad value, unterminated quote).
 */
export function parseHeaderParams(text: string): Params | undefined {
  const params: Params = new Map();
  const t = trimWsp(text);
  if (t.length === 0) return params;
  if (t.charCodeAt(0) !== 0x3b /* ; */) return undefined;
  const pieces = splitTopLevel(t.slice(1), ';');
  if (pieces === undefined) return undefined;
  for (const piece of pieces) {
    const eq = indexOfUnquoted(piece, 0x3d /* = */);
    const name = trimWsp(eq < 0 ? piece : piece.slice(0, eq)).toLowerCase();
    if (!isToken(name)) return undefined;
    if (eq < 0) {
      params.set(name, null);
      continue;
    }
    const raw = trimWsp(piece.slice(eq + 1));
    if (raw.charCodeAt(0) === 0x22 /* " */) {
      const q = readQuoted(raw, 0);
      if (q === undefined || q.end !== raw.length) return undefined;
      params.set(name, q.text);
      markQuoted(params, name);
    } else {
      if (!isGenValue(raw)) return undefined;
      params.set(name, raw);
    }
  }
  return params;
}

function indexOfUnquoted(s: string, code: number): number {
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inQuote = false;
    } else if (c === 0x22) inQuote = true;
    else if (c === code) return i;
  }
  return -1;
}

/** Formats header parameters: `;name`, `;name=value`, quoting values that are not token/host. */
export function formatHeaderParams(params: Params): string {
  const quoted = quotedNames.get(params);
  let out = '';
  for (const [name, value] of params) {
    if (value === null) out += `;${name}`;
    else if (quoted?.has(name) === true || !isGenValue(value)) out += `;${name}=${quote(value)}`;
    else out += `;${name}=${value}`;
  }
  return out;
}

/**
 * Parses URI parameters: `text` is the part after the host/port, e.g. `;transport=tcp;lr`.
 * No whitespace is allowed inside a URI (RFC 4475 §3.1.2.8). Undefined when malformed.
 */
export function parseUriParams(text: string): Params | undefined {
  const params: Params = new Map();
  if (text.length === 0) return params;
  if (text.charCodeAt(0) !== 0x3b) return undefined;
  for (const piece of text.slice(1).split(';')) {
    const eq = piece.indexOf('=');
    const name = (eq < 0 ? piece : piece.slice(0, eq)).toLowerCase();
    if (!isParamChars(name)) return undefined;
    if (eq < 0) {
      params.set(name, null);
      continue;
    }
    const value = piece.slice(eq + 1);
    if (!isParamChars(value)) return undefined;
    params.set(name, value);
  }
  return params;
}

/** Formats URI parameters exactly as they were parsed (values kept escaped). */
export function formatUriParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}
