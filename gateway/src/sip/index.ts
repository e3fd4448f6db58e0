/**
 * The SIP user-agent server library (RFC 3261 + RFC 3581, 4028, 6026, 7616/8760): transports
 * (UDP/TCP/TLS), transactions, UAS dialogs, CANCEL, session timers, digest auth and admission.
 * Nothing here knows about calls, RTP or AI; the call layer drives IncomingCall and Dialog.
 */
export { SipServer } from './server.js';
export type { SipServerOptions } from './options.js';
export { IncomingCall, type IncomingCallEvents, type IncomingCallEndReason } from './dialog/incoming-call.js';
export {
  Dialog,
  SESSION_EXPIRED_REASON,
  type DialogEvents,
  type DialogInfo,
  type DialogOffer,
  type DialogRequest,
  type DialogTerminationReason,
  type Respond,
  type ResponseOptions,
} from './dialog/dialog.js';
export type { SourceInfo, TransportKind, SipTransport, Destination, InboundMessage } from './transport/types.js';
export { MemoryTransport, connectionIdFor, type SentPacket } from './transport/memory.js';
export { SipError, isSipError, type SipCoreErrorCode } from './errors.js';
export type { DigestAlgorithm } from './auth/digest.js';
export type { SipRequest, SipResponse, SipHeaders } from './message/index.js';
