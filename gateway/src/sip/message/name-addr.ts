/**
 * name-addr / addr-spec with header parameters (RFC 3261 §20.10, §20.20, §20.39, §25.1):
 *
 *   From: "J Rosenberg \\\"" <sip:jdrosen@example.com> ; tag = 98asjd8
 *   To: sip:vivekg@chair-dnrc.example.com ; tag = 1918181833n
 *
 * Without <>, everything after the first ';' is a header parameter (§20.10), and a URI containing
 * ',', ';' or '?' must have been enclosed in <> (RFC 4475 §3.1.2.13 regbadct).
 */
import { hasWhitespace, isToken, quote, readQuoted, trimWsp } from './chars.js';
import { SipErrorCode, badRequest } from './errors.js';
import { formatHeaderParams, parseHeaderParams } from './params.js';
import type { NameAddr, Params, SipParseError } from './types.js';
import { absoluteUriScheme, formatUri, parseUri } from './uri.js';

/** The scheme-agnostic pieces of a name-addr, before the URI itself is interpreted. */
export interface ScannedNameAddr {
  displayName?: string;
  uriText: string;
  /** Whether the URI was enclosed in <> (then it may carry its own ';' params and '?' headers). */
  bracketed: boolean;
  params: Params;
}

/**
 * Splits a name-addr without interpreting the URI, so headers with schemes we do not know
 * (`To: isbn:2983792873`, `Contact: <name:John_Smith>`) still parse (RFC 4475 §3.3.4).
 * Returns a reason fragment ("unterminated quoted string") on failure.
 */
export function scanNameAddr(value: string): ScannedNameAddr | string {
  const s = trimWsp(value);
  let i = 0;
  let displayName: string | undefined;
  if (s.charCodeAt(0) === 0x22 /* " */) {
    const q = readQuoted(s, 0);
    if (q === undefined) return 'unterminated quoted string';
    displayName = q.text;
    i = q.end;
    while (i < s.length && (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09)) i++;
    if (s.charCodeAt(i) !== 0x3c /* < */) return 'quoted display name not followed by <URI>';
  } else {
    const lt = s.indexOf('<');
    const semi = s.indexOf(';');
    if (lt >= 0 && (semi < 0 || lt < semi)) {
      // display-name = *(token LWS): tokens separated by whitespace (RFC 4475 §3.1.2.15 baddn).
      const dn = trimWsp(s.slice(0, lt));
      if (dn.length > 0) {
        for (const word of dn.split(/[ \t]+/)) if (!isToken(word)) return 'display name is not a token or quoted string';
        displayName = dn;
      }
      i = lt;
    }
  }
  if (s.charCodeAt(i) === 0x3c /* < */) {
    const gt = s.indexOf('>', i + 1);
    if (gt < 0) return 'unterminated <URI>';
    const uriText = s.slice(i + 1, gt);
    // LAQUOT/RAQUOT take whitespace outside only (RFC 4475 §3.1.2.14 badaspec).
    if (uriText.length === 0 || hasWhitespace(uriText)) return 'malformed <URI>';
    const params = parseHeaderParams(s.slice(gt + 1));
    if (params === undefined) return 'malformed parameters';
    const out: ScannedNameAddr = { uriText, bracketed: true, params };
    if (displayName !== undefined) out.displayName = displayName;
    return out;
  }
  // addr-spec: the URI runs to the first ';'.
  const semi = s.indexOf(';');
  const uriText = trimWsp(semi < 0 ? s : s.slice(0, semi));
  if (uriText.length === 0 || hasWhitespace(uriText)) return 'malformed URI';
  if (uriText.includes('?') || uriText.includes(',')) return 'URI with ? or , not enclosed in <>';
  const params = parseHeaderParams(semi < 0 ? '' : s.slice(semi));
  if (params === undefined) return 'malformed parameters';
  return { uriText, bracketed: false, params };
}

/**
 * Validates a name-addr whose URI may use any scheme: sip/sips/tel URIs are parsed in full, others
 * only checked for absoluteURI shape. Used on From/To/Contact by parseMessage. Returns the reason
 * fragment on failure, undefined when well formed.
 */
export function checkNameAddrSyntax(value: string): string | undefined {
  const scanned = scanNameAddr(value);
  if (typeof scanned === 'string') return scanned;
  const scheme = absoluteUriScheme(scanned.uriText);
  if (scheme === undefined) return 'malformed URI';
  if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') {
    const uri = parseUri(scanned.uriText);
    if ('code' in uri) return 'malformed URI';
  }
  return undefined;
}

export function parseNameAddr(s: string): NameAddr | SipParseError {
  const scanned = scanNameAddr(s);
  if (typeof scanned === 'string') return badRequest(SipErrorCode.BAD_NAME_ADDR, scanned);
  const uri = parseUri(scanned.uriText);
  if ('code' in uri) return uri;
  const out: NameAddr = { uri, params: scanned.params };
  if (scanned.displayName !== undefined) out.displayName = scanned.displayName;
  return out;
}

/**
 * Always uses the <> form (RFC 3261 §20.10 allows it everywhere, and it is required whenever the
 * URI has parameters or headers). The display name is written as a quoted-string unless it is
 * a plain run of tokens.
 */
export function formatNameAddr(n: NameAddr): string {
  let out = '';
  if (n.displayName !== undefined && n.displayName.length > 0) {
    const plain = n.displayName.split(' ').every((w) => isToken(w));
    out = `${plain ? n.displayName : quote(n.displayName)} `;
  }
  return `${out}<${formatUri(n.uri)}>${formatHeaderParams(n.params)}`;
}
