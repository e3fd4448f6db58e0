/** A session's receive and send counters, all zero (the stages and the pacer count into them). */
import { RTP_WIRE_ERROR_CODES } from '../errors.js';
import type { SrtpError } from '../srtp/index.js';
import type { RtpReceiveCounters, RtpSendCounters } from './rtp-session-types.js';

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

export function newReceiveCounters(): RtpReceiveCounters {
  return {
    datagrams: 0,
    packets: 0,
    octets: 0,
    rtcpPackets: 0,
    malformed: zeroCounts(RTP_WIRE_ERROR_CODES),
    srtpErrors: zeroCounts<SrtpError>(['short', 'auth', 'replay', 'malformed']),
    unexpectedSource: 0,
    unknownPayloadType: 0,
    duplicates: 0,
    held: 0,
    dtmfPackets: 0,
    dtmfDigits: 0,
    handlerErrors: 0,
  };
}

export function newSendCounters(): RtpSendCounters {
  return { packets: 0, octets: 0, audioFrames: 0, silenceFrames: 0, dtmfPackets: 0, dtmfDigits: 0, rtcpPackets: 0, socketErrors: 0 };
}
