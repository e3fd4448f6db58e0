/**
 * Building responses from requests (RFC 3261 §8.2.6): Via (all, in order), From, To, Call-ID and
 * CSeq are copied; a To tag is added when the request had none; 100 Trying echoes Timestamp
 * (§8.2.6.1).
 */
import { SipHeaders } from './headers.js';
import { scanNameAddr } from './name-addr.js';
import { reasonPhrase } from './reason-phrases.js';
import type { SipParseError, SipRequest, SipResponse } from './types.js';

export interface CreateResponseOptions {
  reason?: string;
  /** Added as ;tag= to To when the request's To has none (never for 100, §8.2.6.2). */
  toTag?: string;
  headers?: Array<[string, string]>;
  body?: Buffer;
  contentType?: string;
}

export function createResponse(req: SipRequest, status: number, opts: CreateResponseOptions = {}): SipResponse {
  const headers = copyDialogHeaders(req.headers, status, opts.toTag);
  for (const [n, v] of opts.headers ?? []) headers.append(n, v);
  const body = opts.body ?? Buffer.alloc(0);
  if (opts.contentType !== undefined) headers.set('Content-Type', opts.contentType);
  return { type: 'response', status, reason: opts.reason ?? reasonPhrase(status), version: 'SIP/2.0', headers, body };
}

/**
 * The reply owed to a request that failed to parse, built from the recovered headers; undefined
 * when none is owed or none can be routed (a response, an ACK, or no Via to send it along).
 */
export function responseForParseError(err: SipParseError, toTag?: string): SipResponse | undefined {
  if (!err.isRequest || err.method === 'ACK' || err.headers === undefined || !err.headers.has('via')) return undefined;
  const headers = copyDialogHeaders(err.headers, err.status, toTag);
  return { type: 'response', status: err.status, reason: err.reason, version: 'SIP/2.0', headers, body: Buffer.alloc(0) };
}

function copyDialogHeaders(from: SipHeaders, status: number, toTag: string | undefined): SipHeaders {
  const headers = new SipHeaders();
  // Each Via line is copied as received (comma-joined lines stay joined: order is what matters).
  for (const [name, value] of from.entries()) if (name === 'Via') headers.append('Via', value);
  const fromValue = from.get('from');
  if (fromValue !== undefined) headers.append('From', fromValue);
  const to = from.get('to');
  if (to !== undefined) headers.append('To', status !== 100 && toTag !== undefined ? withTag(to, toTag) : to);
  const callId = from.get('call-id');
  if (callId !== undefined) headers.append('Call-ID', callId);
  const cseq = from.get('cseq');
  if (cseq !== undefined) headers.append('CSeq', cseq);
  const timestamp = from.get('timestamp');
  if (status === 100 && timestamp !== undefined) headers.append('Timestamp', timestamp);
  return headers;
}

/** Appends ;tag= unless the To already has one; a To we cannot parse is left untouched. */
function withTag(to: string, tag: string): string {
  const scanned = scanNameAddr(to);
  if (typeof scanned === 'string' || scanned.params.has('tag')) return to;
  // An addr-spec To gains header params after the URI, which is fine because scanNameAddr
  // accepted it without ';' inside the URI.
  return `${to};tag=${tag}`;
}
