/**
 * Call recording's two taps on the wire (the recorder itself lives in recording/): one in the audio
 * route of the inbound chain, one in the outbound chain right after the RTP header is written, so
 * the recording holds what arrived as RTP and exactly what was sent, tick by tick:
 *
 *   inbound   … -> PtMux{0: Tap(caller) -> Jitter(PCMU) -> …, 101: Dtmf}
 *   outbound  Pacer{…} -> RtpHeader -> Tap(agent) -> [SRTP(protect)] -> Send(udp)
 *
 * The taps hand the reused packet's bytes and the payload's bounds to the recorder synchronously (it
 * decodes what it keeps at once) and allocate nothing.
 */
import type { G711Name } from '../../audio/index.js';
import { RTP_FIXED_HEADER_SIZE } from '../packet/rtp-header.js';
import type { InboundPacket } from './inbound-packet.js';
import type { OutboundPacket } from './outbound-stages.js';
import { describeStage, type Stage } from './stage.js';

/** Where the taps deliver: a call recorder. Both calls run on the media path and must not block. */
export interface MediaTap {
  /**
   * One caller audio packet accepted from its source: G.711 in `bytes[start, end)`, its RTP
   * timestamp and SSRC, and its arrival time (clock ms).
   */
  caller(bytes: Uint8Array, start: number, end: number, law: G711Name, timestamp: number, ssrc: number, arrivalMs: number): void;
  /**
   * One packet the pacer sent this tick: G.711 in `bytes[start, end)`, or `audio` false for a
   * telephone-event packet (no audio; then `timestamp` is the event's, not the tick's).
   */
  agent(audio: boolean, bytes: Uint8Array, start: number, end: number, law: G711Name, timestamp: number): void;
}

/**
 * Caller audio as it arrived: in-sequence and late packets alike, and the first packets of a source
 * still on probation (RFC 3550 A.1 holds them; they reach the jitter buffer once it is confirmed).
 * Duplicates are not recorded twice.
 */
export class TapCaller implements Stage<InboundPacket> {
  readonly #tap: MediaTap;
  readonly #law: G711Name;
  readonly #next: Stage<InboundPacket>;
  constructor(tap: MediaTap, law: G711Name, next: Stage<InboundPacket>) {
    this.#tap = tap;
    this.#law = law;
    this.#next = next;
  }
  write(p: InboundPacket): void {
    if (p.verdict !== 'duplicate') {
      const h = p.rtp;
      this.#tap.caller(h.buffer, h.payloadOffset, h.payloadOffset + h.payloadLength, this.#law, h.timestamp, h.ssrc, p.arrivalMs);
    }
    this.#next.write(p);
  }
  toString(): string {
    return describeStage('Tap(caller)', this.#next);
  }
}

/** What the gateway sends, packet by packet: audio (the agent, its clips, or silence) or a telephone-event. */
export class TapAgent implements Stage<OutboundPacket> {
  readonly #tap: MediaTap;
  readonly #law: G711Name;
  readonly #audioPayloadType: number;
  readonly #next: Stage<OutboundPacket>;
  constructor(tap: MediaTap, law: G711Name, audioPayloadType: number, next: Stage<OutboundPacket>) {
    this.#tap = tap;
    this.#law = law;
    this.#audioPayloadType = audioPayloadType;
    this.#next = next;
  }
  write(p: OutboundPacket): void {
    this.#tap.agent(p.payloadType === this.#audioPayloadType, p.buffer, RTP_FIXED_HEADER_SIZE, p.length, this.#law, p.timestamp);
    this.#next.write(p);
  }
  toString(): string {
    return describeStage('Tap(agent)', this.#next);
  }
}
