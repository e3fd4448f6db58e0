/**
 * Media timing the whole layer agrees on. The gateway speaks G.711 only (PCMU/PCMA, RFC 3551 §4.5.14):
 * 8 kHz, one byte per sample, one RTP timestamp unit per sample, 20 ms packets (Chime's ptime).
 */

/** RTP clock rate of G.711 and of telephone-event/8000 (RFC 3551 Table 4, RFC 4733 §2.1). */
export const G711_CLOCK_RATE = 8000;
/** Packetization interval and the scheduler's tick period, in ms. */
export const FRAME_MS = 20;
/** Samples (= G.711 bytes = timestamp units) in one frame. */
export const FRAME_SAMPLES = (G711_CLOCK_RATE * FRAME_MS) / 1000;
/** G.711 bytes per millisecond (used to turn byte counts into played milliseconds). */
export const BYTES_PER_MS = G711_CLOCK_RATE / 1000;

/** Static payload types (RFC 3551 Table 4). */
export const PT_PCMU = 0;
export const PT_PCMA = 8;

/** Largest datagram we read or write; RTP over UDP on Ethernet never needs more. */
export const MAX_DATAGRAM = 1500;
