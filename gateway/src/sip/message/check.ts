/**
 * The UAS reactions of RFC 3261 §8.2 (and RFC 4475) that need no transaction or dialog state,
 * applied to a request that parsed. Order:
 *
 *   505 SIP-Version (§8.2 / RFC 4475 §3.1.2.16)
 *   400 missing or duplicated mandatory header, out-of-range scalar (§8.1.1, RFC 4475 §3.3.1, §3.3.8)
 *   416 Request-URI scheme (§8.2.2.1)
 *   501 unknown method, with Allow (§8.2.1; RFC 4475 §3.1.2.18 prefers it to the CSeq mismatch)
 *   400 CSeq method differs from the Request-Line's (RFC 4475 §3.1.2.17)
 *   405 known method we do not allow, with Allow (§8.2.1)
 *   400 dialog-creating INVITE without exactly one SIP/SIPS Contact (§8.1.1.8, §12.1.1): no remote
 *       target, no dialog. A branch without the magic cookie is an RFC 2543 UAC, for which Contact
 *       was optional (RFC 4475 §3.4.1 inv2543): its missing Contact is tolerated.
 *   420 Require lists an extension we lack, with Unsupported (§8.2.2.3; Proxy-Require is a proxy's)
 *   415 body type or encoding we cannot handle, with Accept / Accept-Encoding (§8.2.3)
 *   406 INVITE whose Accept excludes application/sdp, the only answer we can give (RFC 4475 §3.3.15)
 *
 * An ACK is never answered (§17.1.1.3), so for ACK only the first two groups apply: a result then
 * means "discard it", and the caller must not send a response.
 */
import { trimWsp } from './chars.js';
import { isParseError } from './errors.js';
import type { SipHeaders } from './headers.js';
import { BRANCH_MAGIC_COOKIE } from './ids.js';
import { parseNameAddr } from './name-addr.js';
import { parseMaxForwards, parseDeltaSeconds, parseCSeq } from './scalars.js';
import type { SipRequest } from './types.js';
import { absoluteUriScheme } from './uri.js';
import { parseVia } from './via.js';

export interface RequestPolicy {
  /** Methods we process, e.g. INVITE ACK BYE CANCEL OPTIONS; advertised in Allow. */
  allowedMethods: string[];
  /** Option tags we implement (Require values outside this list get 420). */
  supportedExtensions: string[];
  /** Body media types we accept, e.g. application/sdp; advertised in Accept. */
  acceptedBodyTypes: string[];
  /** The gateway is never a registrar: REGISTER is a known method we answer with 405. */
  isRegistrar: false;
}

export interface RequestRejection {
  status: number;
  reason: string;
  headers: Array<[string, string]>;
}

/** Methods defined by RFC 3261 and the extensions we recognise (a known method gets 405, others 501). */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', // RFC 3261
  'PRACK', // RFC 3262
  'SUBSCRIBE', 'NOTIFY', // RFC 6665
  'PUBLISH', // RFC 3903
  'INFO', // RFC 6086
  'REFER', // RFC 3515
  'MESSAGE', // RFC 3428
  'UPDATE', // RFC 3311
]);

const MANDATORY = ['Via', 'From', 'To', 'Call-ID', 'CSeq'] as const;
/** Headers that may appear once only (RFC 3261 §7.3.1: not a comma list). */
const SINGLE = ['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Type', 'Content-Length', 'Expires'] as const;

/** Longest piece of the request echoed in a reason phrase. */
const MAX_ECHO = 32;

const URI_SCHEMES: ReadonlySet<string> = new Set(['sip', 'sips', 'tel']);

