/**
 * RTP packet as a plain value (RFC 3550 §5.1; header layout drawn in `rtp-header.ts`).
 * `parseRtp`, `serializeRtp` and `rtpSize` are a set: what one writes the other reads back.
 * These allocate; the per-packet path uses `RtpHeaderView` and `writeRtpFixedHeader` instead.
 */
import { type RtpWireError } from '../errors.js';
import {
  CC_MASK,
  EXTENSION_BIT,
  EXTENSION_PREAMBLE_SIZE,
  MARKER_BIT,
  OFFSET_CSRC,
  OFFSET_FLAGS,
  OFFSET_MARKER_PT,
  OFFSET_SEQ,
  OFFSET_SSRC,
  OFFSET_TIMESTAMP,
  PADDING_BIT,
  PT_MASK,
  RTP_FIXED_HEADER_SIZE,
  RTP_MAX_CSRC,
  RTP_VERSION,
  RtpHeaderView,
  VERSION_SHIFT,
  writeU16,
  writeU32,
} from './rtp-header.js';

export interface RtpExtension {
  /** The 16-bit "defined by profile" field (0xBEDE for RFC 8285 one-byte headers). */
  profile: number;
  /** Extension data; its length must be a multiple of 4. */
  data: Uint8Array;
}

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrc: number[];
  extension: RtpExtension | undefined;
  payload: Uint8Array;
  /** Padding octets to append (serialize) or found (parse); 0 = P bit clear. */
  paddingLength: number;
}

/** Parses one RTP packet. The payload and extension data are views into `buf`, not copies. */
export function parseRtp(buf: Uint8Array): RtpPacket | RtpWireError {
  const view = new RtpHeaderView();
  const err = view.parse(buf);
  if (err) return err;
  const csrc: number[] = [];
  for (let i = 0; i < view.csrcCount; i++) csrc.push(view.csrc(i));
  return {
    marker: view.marker,
    payloadType: view.payloadType,
    sequenceNumber: view.sequenceNumber,
    timestamp: view.timestamp,
    ssrc: view.ssrc,
    csrc,
    extension: view.hasExtension
      ? { profile: view.extensionProfile, data: buf.subarray(view.extensionOffset, view.extensionOffset + view.extensionLength) }
      : undefined,
    payload: view.payload(),
    paddingLength: view.paddingLength,
  };
}

/** Bytes `serializeRtp` will write for `pkt`. NOTE: must match serializeRtp exactly. */
export function rtpSize(pkt: RtpPacket): number {
  let n = RTP_FIXED_HEADER_SIZE + pkt.csrc.length * 4;
  if (pkt.extension) n += EXTENSION_PREAMBLE_SIZE + pkt.extension.data.length;
  return n + pkt.payload.length + pkt.paddingLength;
}

/**
 * Writes `pkt` into `out` (or a new buffer) and returns the written bytes.
 * Throws RangeError on a packet the caller built wrongly (these are our own values, not wire input).
 */
export function serializeRtp(pkt: RtpPacket, out?: Uint8Array): Uint8Array {
  if (pkt.csrc.length > RTP_MAX_CSRC) throw new RangeError(`at most ${RTP_MAX_CSRC} CSRC, got ${pkt.csrc.length}`);
  if (pkt.extension && pkt.extension.data.length % 4 !== 0) throw new RangeError('extension data length must be a multiple of 4');
  if (pkt.paddingLength < 0 || pkt.paddingLength > 255) throw new RangeError(`padding must be 0..255, got ${pkt.paddingLength}`);
  const size = rtpSize(pkt);
  const buf = out ?? new Uint8Array(size);
  if (buf.length < size) throw new RangeError(`output buffer ${buf.length} < ${size} bytes`);
  buf[OFFSET_FLAGS] =
    (RTP_VERSION << VERSION_SHIFT) |
    (pkt.paddingLength > 0 ? PADDING_BIT : 0) |
    (pkt.extension ? EXTENSION_BIT : 0) |
    (pkt.csrc.length & CC_MASK);
  buf[OFFSET_MARKER_PT] = (pkt.marker ? MARKER_BIT : 0) | (pkt.payloadType & PT_MASK);
  writeU16(buf, OFFSET_SEQ, pkt.sequenceNumber & 0xffff);
  writeU32(buf, OFFSET_TIMESTAMP, pkt.timestamp >>> 0);
  writeU32(buf, OFFSET_SSRC, pkt.ssrc >>> 0);
  let o = OFFSET_CSRC;
  for (const c of pkt.csrc) {
    writeU32(buf, o, c >>> 0);
    o += 4;
  }
  if (pkt.extension) {
    writeU16(buf, o, pkt.extension.profile & 0xffff);
    writeU16(buf, o + 2, pkt.extension.data.length / 4);
    buf.set(pkt.extension.data, o + EXTENSION_PREAMBLE_SIZE);
    o += EXTENSION_PREAMBLE_SIZE + pkt.extension.data.length;
  }
  buf.set(pkt.payload, o);
  o += pkt.payload.length;
  if (pkt.paddingLength > 0) {
    buf.fill(0, o, o + pkt.paddingLength - 1);
    buf[o + pkt.paddingLength - 1] = pkt.paddingLength;
    o += pkt.paddingLength;
  }
  return buf.subarray(0, o);
}
