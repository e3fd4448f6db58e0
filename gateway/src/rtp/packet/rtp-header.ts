/**
 * RTP fixed header, RFC 3550 §5.1:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           timestamp                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           synchronization source (SSRC) identifier            |
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *  |            contributing source (CSRC) identifiers             |
 *  |                             ....                              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Header extension, RFC 3550 §5.3.1 (present when X=1, after the CSRC list):
 *
 *  |      defined by profile       |           length              |
 *  |                        header extension                       |
 *
 * `length` counts 32-bit words after this 4-byte preamble. With P=1 the last payload octet says how
 * many padding octets (itself included) end the packet.
 *
 * `RtpHeaderView` is the hot-path parser: one instance per session, refilled per datagram, so reading
 * a packet allocates nothing; the payload is addressed by offset/length into the caller's buffer.
 */
import { WIRE_ERRORS, type RtpWireError } from '../errors.js';

export const RTP_VERSION = 2;
export const RTP_FIXED_HEADER_SIZE = 12;
export const RTP_MAX_CSRC = 15;

// Byte offsets and bit masks of the fixed header.
export const OFFSET_FLAGS = 0;
export const OFFSET_MARKER_PT = 1;
export const OFFSET_SEQ = 2;
export const OFFSET_TIMESTAMP = 4;
export const OFFSET_SSRC = 8;
export const OFFSET_CSRC = 12;
export const VERSION_SHIFT = 6;
export const PADDING_BIT = 0x20;
export const EXTENSION_BIT = 0x10;
export const CC_MASK = 0x0f;
export const MARKER_BIT = 0x80;
export const PT_MASK = 0x7f;
/** Size of the extension preamble (profile + length). */
export const EXTENSION_PREAMBLE_SIZE = 4;

export function readU16(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 8) | (b[o + 1] as number);
}

export function readU32(b: Uint8Array, o: number): number {
  return (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
}

export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** A reusable, mutable view of one RTP packet's header. Valid until the next `parse`. */
export class RtpHeaderView {
  /** The datagram last parsed (not copied). */
  buffer: Uint8Array = new Uint8Array(0);
  padding = false;
  marker = false;
  payloadType = 0;
  sequenceNumber = 0;
  timestamp = 0;
  ssrc = 0;
  csrcCount = 0;
  hasExtension = false;
  extensionProfile = 0;
  /** Offset and byte length of the extension data (after its 4-byte preamble). */
  extensionOffset = 0;
  extensionLength = 0;
  payloadOffset = 0;
  payloadLength = 0;
  /** Padding octets at the end (0 when P=0). */
  paddingLength = 0;

  /** Fills the view from `buf`; returns the reason when `buf` is not a well-formed RTP packet. */
  parse(buf: Uint8Array): RtpWireError | undefined {
    const len = buf.length;
    if (len < RTP_FIXED_HEADER_SIZE) return WIRE_ERRORS.RTP_ERR_SHORT;
    const b0 = buf[OFFSET_FLAGS] as number;
    if (b0 >>> VERSION_SHIFT !== RTP_VERSION) return WIRE_ERRORS.RTP_ERR_VERSION;
    const b1 = buf[OFFSET_MARKER_PT] as number;
    const cc = b0 & CC_MASK;
    let offset = OFFSET_CSRC + cc * 4;
    if (offset > len) return WIRE_ERRORS.RTP_ERR_CSRC_OVERRUN;
    const hasExtension = (b0 & EXTENSION_BIT) !== 0;
    let extensionProfile = 0;
    let extensionOffset = 0;
    let extensionLength = 0;
    if (hasExtension) {
      if (offset + EXTENSION_PREAMBLE_SIZE > len) return WIRE_ERRORS.RTP_ERR_EXTENSION_OVERRUN;
      extensionProfile = readU16(buf, offset);
      extensionLength = readU16(buf, offset + 2) * 4;
      extensionOffset = offset + EXTENSION_PREAMBLE_SIZE;
      offset = extensionOffset + extensionLength;
      if (offset > len) return WIRE_ERRORS.RTP_ERR_EXTENSION_OVERRUN;
    }
    const padding = (b0 & PADDING_BIT) !== 0;
    let paddingLength = 0;
    if (padding) {
      paddingLength = buf[len - 1] as number;
      if (paddingLength === 0 || paddingLength > len - offset) return WIRE_ERRORS.RTP_ERR_PADDING;
    }
    this.buffer = buf;
    this.padding = padding;
    this.marker = (b1 & MARKER_BIT) !== 0;
    this.payloadType = b1 & PT_MASK;
    this.sequenceNumber = readU16(buf, OFFSET_SEQ);
    this.timestamp = readU32(buf, OFFSET_TIMESTAMP);
    this.ssrc = readU32(buf, OFFSET_SSRC);
    this.csrcCount = cc;
    this.hasExtension = hasExtension;
    this.extensionProfile = extensionProfile;
    this.extensionOffset = extensionOffset;
    this.extensionLength = extensionLength;
    this.payloadOffset = offset;
    this.payloadLength = len - offset - paddingLength;
    this.paddingLength = paddingLength;
    return undefined;
  }

  /** The i-th CSRC (0-based, i < csrcCount). */
  csrc(i: number): number {
    return readU32(this.buffer, OFFSET_CSRC + i * 4);
  }

  /** The payload as a view into the parsed buffer (one subarray, no copy). */
  payload(): Uint8Array {
    return this.buffer.subarray(this.payloadOffset, this.payloadOffset + this.payloadLength);
  }
}

/**
 * Writes a fixed header with no CSRC, extension or padding (what the gateway sends) at offset 0.
 * Positional arguments so the per-packet send path builds no object. Returns the header size.
 */
export function writeRtpFixedHeader(
  out: Uint8Array,
  marker: boolean,
  payloadType: number,
  sequenceNumber: number,
  timestamp: number,
  ssrc: number,
): number {
  out[OFFSET_FLAGS] = RTP_VERSION << VERSION_SHIFT;
  out[OFFSET_MARKER_PT] = (marker ? MARKER_BIT : 0) | (payloadType & PT_MASK);
  writeU16(out, OFFSET_SEQ, sequenceNumber & 0xffff);
  writeU32(out, OFFSET_TIMESTAMP, timestamp >>> 0);
  writeU32(out, OFFSET_SSRC, ssrc >>> 0);
  return RTP_FIXED_HEADER_SIZE;
}
