/**
 * Parsing one framed SIP message (RFC 3261 §7): a UDP datagram, or a message the StreamFramer
 * has already delimited. The header section is decoded as UTF-8 (invalid bytes become U+FFFD,
 * NUL stays NUL), the body is kept as bytes. Never throws: every problem becomes a SipParseError
 * carrying the header fields that could be recovered, so a 400 can still be built from them.
 *
 * Syntax checked here: start-line, header-line shape, Content-Length, and the headers a UAS
 * must understand to answer at all — Via, CSeq, Call-ID, From, To, Contact, Request-URI.
 * Semantics (missing/duplicate headers, versions, methods, extensions, bodies) are checkRequest's.
 */
import { err, ok } from '../../result.js';
import { ownedCopy } from '../../owned-bytes.js';
import { isToken, trimWsp } from './chars.js';
import { SipErrorCode, parseError, type SipErrorCodeValue } from './errors.js';
import {
  contentLengthOf,
  findHeaderEnd,
  skipLeadingNewlines,
  splitHeaderLines,
  type HeaderLine,
} from './framing.js';
import { SipHeaders } from './headers.js';
import { checkNameAddrSyntax } from './name-addr.js';
import { isCallId, parseCSeq } from './scalars.js';
import type { ParseResult, SipMessage, SipParseError } from './types.js';
import { absoluteUriScheme, parseUri } from './uri.js';
import { parseVia } from './via.js';

/** Default maximum message size in bytes (headers + body): 64 KiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 65_536;

const SIP_VERSION = /^SIP\/[0-9]+\.[0-9]+$/i;

type StartLine =
  | { type: 'request'; method: string; uri: string; version: string }
  | { type: 'response'; status: number; reason: string; version: string };

/** The start-line and header fields of a message, with the first syntax problem seen. */
export interface ParsedHead {
  isRequest: boolean;
  start?: StartLine;
  method?: string;
  headers: SipHeaders;
  lines: HeaderLine[];
  problem?: { code: SipErrorCodeValue; what: string };
}

/** UDP: one datagram is one message (RFC 3261 §18.3); trailing octets past Content-Length are ignored. */
export function parseMessage(datagram: Buffer, opts?: { maxSize?: number }): ParseResult {
  const maxSize = opts?.maxSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const start = skipLeadingNewlines(datagram, 0, datagram.length);
  if (start >= datagram.length) {
    return err(parseError(SipErrorCode.EMPTY, 400, 'Bad Request (empty message)', { isRequest: false }));
  }
  // A datagram ends the header section even without the empty line (RFC 4475 baddn.dat has none).
  const end = findHeaderEnd(datagram, start, datagram.length);
  const headerEnd = end?.headerEnd ?? datagram.length;
  const bodyStart = end?.bodyStart ?? datagram.length;
  const head = parseHead(datagram.toString('utf8', start, headerEnd));
  if (datagram.length - start > maxSize) {
    return err(errorFor(head, SipErrorCode.TOO_LARGE, `Request Entity Too Large (message over ${maxSize} bytes)`, 413));
  }
  const cl = contentLengthOf(head.lines);
  let bodyEnd = datagram.length;
  switch (cl.kind) {
    case 'absent': // RFC 3261 §18.3: on UDP the body is the rest of the datagram (RFC 2543 peers).
      break;
    case 'multiple':
      return err(errorFor(head, SipErrorCode.MULTIPLE_CONTENT_LENGTH, 'multiple Content-Length values'));
    case 'malformed':
      return err(errorFor(head, SipErrorCode.BAD_CONTENT_LENGTH, 'malformed Content-Length'));
    case 'value':
      if (bodyStart + cl.length > datagram.length) {
        return err(errorFor(head, SipErrorCode.TRUNCATED_BODY, 'Content-Length larger than message'));
      }
      bodyEnd = bodyStart + cl.length;
      break;
  }
  return finishMessage(head, datagram.subarray(bodyStart, bodyEnd));
}

