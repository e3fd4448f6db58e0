/**
 * Source description (SDES), RFC 3550 §6.5:
 *
 *  |V=2|P|    SC   |  PT=SDES=202  |             length            |  header
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *  |                          SSRC/CSRC_1                          |  chunk 1
 *  |                           SDES items                          |
 *  |                              ...                              |
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *
 * Item: | type (8) | length (8) | text (length octets, UTF-8) |. A chunk's item list ends with one or
 * more null octets (type 0) that also pad the chunk to a 32-bit boundary (§6.5, last paragraph).
 */
import { WIRE_ERRORS, type RtpWireError } from '../errors.js';
import { readU32, writeU32 } from '../packet/rtp-header.js';
import { RTCP_COUNT_MASK, RTCP_HEADER_SIZE, RTCP_PT_SDES, align4, writeRtcpHeader, type RtcpBody } from './common.js';

/** SDES item types (RFC 3550 §6.5.1–6.5.8). */
export const SDES_END = 0;
export const SDES_CNAME = 1;
export const SDES_NAME = 2;
export const SDES_TOOL = 6;
export const SDES_PRIV = 8;

const MAX_ITEM_TEXT = 255;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export interface RtcpSdesItem {
  type: number;
  text: string;
}

export interface RtcpSdesChunk {
  source: number;
  items: RtcpSdesItem[];
}

export interface RtcpSourceDescription {
  type: 'sdes';
  chunks: RtcpSdesChunk[];
}

export function parseSourceDescription({ count, body }: RtcpBody): RtcpSourceDescription | RtpWireError {
  const chunks: RtcpSdesChunk[] = [];
  let o = 0;
  for (let c = 0; c < count; c++) {
    if (o + 4 > body.length) return WIRE_ERRORS.RTCP_ERR_SDES;
    const source = readU32(body, o);
    o += 4;
    const items: RtcpSdesItem[] = [];
    // Each pass consumes >= 1 octet, so this ends within body.length iterations.
    for (;;) {
      if (o >= body.length) return WIRE_ERRORS.RTCP_ERR_SDES;
      const type = body[o] as number;
      if (type === SDES_END) {
        o = align4(o + 1);
        break;
      }
      if (o + 2 > body.length) return WIRE_ERRORS.RTCP_ERR_SDES;
      const len = body[o + 1] as number;
      if (o + 2 + len > body.length) return WIRE_ERRORS.RTCP_ERR_SDES;
      items.push({ type, text: decoder.decode(body.subarray(o + 2, o + 2 + len)) });
      o += 2 + len;
    }
    chunks.push({ source, items });
  }
  return { type: 'sdes', chunks };
}

function chunkSize(chunk: RtcpSdesChunk): number {
  let n = 4;
  for (const item of chunk.items) n += 2 + encoder.encode(item.text).length;
  return align4(n + 1); // at least one null octet
}

/** NOTE: must match writeSourceDescription. */
export function sourceDescriptionSize(p: RtcpSourceDescription): number {
  let n = RTCP_HEADER_SIZE;
  for (const chunk of p.chunks) n += chunkSize(chunk);
  return n;
}

export function writeSourceDescription(p: RtcpSourceDescription, out: Uint8Array, o: number): number {
  if (p.chunks.length > RTCP_COUNT_MASK) throw new RangeError(`at most ${RTCP_COUNT_MASK} SDES chunks`);
  const size = sourceDescriptionSize(p);
  writeRtcpHeader(out, o, p.chunks.length, RTCP_PT_SDES, size);
  let w = o + RTCP_HEADER_SIZE;
  for (const chunk of p.chunks) {
    const end = w + chunkSize(chunk);
    writeU32(out, w, chunk.source);
    w += 4;
    for (const item of chunk.items) {
      const text = encoder.encode(item.text);
      if (text.length > MAX_ITEM_TEXT) throw new RangeError(`SDES item longer than ${MAX_ITEM_TEXT} bytes`);
      if (item.type === SDES_END || item.type > 0xff) throw new RangeError(`invalid SDES item type ${item.type}`);
      out[w] = item.type;
      out[w + 1] = text.length;
      out.set(text, w + 2);
      w += 2 + text.length;
    }
    out.fill(0, w, end);
    w = end;
  }
  return size;
}
