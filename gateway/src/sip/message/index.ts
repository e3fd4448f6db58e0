/**
 * The SIP message layer: RFC 3261 grammar as a UAS meets it — parsing (datagrams and streams),
 * serialising, URIs, name-addrs, Via, CSeq, responses and the stateless request checks.
 * Pure: no sockets, timers or logging; bad input is returned as a typed SipParseError, never thrown.
 */
export type { CSeq, NameAddr, Params, ParseResult, SipMessage, SipParseError, SipRequest, SipResponse, SipUri, Via } from './types.js';
export { SipHeaders } from './headers.js';
export { SipErrorCode, isParseError, type SipErrorCodeValue } from './errors.js';
export { parseMessage, DEFAULT_MAX_MESSAGE_SIZE } from './parse.js';
export { StreamFramer, type StreamFramerOptions } from './framer.js';
export { serializeMessage } from './serialize.js';
export { parseUri, formatUri } from './uri.js';
export { parseNameAddr, formatNameAddr } from './name-addr.js';
export { parseVia, formatVia } from './via.js';
export { parseCSeq, MAX_UINT32 } from './scalars.js';
export { createResponse, responseForParseError, type CreateResponseOptions } from './response.js';
export { reasonPhrase } from './reason-phrases.js';
export { checkRequest, type RequestPolicy, type RequestRejection } from './check.js';
export { newTag, newBranch, newCallId, BRANCH_MAGIC_COOKIE } from './ids.js';
export { hostAddress, unescapeUriText } from './chars.js';
