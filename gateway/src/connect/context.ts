/**
 * The Amazon Connect context carried by the INVITE of an external voice transfer (Chime Voice
 * Connector → us): the X-Amzn-* headers, the caller and dialled numbers, and the optional
 * User-to-User information (RFC 7433) that the contact flow sets — JSON, usually hex-encoded:
 *
 *   X-Amzn-ConnectContactId: 4a8d5c1e-2b7f-4c3a-9e6d-1f2a3b4c5d6e
 *   X-Amzn-SourceArn: arn:aws:connect:us-east-1:123456789012:instance/<instance-id>/contact/<id>
 *   User-to-User: 7b22717565756...;encoding=hex
 *
 * Pure and total: nothing here rejects a call. Anything odd (malformed hex, non-UTF-8 bytes, bad
 * JSON, ids that are not UUIDs, an ARN we cannot read) is reported in `problems` and the call
 * proceeds with whatever could be read.
 */
import {
  isParseError,
  parseNameAddr,
  parseUri,
  unescapeUriText,
  type SipRequest,
  type SipUri,
} from '../sip/message/index.js';

export interface ConnectUui {
  /** The uui-data as written, before any decoding (quotes removed). */
  raw: string;
  encoding: 'hex' | 'plain';
  /** The decoded UTF-8 text (absent when hex or UTF-8 decoding failed). */
  text?: string;
  /** The text parsed as JSON, when it is a JSON object. */
  json?: Record<string, unknown>;
}

export interface ConnectCallContext {
  contactId?: string;
  initialContactId?: string;
  sourceAccount?: string;
  sourceArn?: string;
  targetArn?: string;
  /** From the SourceArn "arn:aws:connect:<region>:<acct>:instance/<id>/...". */
  instanceId?: string;
  region?: string;
  /** From user, or P-Asserted-Identity when From carries none (anonymous). */
  callerNumber?: string;
  /** To user, or Request-URI user. */
  dialledNumber?: string;
  uui?: ConnectUui;
  /** Every X-Amzn-* header, name and value as received. */
  headers: Record<string, string>;
}

export interface ParsedConnectContext {
  context: ConnectCallContext;
  /** Human-readable notes about anything that could not be read as expected. */
  problems: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACCOUNT = /^[0-9]{12}$/;
/** arn:<partition>:connect:<region>:<account>:instance/<instance-id>[/…] */
const CONNECT_ARN = /^arn:aws(?:-[a-z]+)*:connect:([a-z0-9-]+):([0-9]{12}):instance\/([^/\s]+)(?:\/.*)?$/;
/** Longest header value echoed into a problem message. */
const MAX_ECHO = 64;

export function parseConnectContext(req: SipRequest): ParsedConnectContext {
  const problems: string[] = [];
  const context: ConnectCallContext = { headers: amznHeaders(req, problems) };
  const amzn = (name: string): string | undefined => {
    const want = name.toLowerCase();
    for (const [n, v] of Object.entries(context.headers)) if (n.toLowerCase() === want) return v;
    return undefined;
  };

  const contactId = amzn('X-Amzn-ConnectContactId');
  if (contactId !== undefined) {
    context.contactId = contactId;
    if (!UUID.test(contactId)) problems.push(`X-Amzn-ConnectContactId is not a UUID: ${excerpt(contactId)}`);
  }
  const initialContactId = amzn('X-Amzn-ConnectInitialContactId');
  if (initialContactId !== undefined) {
    context.initialContactId = initialContactId;
    if (!UUID.test(initialContactId)) problems.push(`X-Amzn-ConnectInitialContactId is not a UUID: ${excerpt(initialContactId)}`);
  }
  const sourceAccount = amzn('X-Amzn-SourceAccount');
  if (sourceAccount !== undefined) {
    context.sourceAccount = sourceAccount;
    if (!ACCOUNT.test(sourceAccount)) problems.push(`X-Amzn-SourceAccount is not a 12-digit account id: ${excerpt(sourceAccount)}`);
  }
  const targetArn = amzn('X-Amzn-TargetArn');
  if (targetArn !== undefined) context.targetArn = targetArn;
  const sourceArn = amzn('X-Amzn-SourceArn');
  if (sourceArn !== undefined) {
    context.sourceArn = sourceArn;
    const m = CONNECT_ARN.exec(sourceArn);
    if (m === null) problems.push(`X-Amzn-SourceArn is not an Amazon Connect instance ARN: ${excerpt(sourceArn)}`);
    else {
      const [, region = '', account = '', instanceId = ''] = m;
      context.region = region;
      context.instanceId = instanceId;
      if (!UUID.test(instanceId)) problems.push(`instance id in X-Amzn-SourceArn is not a UUID: ${excerpt(instanceId)}`);
      if (sourceAccount !== undefined && sourceAccount !== account) {
        problems.push(`X-Amzn-SourceAccount ${excerpt(sourceAccount)} differs from the SourceArn account ${account}`);
      }
    }
  }

  const caller = callerNumber(req, problems);
  if (caller !== undefined) context.callerNumber = caller;
  const dialled = dialledNumber(req, problems);
  if (dialled !== undefined) context.dialledNumber = dialled;

  const uuiValues = req.headers.getAll('User-to-User');
  const first = uuiValues[0];
  if (first !== undefined) {
    if (uuiValues.length > 1) problems.push(`${uuiValues.length} User-to-User values; only the first is read`);
    context.uui = parseUui(first, problems);
  }
  return { context, problems };
}

function amznHeaders(req: SipRequest, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, value] of req.headers.entries()) {
    if (!name.toLowerCase().startsWith('x-amzn-')) continue;
    const key = name.toLowerCase();
    if (seen.has(key)) {
      problems.push(`${name} appears more than once; the first value is kept`);
      continue;
    }
    seen.add(key);
    out[name] = value;
  }
  return out;
}

