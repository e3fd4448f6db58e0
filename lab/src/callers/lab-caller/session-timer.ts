/**
 * RFC 4028 session timers from the caller's side: the headers we put in the INVITE, reading the
 * interval and refresher a 2xx settles on, and the two timers that follow — our refresh at half
 * the interval when we are the refresher (§10), or, when the gateway is, the BYE we owe if it
 * lets the session expire (§10: interval minus min(32 s, interval/3)).
 */
import { note, type CallContext } from './call-context.js';
import { parseSessionExpires, type SipHeaders } from 'connect-realtime-gateway';
import type { ResolvedOptions } from './options.js';

/** Headers of a refresh we send (§7.4): the interval in force, us as refresher. */
export function refreshHeaders(ctx: CallContext): Array<[string, string]> {
  const interval = ctx.state.sessionIntervalS;
  if (interval === undefined) return [];
  return [
    ['Supported', 'timer'],
    ['Session-Expires', `${interval};refresher=uac`],
  ];
}

export function inviteSessionTimerHeaders(opts: ResolvedOptions, minSeOverride?: number): Array<[string, string]> {
  const st = opts.sessionTimer;
  if (st === undefined) return [];
  const minSE = minSeOverride ?? st.minSE;
  const expires = Math.max(st.expiresS, minSE ?? 0);
  const out: Array<[string, string]> = [['Supported', 'timer']];
  out.push(['Session-Expires', st.refresher === undefined ? String(expires) : `${expires};refresher=${st.refresher}`]);
  if (minSE !== undefined) out.push(['Min-SE', String(minSE)]);
  return out;
}

/** RFC 4028 §10: when the non-refresher should give up, ms. */
export function expiryMs(intervalS: number): number {
  return (intervalS - Math.min(32, intervalS / 3)) * 1_000;
}

function clearTimers(ctx: CallContext): void {
  ctx.state.cancelRefresh?.();
  ctx.state.cancelRefresh = undefined;
  ctx.state.cancelExpiry?.();
  ctx.state.cancelExpiry = undefined;
}

/**
 * A 2xx to an INVITE/UPDATE we sent: its Session-Expires (if any) decides who refreshes.
 * `refresh` sends the refresh (wired by the caller to avoid a cycle with the re-INVITE code).
 */
export function onSessionTimerAnswer(ctx: CallContext, headers: SipHeaders, refresh: () => void, bye: (why: string) => void): void {
  clearTimers(ctx);
  const se = parseSessionExpires(headers.get('session-expires'));
  ctx.state.sessionIntervalS = se?.deltaSeconds;
  if (se === undefined) return;
  const interval = se.deltaSeconds;
  // §7.2: the UAS's 2xx names the refresher; if it did not, the UAC refreshes.
  if ((se.refresher ?? 'uac') === 'uac') {
    if (ctx.opts.sessionTimer?.refresh === true) ctx.state.cancelRefresh = ctx.clock.after((interval * 1_000) / 2, refresh);
    else note(ctx, `2xx makes us the session refresher (${interval} s) but refresh is off`);
    return;
  }
  watchExpiry(ctx, interval, bye);
}

/**
 * The gateway refreshed (re-INVITE or UPDATE carrying Session-Expires). Returns the headers for
 * our 2xx and re-arms the expiry watch when the gateway stays the refresher.
 */
export function onPeerRefresh(ctx: CallContext, headers: SipHeaders, refresh: () => void, bye: (why: string) => void): Array<[string, string]> {
  const se = parseSessionExpires(headers.get('session-expires'));
  if (se === undefined) return [];
  clearTimers(ctx);
  ctx.state.sessionIntervalS = se.deltaSeconds;
  // In the peer's request, refresher=uac means the peer (it is the UAC of that transaction).
  const peerRefreshes = (se.refresher ?? 'uac') === 'uac';
  const refresher = peerRefreshes ? 'uac' : 'uas';
  if (peerRefreshes) watchExpiry(ctx, se.deltaSeconds, bye);
  else if (ctx.opts.sessionTimer?.refresh === true) ctx.state.cancelRefresh = ctx.clock.after((se.deltaSeconds * 1_000) / 2, refresh);
  else note(ctx, `gateway made us the session refresher (${se.deltaSeconds} s) but refresh is off`);
  return [
    ['Session-Expires', `${se.deltaSeconds};refresher=${refresher}`],
    ['Require', 'timer'],
  ];
}

function watchExpiry(ctx: CallContext, intervalS: number, bye: (why: string) => void): void {
  ctx.state.cancelExpiry = ctx.clock.after(expiryMs(intervalS), () => bye(`session expired: the gateway did not refresh within ${intervalS} s`));
}

