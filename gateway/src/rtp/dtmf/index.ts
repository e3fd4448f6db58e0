/** RFC 4733 telephone-event (DTMF) payload codec, receiver and sender. */
export { DtmfReceiver, type DtmfDigitEvent, type DtmfReceiverCounters } from './receiver.js';
export { DtmfSender, DTMF_SENDER_DEFAULTS, type DtmfPacketPlan, type DtmfSenderOptions } from './sender.js';
export {
  DTMF_PAYLOAD_SIZE,
  MAX_EVENT_DURATION_UNITS,
  MAX_VOLUME,
  parseDtmfPayload,
  parseDtmfPayloadInto,
  writeDtmfPayload,
  type DtmfPayload,
} from './event-payload.js';
export { DTMF_DIGITS, MAX_DTMF_EVENT, digitToEvent, eventToDigit, isDtmfDigit } from './digits.js';
