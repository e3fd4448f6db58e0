/**
 * Header-name knowledge: compact forms (RFC 3261 §7.3.3 and later RFCs), canonical spellings, and
 * which headers have a comma-separated list grammar (RFC 3261 §7.3.1: only those may be split
 * or combined at commas; Date, WWW-Authenticate, Authorization … contain commas of their own).
 */

/** Compact form → lower-case full name. */
const COMPACT: Readonly<Record<string, string>> = {
  a: 'accept-contact', // RFC 3841
  b: 'referred-by', // RFC 3892
  c: 'content-type',
  d: 'request-disposition', // RFC 3841
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact', // RFC 3841
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info', // RFC 4474
  o: 'event', // RFC 6665
  r: 'refer-to', // RFC 3515
  s: 'subject',
  t: 'to',
  u: 'allow-events', // RFC 6665
  v: 'via',
  x: 'session-expires', // RFC 4028
  y: 'identity', // RFC 8224
};

/** Lower-case name → the spelling we emit. Unknown names keep the spelling they arrived with. */
const CANONICAL: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events',
    'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition',
    'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type', 'CSeq', 'Date', 'Diversion',
    'Error-Info', 'Event', 'Expires', 'From', 'History-Info', 'Identity', 'Identity-Info', 'In-Reply-To',
    'Max-Forwards', 'MIME-Version', 'Min-Expires', 'Min-SE', 'Organization', 'P-Asserted-Identity',
    'P-Charging-Vector', 'P-Preferred-Identity', 'Path', 'Priority', 'Privacy', 'Proxy-Authenticate',
    'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason', 'Record-Route', 'Refer-To', 'Referred-By',
    'Reject-Contact', 'Replaces', 'Reply-To', 'Request-Disposition', 'Require', 'Retry-After', 'Route', 'RSeq',
    'Server', 'Service-Route', 'Session-Expires', 'Subject', 'Subscription-State', 'Supported', 'Timestamp',
    'To', 'Unsupported', 'User-Agent', 'User-to-User', 'Via', 'Warning', 'WWW-Authenticate',
  ].map((n) => [n.toLowerCase(), n]),
);

/** Headers whose ABNF is `#element` (comma list), so getAll() splits them. */
const LIST_HEADERS: ReadonlySet<string> = new Set([
  'accept', 'accept-contact', 'accept-encoding', 'accept-language', 'alert-info', 'allow', 'allow-events',
  'call-info', 'contact', 'content-encoding', 'content-language', 'diversion', 'error-info', 'history-info',
  'in-reply-to', 'p-asserted-identity', 'p-preferred-identity', 'path', 'proxy-require', 'reason',
  'record-route', 'reject-contact', 'request-disposition', 'require', 'route', 'service-route', 'supported',
  'unsupported', 'user-to-user', 'via', 'warning',
]);

/** Lower-case full name for any spelling or compact form ("V", "via", "VIA" → "via"). */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length === 1) return COMPACT[lower] ?? lower;
  return lower;
}

/** The spelling to emit: canonical for known headers, else as given. */
export function canonicalName(name: string, key = headerKey(name)): string {
  return CANONICAL[key] ?? (name.length === 1 ? key : name);
}

export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}
