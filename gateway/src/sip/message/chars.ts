/**
 * RFC 3261 §25.1 basic rules: character classes, LWS, quoted-string, and the top-level splitting
 * of header values (commas and semicolons that are not inside a quoted-string or <...>).
 * Everything here works on JS strings produced by decoding the header section as UTF-8, so a
 * malformed byte becomes U+FFFD and a NUL stays U+0000 — none of these functions can throw.
 */

const ALPHANUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
const TOKEN = table(ALPHANUM + "-.!%*_+`'~");
/** word adds ( ) < > : \ " / [ ] ? { } (Call-ID). */
const WORD = table(ALPHANUM + "-.!%*_+`'~()<>:\\\"/[]?{}");
/** unreserved = alphanum / mark (RFC 3261 §25.1) */
const UNRESERVED = table(ALPHANUM + "-_.!~*'()");
/** user = 1*( unreserved / escaped / user-unreserved ), user-unreserved = & = + $ , ; ? / */
const USER = table(ALPHANUM + "-_.!~*'()" + '&=+$,;?/');
/** password = *( unreserved / escaped / & = + $ , ) */
const PASSWORD = table(ALPHANUM + "-_.!~*'()" + '&=+$,');
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $ */
const PARAMCHAR = table(ALPHANUM + "-_.!~*'()" + '[]/:&+$');
/** hname / hvalue = 1*( hnv-unreserved / unreserved / escaped ); hnv-unreserved = [ ] / ? : + $ */
const HNVCHAR = table(ALPHANUM + "-_.!~*'()" + '[]/?:+$');
/** Header-parameter values: token, host (incl. IPv6 reference) — quoted strings handled apart. */
const GENVALUE = table(ALPHANUM + "-.!%*_+`'~" + ':[]');
/** hostname / IPv4 characters. */
const HOSTNAME = table(ALPHANUM + '-.');
/** Inside an IPv6 reference: hex digits, colons and an embedded dotted quad. */
const IPV6 = table('0123456789abcdefABCDEF:.');
/** telephone-subscriber characters (RFC 3966 global and local numbers, visual separators). */
const TELNUM = table('0123456789abcdefABCDEF*#+-.()pPwW');
/** URI scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
const SCHEME = table(ALPHANUM + '+-.');

function all(s: string, t: Uint8Array): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || t[c] !== 1) return false;
  }
  return true;
}

/** Characters of `s` are all in `t` or well-formed %HH escapes. */
function allEscaped(s: string, t: Uint8Array): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */) {
      if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
      continue;
    }
    if (c >= 128 || t[c] !== 1) return false;
  }
  return true;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

export const isToken = (s: string): boolean => all(s, TOKEN);
export const isWord = (s: string): boolean => all(s, WORD);
export const isUser = (s: string): boolean => allEscaped(s, USER);
/** password may be empty (`sip:user:@host`). */
export const isPassword = (s: string): boolean => s.length === 0 || allEscaped(s, PASSWORD);
export const isParamChars = (s: string): boolean => allEscaped(s, PARAMCHAR);
export const isHeaderNameOrValueChars = (s: string): boolean => allEscaped(s, HNVCHAR);
export const isGenValue = (s: string): boolean => all(s, GENVALUE);
export const isTelNumber = (s: string): boolean => all(s, TELNUM);
export const isUnreserved = (s: string): boolean => all(s, UNRESERVED);

export function isScheme(s: string): boolean {
  const c = s.charCodeAt(0);
  const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return alpha && all(s, SCHEME);
}

/**
 * host = hostname / IPv4address / IPv6reference. Hostname labels are alphanumerics and hyphens;
 * the IPv6 check is deliberately loose (hex, colons, dots, at least two colons) because RFC 5118
 * §4.10 requires tolerating the RFC 3261 ABNF bug that allows `[2001:db8:::192.0.2.1]`.
 */
