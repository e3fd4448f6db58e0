/**
 * The connect layer: what arrives from Amazon Connect in the INVITE (context.ts) and what we send
 * back before the BYE (UpdateContactAttributes). Knows nothing of SIP dialogs, media or AI.
 */
export { parseConnectContext, type ConnectCallContext, type ConnectUui, type ParsedConnectContext } from './context.js';
export {
  ATTRIBUTE_KEY_PATTERN,
  checkContactAttributes,
  contactAttributesBytes,
  MAX_CONTACT_ATTRIBUTES_BYTES,
  MAX_INITIAL_CONTACT_ID_LENGTH,
  MAX_INSTANCE_ID_LENGTH,
} from './attribute-limits.js';
export { BoundedRetryStrategy, type BoundedRetryOptions } from './bounded-retry-strategy.js';
export { classifySdkError } from './classify-sdk-error.js';
export {
  DEFAULT_CONNECT_ATTEMPT_TIMEOUT_MS,
  DEFAULT_CONNECT_MAX_ATTEMPTS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  readConnectApiConfig,
  type AllowedConnectInstance,
  type ConnectApiConfig,
  type ConnectApiConfigResult,
} from './connect-api-config.js';
export {
  ContactAttributesWriter,
  type ContactAttributesUpdate,
  type ContactAttributesUpdater,
  type ContactAttributesWriterOptions,
} from './contact-attributes-writer.js';
export { CONNECT_ERROR_CODES, type ConnectApiError, type ConnectErrorCode, type ConnectResult } from './errors.js';
export { handBackContact, type HandBackReport } from './hand-back.js';
export {
  buildHandBackAttributes,
  HAND_BACK_ATTRIBUTE_NAMES,
  MAX_REASON_BYTES,
  MAX_SUMMARY_BYTES,
  MAX_TRANSCRIPT_BYTES,
  type HandBackAttributes,
  type HandBackInput,
  type HandBackOutcome,
  type TranscriptTurn,
} from './hand-back-attributes.js';
export { resolveHandBackTarget, type HandBackTarget, type HandBackTargetConfig, type HandBackTargetResult } from './hand-back-target.js';
export { truncateUtf8 } from './utf8-text.js';
