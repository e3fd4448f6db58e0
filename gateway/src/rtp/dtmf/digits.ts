/**
 * RFC 4733 §3.2 (Table 3): DTMF named events 0-15. Event codes 16 and up (hook flash, modem and
 * fax tones of RFC 4734) are not digits and are ignored by the receiver.
 */
export const DTMF_DIGITS = '0123456789*#ABCD';

/** Highest event code that is a DTMF digit ("D"). */
export const MAX_DTMF_EVENT = 15;

/** The digit for an event code, or undefined for codes outside 0-15. */
export function eventToDigit(event: number): string | undefined {
  return event >= 0 && event <= MAX_DTMF_EVENT ? DTMF_DIGITS[event] : undefined;
}

/** The event code of a digit (case-insensitive for A-D), or -1 when it is not a DTMF digit. */
export function digitToEvent(digit: string): number {
  if (digit.length !== 1) return -1;
  return DTMF_DIGITS.indexOf(digit.toUpperCase());
}

/** True for the sixteen DTMF digits 0-9 * # A-D (a-d accepted). */
export function isDtmfDigit(digit: string): boolean {
  return digitToEvent(digit) >= 0;
}
