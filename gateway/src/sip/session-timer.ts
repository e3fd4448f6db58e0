import type { SipHeaders } from './message/index.js';

/**
 * RFC 4028 session timers, the pure part: reading Session-Expires / Min-SE, deciding what a UAS
 * answers, reading what a 2xx to our own refresh says, and when to act. The scheduling lives in the
 * dialog. Intervals are in seconds, as on the wire.
 */
export interface SessionTimerConfig {
  /** Interval we ask for when the UAC did not (seconds). */
  defaultExpires: number;
  /** The smallest interval we accept (seconds); RFC 4028 §4 floor is 90. */
  minSE: number;
}

export const DEFAULT_SESSION_EXPIRES_S = 1_800;
export const DEFAULT_MIN_SE_S = 90;
/** RFC 4028 §4: Min-SE "MUST NOT be less than 90 seconds". */
export const RFC4028_MIN_SE_FLOOR_S = 90;

export type Refresher = 'uac' | 'uas';

export interface SessionExpires {
  deltaSeconds: number;
  refresher: Refresher | undefined;
}

/** The session timer in force on a dialog, from our point of view. */
export interface ActiveSessionTimer {
  intervalS: number;
  weRefresh: boolean;
}

export type UasSessionTimerDecision =
  /** 422 Session Interval Too Small, with `Min-SE: minSE` (RFC 4028 §8.1). */
  | { kind: 'too-small'; minSE: number }
  /** Answer with these headers and run the timer. */
  | { kind: 'use'; intervalS: number; refresher: Refresher; requireTimer: boolean; weRefresh: boolean };

const DELTA = /^\s*(\d{1,10})\s*$/;

/** `Session-Expires: 1800;refresher=uac` (compact form `x` is normalised by SipHeaders). */
export function parseSessionExpires(value: string | undefined): SessionExpires | undefined {
  if (value === undefined) return undefined;
  const [delta, ...params] = value.split(';');
  const m = DELTA.exec(delta ?? '');
  if (m === null) return undefined;
  let refresher: Refresher | undefined;
  for (const p of params) {
    const [name, v] = p.split('=').map((s) => s.trim().toLowerCase());
    if (name === 'refresher' && (v === 'uac' || v === 'uas')) refresher = v;
  }
  return { deltaSeconds: Number(m[1]), refresher };
}

export function parseMinSE(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = DELTA.exec(value.split(';')[0] ?? '');
  return m === null ? undefined : Number(m[1]);
}

export function formatSessionExpires(intervalS: number, refresher: Refresher): string {
  return `${intervalS};refresher=${refresher}`;
}

function optionTags(headers: SipHeaders, name: string): Set<string> {
  const tags = new Set<string>();
  for (const v of headers.getAll(name)) for (const t of v.split(',')) tags.add(t.trim().toLowerCase());
  return tags;
}

export function supportsTimer(headers: SipHeaders): boolean {
  return optionTags(headers, 'Supported').has('timer') || optionTags(headers, 'Require').has('timer');
}

/**
 * RFC 4028 §9 (UAS behaviour) for an INVITE or UPDATE we are answering:
 * - Session-Expires below our Min-SE → 422 with our Min-SE (§8.1 for the UAS side);
 * - otherwise the interval is the request's (trimmed to our default when larger — §9 lets the UAS
 *   shorten it — but never below either side's Min-SE), or our default when absent;
 * - the refresher is the request's choice; if it made none, the UAC refreshes when it supports
 *   timers, else we do (a UAC without "timer" cannot be asked to, §9);
 * - `Require: timer` goes in the 2xx only when the UAC supports timers (§9).
 */
export function negotiateAsUas(headers: SipHeaders, cfg: SessionTimerConfig): UasSessionTimerDecision {
  const se = parseSessionExpires(headers.get('Session-Expires'));
  const theirMin = parseMinSE(headers.get('Min-SE')) ?? 0;
  const uacSupports = supportsTimer(headers);
  const floor = Math.max(cfg.minSE, theirMin);
  if (se !== undefined && se.deltaSeconds < cfg.minSE) return { kind: 'too-small', minSE: cfg.minSE };
  const wanted = se === undefined ? cfg.defaultExpires : Math.min(se.deltaSeconds, cfg.defaultExpires);
  const intervalS = Math.max(wanted, floor);
  const refresher: Refresher = !uacSupports ? 'uas' : (se?.refresher ?? 'uac');
  return { kind: 'use', intervalS, refresher, requireTimer: uacSupports, weRefresh: refresher === 'uas' };
}

/**
 * RFC 4028 §7.2 (UAC behaviour) for the 2xx to a refresh we sent: the response's Session-Expires
 * rules; without one there is no session timer any more. We are the UAC of that transaction, so
 * `refresher=uac` means us.
 */
export function interpretAsUac(headers: SipHeaders): ActiveSessionTimer | undefined {
  const se = parseSessionExpires(headers.get('Session-Expires'));
  if (se === undefined) return undefined;
  return { intervalS: se.deltaSeconds, weRefresh: (se.refresher ?? 'uac') === 'uac' };
}

/** RFC 4028 §10: the refresher refreshes at half the interval. Milliseconds. */
export function refreshDelayMs(intervalS: number): number {
  return (intervalS * 1_000) / 2;
}

/**
 * RFC 4028 §10: the other side sends BYE "slightly before" expiry — the interval minus
 * min(32 s, interval/3). Milliseconds.
 */
export function expiryDelayMs(intervalS: number): number {
  return (intervalS - Math.min(32, intervalS / 3)) * 1_000;
}

export function validateSessionTimerConfig(cfg: SessionTimerConfig): void {
  if (!Number.isInteger(cfg.minSE) || cfg.minSE < RFC4028_MIN_SE_FLOOR_S) {
    throw new RangeError(`sessionTimer.minSE must be an integer >= ${RFC4028_MIN_SE_FLOOR_S} s, got ${cfg.minSE}`);
  }
  if (!Number.isInteger(cfg.defaultExpires) || cfg.defaultExpires < cfg.minSE) {
    throw new RangeError(`sessionTimer.defaultExpires must be an integer >= minSE (${cfg.minSE} s), got ${cfg.defaultExpires}`);
  }
}