/** Parses the start-line and header lines; syntax problems are recorded, not returned early. */
export function parseHead(text: string): ParsedHead {
  const { startLine, lines } = splitHeaderLines(text);
  const headers = new SipHeaders();
  const head: ParsedHead = { isRequest: !/^SIP\//i.test(startLine), headers, lines };
  for (const l of lines) {
    if ('malformed' in l) head.problem ??= { code: SipErrorCode.BAD_HEADER_LINE, what: l.malformed };
    else headers.append(l.name, l.value);
  }
  const start = parseStartLine(startLine);
  if ('code' in start) head.problem = { code: start.code, what: start.what };
  else {
    head.start = start;
    if (start.type === 'request') head.method = start.method;
  }
  if (head.method === undefined && head.isRequest) {
    // Recover the method from CSeq so the caller knows whether it may answer (never an ACK).
    const cseq = headers.get('cseq');
    const parsed = cseq === undefined ? undefined : parseCSeq(cseq);
    if (parsed !== undefined && !('code' in parsed)) head.method = parsed.method;
  }
  return head;
}

function parseStartLine(line: string): StartLine | { code: SipErrorCodeValue; what: string } {
  // Liberal about runs of SP and trailing SP (RFC 4475 §3.1.2.9 lwsstart, §3.1.2.10 trws).
  if (/^SIP\//i.test(line)) {
    const m = /^(\S+) +(\S+)(?: (.*))?$/s.exec(line);
    if (m === null) return { code: SipErrorCode.BAD_START_LINE, what: 'malformed Status-Line' };
    const [, version = '', code = '', reason = ''] = m;
    if (!SIP_VERSION.test(version)) return { code: SipErrorCode.BAD_VERSION, what: 'malformed SIP-Version' };
    // Status-Code = 3DIGIT (RFC 4475 §3.1.2.19 bigcode: 4294967301 must not wrap around).
    if (!/^[1-6][0-9][0-9]$/.test(code)) return { code: SipErrorCode.BAD_STATUS_CODE, what: 'malformed Status-Code' };
    return { type: 'response', status: Number(code), reason: trimWsp(reason), version };
  }
  const parts = trimWsp(line).split(/ +/);
  if (parts.length !== 3) return { code: SipErrorCode.BAD_START_LINE, what: 'malformed Request-Line' };
  const [method = '', uri = '', version = ''] = parts;
  if (!isToken(method)) return { code: SipErrorCode.BAD_METHOD, what: 'malformed method' };
  if (!SIP_VERSION.test(version)) return { code: SipErrorCode.BAD_VERSION, what: 'malformed SIP-Version' };
  return { type: 'request', method, uri, version };
}

/** Validates the headers a UAS needs and builds the message; `body` is copied (the input buffer may be reused). */
export function finishMessage(
  head: ParsedHead,
  body: Buffer,
  framingProblem?: { code: SipErrorCodeValue; what: string },
): ParseResult {
  if (head.problem !== undefined) {
    return err(errorFor(head, head.problem.code, head.problem.what));
  }
  if (framingProblem !== undefined) return err(errorFor(head, framingProblem.code, framingProblem.what));
  const problem = checkHeaderSyntax(head);
  if (problem !== undefined) return err(errorFor(head, problem.code, problem.what));
  const start = head.start;
  if (start === undefined) return err(errorFor(head, SipErrorCode.BAD_START_LINE, 'malformed start line'));
  // The datagram or stream buffer is reused or shared; a kept body gets memory of its own.
  const copy = ownedCopy(body);
  const message: SipMessage =
    start.type === 'request'
      ? { type: 'request', method: start.method, uri: start.uri, version: start.version, headers: head.headers, body: copy }
      : { type: 'response', status: start.status, reason: start.reason, version: start.version, headers: head.headers, body: copy };
  return ok(message);
}

function checkHeaderSyntax(head: ParsedHead): { code: SipErrorCodeValue; what: string } | undefined {
  const h = head.headers;
  // Whole lines, so an empty Via line or an empty element between commas is caught too.
  for (const v of h.getLines('via')) if ('code' in parseVia(v)) return { code: SipErrorCode.BAD_VIA, what: 'malformed Via' };
  for (const v of h.getAll('cseq')) if ('code' in parseCSeq(v)) return { code: SipErrorCode.BAD_CSEQ, what: 'malformed CSeq' };
  for (const v of h.getAll('call-id')) if (!isCallId(v)) return { code: SipErrorCode.BAD_CALL_ID, what: 'malformed Call-ID' };
  for (const v of h.getAll('from')) {
    const why = checkNameAddrSyntax(v);
    if (why !== undefined) return { code: SipErrorCode.BAD_FROM, what: `malformed From: ${why}` };
  }
  for (const v of h.getAll('to')) {
    const why = checkNameAddrSyntax(v);
    if (why !== undefined) return { code: SipErrorCode.BAD_TO, what: `malformed To: ${why}` };
  }
  const contacts = h.getAll('contact');
  for (const v of contacts) {
    // "Contact: *" is only valid alone (REGISTER removal, RFC 3261 §10.2.2).
    if (v === '*') {
      if (contacts.length !== 1) return { code: SipErrorCode.BAD_CONTACT, what: 'malformed Contact: * with other values' };
      continue;
    }
    const why = checkNameAddrSyntax(v);
    if (why !== undefined) return { code: SipErrorCode.BAD_CONTACT, what: `malformed Contact: ${why}` };
  }
  if (head.start?.type === 'request') {
    const uri = head.start.uri;
    const scheme = absoluteUriScheme(uri);
    if (scheme === undefined) return { code: SipErrorCode.BAD_REQUEST_URI, what: 'malformed Request-URI' };
    // Unknown schemes are well formed here; checkRequest answers them with 416.
    if ((scheme === 'sip' || scheme === 'sips' || scheme === 'tel') && 'code' in parseUri(uri)) {
      return { code: SipErrorCode.BAD_REQUEST_URI, what: 'malformed Request-URI' };
    }
  }
  return undefined;
}

/**
 * A parse error carrying whatever was recovered from `head`. For 400 the reason phrase is
 * "Bad Request (<what>)"; for other statuses `what` is the whole reason phrase.
 */
export function errorFor(
  head: ParsedHead,
  code: SipErrorCodeValue,
  what: string,
  status = 400,
  fatal = false,
): SipParseError {
  const reason = status === 400 ? `Bad Request (${what})` : what;
  const extra: { isRequest: boolean; headers: SipHeaders; method?: string; fatal?: boolean } = {
    isRequest: head.isRequest,
    headers: head.headers,
    fatal,
  };
  if (head.method !== undefined) extra.method = head.method;
  return parseError(code, status, reason, extra);
}