export function checkRequest(req: SipRequest, policy: RequestPolicy): RequestRejection | undefined {
  const h = req.headers;
  if (req.version.toUpperCase() !== 'SIP/2.0') return reject(505, `Version Not Supported (${excerpt(req.version)})`);

  for (const name of MANDATORY) if (!h.has(name)) return reject(400, `Missing ${name}`);
  for (const name of SINGLE) {
    if (h.countLines(name) > 1) return reject(400, `Bad Request (duplicate ${name})`);
  }
  const scalar = checkScalars(h);
  if (scalar !== undefined) return reject(400, `Bad Request (${scalar})`);
  if (req.method === 'ACK') return undefined;

  const scheme = absoluteUriScheme(req.uri);
  if (scheme === undefined || !URI_SCHEMES.has(scheme)) {
    return reject(416, `Unsupported URI Scheme (${excerpt(req.uri.slice(0, Math.max(0, req.uri.indexOf(':'))))})`);
  }

  const allow: Array<[string, string]> = [['Allow', policy.allowedMethods.join(', ')]];
  const allowed = policy.allowedMethods.includes(req.method);
  if (!allowed && !KNOWN_METHODS.has(req.method)) return reject(501, 'Not Implemented', allow);

  const cseq = parseCSeq(h.get('cseq') ?? '');
  if ('code' in cseq) return reject(400, 'Bad Request (malformed CSeq)');
  if (cseq.method !== req.method) return reject(400, 'Bad Request (CSeq method does not match Request-Line)');

  if (!allowed) return reject(405, 'Method Not Allowed', allow);

  if (req.method === 'INVITE') {
    const contact = checkDialogContact(h);
    if (contact !== undefined) return reject(400, contact);
  }

  // RFC 3261 §8.2.2.3: Require is ignored in CANCEL (and never answered in ACK).
  if (req.method !== 'CANCEL') {
    const unsupported = h
      .getAll('require')
      .map((t) => trimWsp(t))
      .filter((t) => t.length > 0 && !policy.supportedExtensions.some((s) => s.toLowerCase() === t.toLowerCase()));
    if (unsupported.length > 0) return reject(420, 'Bad Extension', [['Unsupported', unsupported.join(', ')]]);
  }

  if (req.body.length > 0) {
    const type = h.get('content-type');
    if (type === undefined) return reject(400, 'Bad Request (body without Content-Type)');
    if (!policy.acceptedBodyTypes.some((a) => mediaType(a) === mediaType(type))) {
      return reject(415, 'Unsupported Media Type', [['Accept', policy.acceptedBodyTypes.join(', ')]]);
    }
    const encodings = h.getAll('content-encoding').filter((e) => e.toLowerCase() !== 'identity');
    if (encodings.length > 0) return reject(415, 'Unsupported Media Type (Content-Encoding)', [['Accept-Encoding', 'identity']]);
  }

  if (req.method === 'INVITE' && h.has('accept') && !acceptsSdp(h.getAll('accept'))) {
    return reject(406, 'Not Acceptable (Accept excludes application/sdp)', [['Accept', 'application/sdp']]);
  }
  return undefined;
}

/** The reason phrase for a dialog-creating INVITE whose Contact cannot be the remote target. */
function checkDialogContact(h: SipHeaders): string | undefined {
  const to = parseNameAddr(h.get('to') ?? '');
  if (isParseError(to) || to.params.has('tag')) return undefined; // in-dialog: Contact is a SHOULD (§12.2.1.1)
  const contacts = h.getAll('contact');
  if (contacts.length === 0) return fromRfc3261Uac(h) ? 'Missing Contact' : undefined;
  if (contacts.length > 1) return 'Bad Request (more than one Contact)';
  const contact = parseNameAddr(contacts[0] ?? '');
  if (isParseError(contact) || (contact.uri.scheme !== 'sip' && contact.uri.scheme !== 'sips')) return 'Bad Request (Contact is not a SIP or SIPS URI)';
  return undefined;
}

/** A top Via branch with the magic cookie (§8.1.1.7): the request was built by an RFC 3261 element. */
function fromRfc3261Uac(h: SipHeaders): boolean {
  const vias = parseVia(h.get('via') ?? '');
  const branch = isParseError(vias) ? undefined : vias[0]?.params.get('branch');
  return typeof branch === 'string' && branch.startsWith(BRANCH_MAGIC_COOKIE);
}

function checkScalars(h: SipHeaders): string | undefined {
  const mf = h.get('max-forwards');
  if (mf !== undefined && parseMaxForwards(mf) === undefined) return 'Max-Forwards out of range';
  const expires = h.get('expires');
  if (expires !== undefined && parseDeltaSeconds(expires) === undefined) return 'malformed Expires';
  return undefined;
}

/** `type/subtype` lower-cased, parameters and whitespace dropped. */
function mediaType(value: string): string {
  const semi = value.indexOf(';');
  return trimWsp(semi < 0 ? value : value.slice(0, semi))
    .replace(/[ \t]*\/[ \t]*/, '/')
    .toLowerCase();
}

/** Does any Accept range (RFC 3261 §20.1) admit application/sdp with q > 0? An empty Accept admits nothing. */
function acceptsSdp(ranges: string[]): boolean {
  for (const range of ranges) {
    const type = mediaType(range);
    if (type !== 'application/sdp' && type !== 'application/*' && type !== '*/*') continue;
    const q = /;[ \t]*q[ \t]*=[ \t]*([0-9.]+)/i.exec(range);
    if (q === null || Number(q[1]) > 0) return true;
  }
  return false;
}

/** Input echoed into a reason phrase: printable ASCII only and short, so replies stay small and clean. */
function excerpt(s: string): string {
  const clean = s.replace(/[^\x21-\x7e]/g, '?');
  return clean.length > MAX_ECHO ? `${clean.slice(0, MAX_ECHO)}...` : clean;
}

function reject(status: number, reason: string, headers: Array<[string, string]> = []): RequestRejection {
  return { status, reason, headers };
}
