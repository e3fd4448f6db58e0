/**
 * NTP timestamps for RTCP (RFC 3550 §4): 32.32 fixed-point seconds since 1900-01-01. The "middle 32
 * bits" (low 16 of seconds, high 16 of fraction) are what LSR/DLSR use, in units of 1/65536 s.
 */

/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch). */
export const NTP_UNIX_OFFSET_S = 2_208_988_800;
const TWO_POW_32 = 4_294_967_296;
const MIDDLE32_UNITS_PER_S = 65_536;

export interface NtpTime {
  seconds: number;
  fraction: number;
}

export function ntpFromWallMs(wallMs: number): NtpTime {
  const totalS = wallMs / 1000 + NTP_UNIX_OFFSET_S;
  const seconds = Math.floor(totalS);
  const fraction = Math.floor((totalS - seconds) * TWO_POW_32);
  return { seconds: seconds >>> 0, fraction: fraction >>> 0 };
}

export function ntpMiddle32(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

/** Milliseconds to the 1/65536 s units of DLSR. */
export function msToMiddle32Units(ms: number): number {
  return Math.max(0, Math.round((ms / 1000) * MIDDLE32_UNITS_PER_S)) >>> 0;
}

/**
 * Round-trip time from a report block (RFC 3550 §6.4.1, "A - LSR - DLSR"), in ms. `arrivalMiddle32`
 * is our NTP time (middle 32 bits) when the report arrived. Undefined when the peer has not seen an
 * SR of ours (LSR = 0) or when clock skew makes the result negative.
 */
export function rttFromReportMs(arrivalMiddle32: number, lastSr: number, delaySinceLastSr: number): number | undefined {
  if (lastSr === 0) return undefined;
  const units = (arrivalMiddle32 - lastSr - delaySinceLastSr) | 0; // signed 32-bit, wrap-safe
  if (units < 0) return undefined;
  return (units / MIDDLE32_UNITS_PER_S) * 1000;
}