/** The user part of a sip/sips URI or the number of a tel URI, %-unescaped. */
function userOf(uri: SipUri): string | undefined {
  if (uri.user === undefined || uri.user.length === 0) return undefined;
  return unescapeUriText(uri.user);
}

function userOfHeader(value: string | undefined, header: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  const na = parseNameAddr(value);
  if (isParseError(na)) {
    problems.push(`${header} could not be read: ${na.reason}`);
    return undefined;
  }
  return userOf(na.uri);
}

function callerNumber(req: SipRequest, problems: string[]): string | undefined {
  const from = userOfHeader(req.headers.get('From'), 'From', problems);
  if (from !== undefined && from.toLowerCase() !== 'anonymous') return from;
  // RFC 3325: the asserted identity of a withheld caller.
  for (const pai of req.headers.getAll('P-Asserted-Identity')) {
    const user = userOfHeader(pai, 'P-Asserted-Identity', problems);
    if (user !== undefined) return user;
  }
  return from;
}

function dialledNumber(req: SipRequest, problems: string[]): string | undefined {
  const to = userOfHeader(req.headers.get('To'), 'To', problems);
  if (to !== undefined) return to;
  const ruri = parseUri(req.uri);
  return isParseError(ruri) ? undefined : userOf(ruri);
}

/**
 * RFC 7433: `User-to-User: uui-data *(";" uui-param)`, uui-data = token / quoted-string,
 * `encoding=hex` meaning the data is hex octets. Connect flows put JSON there.
 */
function parseUui(value: string, problems: string[]): ConnectUui {
  const { data, params } = splitUui(value);
  const encoding = params.get('encoding')?.toLowerCase();
  if (encoding !== undefined && encoding !== 'hex') problems.push(`User-to-User encoding "${excerpt(encoding)}" is unknown; read as plain text`);
  if (encoding !== 'hex') {
    const uui: ConnectUui = { raw: data, encoding: 'plain', text: data };
    const json = parseJsonObject(data, problems);
    if (json !== undefined) uui.json = json;
    return uui;
  }
  const uui: ConnectUui = { raw: data, encoding: 'hex' };
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(data)) {
    problems.push(`User-to-User is not valid hex: ${excerpt(data)}`);
    return uui;
  }
  const bytes = Buffer.from(data, 'hex');
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    problems.push('User-to-User bytes are not valid UTF-8');
    return uui;
  }
  uui.text = text;
  const json = parseJsonObject(text, problems);
  if (json !== undefined) uui.json = json;
  return uui;
}

function splitUui(value: string): { data: string; params: Map<string, string> } {
  let data: string;
  let rest: string;
  const v = value.trim();
  if (v.startsWith('"')) {
    // quoted-string: find the closing quote, honouring backslash escapes.
    let i = 1;
    let text = '';
    for (; i < v.length && v[i] !== '"'; i++) {
      if (v[i] === '\\' && i + 1 < v.length) i++;
      text += v[i];
    }
    data = text;
    rest = v.slice(i + 1);
  } else {
    const semi = v.indexOf(';');
    data = (semi < 0 ? v : v.slice(0, semi)).trim();
    rest = semi < 0 ? '' : v.slice(semi);
  }
  const params = new Map<string, string>();
  for (const piece of rest.split(';')) {
    const eq = piece.indexOf('=');
    if (eq < 0) continue;
    params.set(piece.slice(0, eq).trim().toLowerCase(), piece.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return { data, params };
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * JSON object, when the text is one. Text that does not look like JSON is fine (plain UUI);
 * text that starts like JSON but does not parse, or parses to a non-object, is reported.
 */
function parseJsonObject(text: string, problems: string[]): Record<string, unknown> | undefined {
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    problems.push('User-to-User text looks like JSON but does not parse');
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push('User-to-User JSON is not an object');
    return undefined;
  }
  return value as Record<string, unknown>;
}

function excerpt(s: string): string {
  return s.length > MAX_ECHO ? `${s.slice(0, MAX_ECHO)}...` : s;
}
