/** RTP packets (RFC 3550 §5.1 fixed header) and test tones for the netem tests. */
import { g711Codec, type G711Name } from 'connect-realtime-gateway';

export const FRAME = 160;

/** A 12-byte RTP header (V=2, no padding/extension/CSRC) followed by `payload`. */
export function rtpPacket(pt: number, seq: number, timestamp: number, ssrc: number, payload: Uint8Array, marker = false): Buffer {
  const out = Buffer.alloc(12 + payload.length);
  out[0] = 0x80; // V=2 P=0 X=0 CC=0
  out[1] = (marker ? 0x80 : 0) | (pt & 0x7f); // M, PT
  out.writeUInt16BE(seq & 0xffff, 2); // sequence number
  out.writeUInt32BE(timestamp >>> 0, 4); // timestamp
  out.writeUInt32BE(ssrc >>> 0, 8); // SSRC
  out.set(payload, 12);
  return out;
}

/** 160 samples of a sine at `dbov` (RMS, G.100.1), starting at phase sample `from`. */
export function toneFrame(hz: number, dbov: number, from = 0): Int16Array {
  const peak = 32768 * Math.SQRT2 * 10 ** (dbov / 20);
  const out = new Int16Array(FRAME);
  for (let i = 0; i < FRAME; i++) out[i] = Math.round(peak * Math.sin((2 * Math.PI * hz * (from + i)) / 8000));
  return out;
}

/** One G.711 RTP packet carrying `pcm` (PT 0 for PCMU, 8 for PCMA). */
export function g711Packet(law: G711Name, seq: number, pcm: Int16Array): Buffer {
  const payload = Buffer.alloc(FRAME);
  g711Codec(law).encode(pcm, payload);
  return rtpPacket(law === 'PCMU' ? 0 : 8, seq, seq * FRAME, 0xcafe, payload);
}

/** The PCM a G.711 packet (12-byte header) carries. */
export function decodePacket(law: G711Name, packet: Buffer): Int16Array {
  const pcm = new Int16Array(FRAME);
  g711Codec(law).decode(packet.subarray(12, 12 + FRAME), pcm);
  return pcm;
}
