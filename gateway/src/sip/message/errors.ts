/**
 * Error codes of the SIP message layer. Codes are stable (tests, logs and metrics key on them);
 * each carries the status a UAS answers with when the offending input was a request.
 */
import type { SipHeaders } from './headers.js';
import type { SipParseError } from './types.js';

export const SipErrorCode = {
  EMPTY: 'SIP_ERR_EMPTY',
  TOO_LARGE: 'SIP_ERR_TOO_LARGE',
  BAD_START_LINE: 'SIP_ERR_BAD_START_LINE',
  BAD_METHOD: 'SIP_ERR_BAD_METHOD',
  BAD_REQUEST_URI: 'SIP_ERR_BAD_REQUEST_URI',
  BAD_VERSION: 'SIP_ERR_BAD_VERSION',
  BAD_STATUS_CODE: 'SIP_ERR_BAD_STATUS_CODE',
  BAD_HEADER_LINE: 'SIP_ERR_BAD_HEADER_LINE',
  HEADERS_UNTERMINATED: 'SIP_ERR_HEADERS_UNTERMINATED',
  BAD_CONTENT_LENGTH: 'SIP_ERR_BAD_CONTENT_LENGTH',
  MULTIPLE_CONTENT_LENGTH: 'SIP_ERR_MULTIPLE_CONTENT_LENGTH',
  MISSING_CONTENT_LENGTH: 'SIP_ERR_MISSING_CONTENT_LENGTH',
  TRUNCATED_BODY: 'SIP_ERR_TRUNCATED_BODY',
  BAD_CSEQ: 'SIP_ERR_BAD_CSEQ',
  BAD_VIA: 'SIP_ERR_BAD_VIA',
  BAD_FROM: 'SIP_ERR_BAD_FROM',
  BAD_TO: 'SIP_ERR_BAD_TO',
  BAD_CONTACT: 'SIP_ERR_BAD_CONTACT',
  BAD_CALL_ID: 'SIP_ERR_BAD_CALL_ID',
  BAD_URI: 'SIP_ERR_BAD_URI',
  UNSUPPORTED_URI_SCHEME: 'SIP_ERR_UNSUPPORTED_URI_SCHEME',
  BAD_NAME_ADDR: 'SIP_ERR_BAD_NAME_ADDR',
  BAD_PARAMS: 'SIP_ERR_BAD_PARAMS',
} as const;

export type SipErrorCodeValue = (typeof SipErrorCode)[keyof typeof SipErrorCode];

/** Builds a parse error. `detail` ends up in the reason phrase: "Bad Request (malformed CSeq)". */
export function parseError(
  code: SipErrorCodeValue,
  status: number,
  reason: string,
  extra: { isRequest?: boolean; headers?: SipHeaders; method?: string; fatal?: boolean } = {},
): SipParseError {
  const err: SipParseError = { code, status, reason, isRequest: extra.isRequest ?? true };
  if (extra.headers !== undefined) err.headers = extra.headers;
  if (extra.method !== undefined) err.method = extra.method;
  if (extra.fatal === true) err.fatal = true;
  return err;
}

/** `400 Bad Request (<what>)` — the shape every syntax error takes. */
export function badRequest(code: SipErrorCodeValue, what: string): SipParseError {
  return parseError(code, 400, `Bad Request (${what})`);
}

/** Narrowing for the `T | SipParseError` results of parseUri/parseNameAddr/parseVia/parseCSeq. */
export function isParseError(x: unknown): x is SipParseError {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return (
    typeof o['code'] === 'string' &&
    (o['code'] as string).startsWith('SIP_ERR_') &&
    typeof o['status'] === 'number' &&
    typeof o['reason'] === 'string' &&
    typeof o['isRequest'] === 'boolean'
  );
}