export function isHost(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  if (s.charCodeAt(0) === 0x5b /* [ */) {
    if (s.charCodeAt(s.length - 1) !== 0x5d /* ] */) return false;
    const inner = s.slice(1, -1);
    if (inner.length < 2 || inner.length > 47 || !all(inner, IPV6)) return false;
    let colons = 0;
    for (let i = 0; i < inner.length; i++) if (inner.charCodeAt(i) === 0x3a) colons++;
    return colons >= 2;
  }
  if (!all(s, HOSTNAME)) return false;
  const labels = s.endsWith('.') ? s.slice(0, -1).split('.') : s.split('.');
  const top = labels[labels.length - 1] ?? '';
  const c = top.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39) {
    // A numeric top label makes it an IPv4address: four dec-octets (RFC 3261 ABNF as fixed by RFC 5954).
    return !s.endsWith('.') && labels.length === 4 && labels.every((l) => /^[0-9]{1,3}$/.test(l) && Number(l) <= 255);
  }
  // hostname: labels of alphanumerics and inner hyphens; toplabel starts with ALPHA.
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) return false;
  }
  return true;
}

/** IPv6 without brackets (the RFC 3261 `received` grammar allows it), loose like isHost. */
export function isBareIpv6(s: string): boolean {
  return isHost(`[${s}]`);
}

/** Strips the brackets of an IPv6 reference: `[2001:db8::1]` → `2001:db8::1`; others unchanged. */
export function hostAddress(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Parses 1*DIGIT into a number no greater than `max`; leading zeros allowed; undefined if not. */
export function parseDecimal(s: string, max: number): number | undefined {
  if (s.length === 0) return undefined;
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 0x30) i++; // leading zeros ("0009")
  if (s.length - i > 16) return undefined; // longer than any max we use: avoid float rounding
  let v = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return v <= max ? v : undefined;
}

export const isWsp = (c: number): boolean => c === 0x20 || c === 0x09;

/** Trims SP/HTAB only (String.prototype.trim also eats NUL-adjacent Unicode spaces we must keep). */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  while (b > a && isWsp(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** True when `s` contains SP, HTAB, CR or LF anywhere. */
export function hasWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) return true;
  }
  return false;
}

/**
 * Reads a quoted-string starting at s[start] === '"'. quoted-pair (`\` + any char except CR/LF)
 * is unescaped. Returns the unquoted text and the index after the closing quote, or undefined if
 * the string is unterminated (RFC 4475 §3.1.2.6 quotbal).
 */
export function readQuoted(s: string, start: number): { text: string; end: number } | undefined {
  let out = '';
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      const n = s.charCodeAt(i + 1);
      if (Number.isNaN(n) || n === 0x0d || n === 0x0a) return undefined;
      out += s[i + 1];
      i++;
      continue;
    }
    if (c === 0x22 /* " */) return { text: out, end: i + 1 };
    out += s[i];
  }
  return undefined;
}

/** Quotes `text` as a quoted-string, escaping `"` and `\` (RFC 3261 §25.1 quoted-pair). */
export function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
}

/**
 * Splits `s` at every `sep` that is outside quoted-strings and <...>. Returns undefined when a
 * quoted-string is unterminated (so callers can report it instead of guessing). The pieces are
 * not trimmed. Bounded: one pass over `s`.
 */
export function splitTopLevel(s: string, sep: ',' | ';'): string[] | undefined {
  const sepCode = sep.charCodeAt(0);
  const parts: string[] = [];
  let from = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22) inQuote = false;
      continue;
    }
    if (c === 0x22) inQuote = true;
    else if (c === 0x3c /* < */) inAngle = true;
    else if (c === 0x3e /* > */) inAngle = false;
    else if (c === sepCode && !inAngle) {
      parts.push(s.slice(from, i));
      from = i + 1;
    }
  }
  if (inQuote) return undefined;
  parts.push(s.slice(from));
  return parts;
}

/**
 * %HH → character, for comparing/displaying URI parts. Each run of escapes is decoded as UTF-8
 * (bytes that are not UTF-8 become U+FFFD); text that is not an escape is left as written.
 */
export function unescapeUriText(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}
