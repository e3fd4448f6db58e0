/**
 * Bytes that outlive the moment, in memory of their own.
 *
 * Node's small Buffers (`Buffer.from`, `allocUnsafe`, base64 decodes, `concat`) are slices of one
 * shared pool chunk, 64 KiB since Node 24. The gateway fills chunk after chunk with per-packet
 * buffers that die at once; a small buffer a call keeps (a SIP body, the 200 OK kept for
 * retransmission, SRTP keys) keeps its whole chunk alive. At 300 calls such slices held 33 MB, about
 * 110 KB per call (docs/performance.md section 8). What is kept for a call, a dialog or a transaction
 * is copied with these instead: one exact-size allocation, freed with its owner.
 */

/** A copy of `bytes` in a buffer of its own (never a slice of the pool). */
export function ownedCopy(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.length);
  out.set(bytes);
  return out;
}

/** `text` encoded into a buffer of its own (never a slice of the pool). */
export function ownedText(text: string, encoding: BufferEncoding = 'utf8'): Buffer {
  const out = Buffer.allocUnsafeSlow(Buffer.byteLength(text, encoding));
  out.write(text, 0, encoding);
  return out;
}
