/** The over-the-wire conformance harness: real sockets on loopback against the compiled gateway. */
export { WireError, type WireErrorCode } from './errors.js';
export { isLoopbackV4, loopbackAddress, requireLoopback, type Endpoint } from './loopback.js';
export { UdpPeer, responseOf, statusOf, type Datagram } from './udp-peer.js';
export { OWN_BRANCH_PREFIX, ackForFailure, ackForSuccess, byeForSuccess, cancelFor, localVia, optionsTo, ownBranch, type BuildResult } from './uac-requests.js';
export { InviteJanitor, type JanitorCounts } from './invite-janitor.js';
export { exchange, isReplyToUs, type ExchangeOptions, type ExchangeResult } from './exchange.js';
export { serverTransactionKeyOf, transactionRounds } from './transaction-rounds.js';
export { replyRouteOf, SIP_DEFAULT_PORT, type ReplyRoute } from './reply-route.js';
export {
  GATEWAY_MAIN,
  conformanceOutDir,
  requireBuiltGateway,
  startWireGateway,
  UNLIMITED_REQUESTS,
  type RealtimeMode,
  type WireGateway,
  type WireGatewayOptions,
} from './gateway-fixture.js';
export { feedTcp, seededChunkSizes, type FeedOptions, type FeedResult } from './tcp-feeder.js';
export { callLedger, crashTraces, isAlive, probeOptions, readVmRssBytes, waitForCallsEnded, type CallLedger, type OptionsProbe } from './gateway-health.js';
