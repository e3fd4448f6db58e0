/**
 * The unit that flows through a session's inbound stages: one per session, reused for every datagram
 * (the stages fill and read its fields; nothing is allocated per packet).
 */
import { RtpHeaderView } from '../packet/rtp-header.js';
import type { RtcpPacket } from '../rtcp/compound.js';
import type { PacketVerdict } from '../stats/source-tracker.js';
import type { DatagramSource } from '../transport/datagram-socket.js';

const EMPTY = new Uint8Array(0);
const NOWHERE: DatagramSource = Object.freeze({ address: '', port: 0 });
const NO_RTCP: RtcpPacket[] = [];

export class InboundPacket {
  /** The datagram's bytes; after SRTP, the plain packet. */
  bytes: Uint8Array = EMPTY;
  from: DatagramSource = NOWHERE;
  /** Clock time the packet was accepted from its source (SourceCheck). */
  arrivalMs = 0;
  /** The parsed RTP header (RtpParse). */
  readonly rtp = new RtpHeaderView();
  /** RFC 3550 A.1 verdict for the packet (Sequence). */
  verdict: PacketVerdict = 'media';
  /** The parsed compound RTCP packet (RtcpParse). */
  rtcp: RtcpPacket[] = NO_RTCP;

  /** Starts a new datagram through the stages. */
  reset(bytes: Uint8Array, from: DatagramSource): this {
    this.bytes = bytes;
    this.from = from;
    this.rtcp = NO_RTCP;
    return this;
  }
}
