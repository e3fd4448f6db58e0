/** The lab caller: a scripted SIP UAC + RTP/SRTP endpoint for driving the gateway. */
export { LabCaller, writeReceivedWav } from './lab-caller.js';
export {
  LAB_CALLER_DEFAULTS,
  resolveOptions,
  parseHostPort,
  isLoopbackV4,
  type HostPort,
  type LabCallerOptions,
  type LabCallerCredentials,
  type LabCallerSessionTimer,
  type LabCallerTlsOptions,
  type ResolvedOptions,
  type SipTransportKind,
  type SrtpMode,
} from './options.js';
export {
  parseLabScript,
  validateScript,
  actionKind,
  DEFAULT_DTMF_MS,
  DEFAULT_DTMF_GAP_MS,
  DEFAULT_TALK_THRESHOLD_DBOV,
  type LabAction,
  type LabScript,
  type TimelineEntry,
  type EchoConfig,
  type MediaDirection,
  type ActionKind,
} from './script.js';
export type {
  LabCallerResult,
  SipRecord,
  RtpReceivedRecord,
  RtpSentRecord,
  RtcpReceivedRecord,
  ActionRecord,
  NegotiatedRecord,
  EndReason,
  SentKind,
  PacerStats,
  LabCallerCounters,
} from './result.js';
export { LabCallerError, LabCallerErrorCode, isLabCallerError, type LabCallerErrorCodeValue } from './errors.js';
export { OFFER_CODECS, type OfferCodecName } from './codecs.js';
export { resultToJson, summarizeResult } from './result-json.js';
export { parseCliArgs, CliError, USAGE, type CliRequest } from './cli-args.js';
