/**
 * A Realtime session ends at the provider's maximum duration (60 minutes today; docs/realtime-facts.md,
 * "Session expiry"): `session.created` names the moment in `expires_at` (unix seconds), and at it the
 * service sends `error` `session_expired` and closes. Both providers renew before it; this is the one
 * plan of when, from the time the session has left:
 *
 *  - renew: open the next session (a spare, configured in parallel) a quarter of the lifetime, at
 *    most 5 minutes, before the end, so a failed attempt has time for more;
 *  - force: swap at the next moment even if the conversation is not quiet, an eighth, at most 60 s,
 *    before the end;
 *  - give up: no new session by a twentieth, at most 15 s, before the end: the backend ends itself
 *    (fatal error, closed) so the call is handed back politely instead of being cut by the service.
 *
 * Without `expires_at` (a provider that does not send it) the configured ages from the session's
 * start apply and there is no give-up point: the reconnect path handles a session the provider ends.
 */

const MAX_RENEW_LEAD_MS = 5 * 60_000;
const MAX_FORCE_LEAD_MS = 60_000;
const MAX_GIVE_UP_LEAD_MS = 15_000;
/** An expires_at further than this ahead is not believed (a provider bug must not turn renewal off). */
const MAX_BELIEVED_LIFETIME_MS = 24 * 60 * 60_000;

export interface LifetimePlan {
  /** Open the next session this long from now; ms. */
  renewInMs: number;
  /** Swap even if not quiet this long from now; ms (≥ renewInMs). */
  forceInMs: number;
  /** Give up (hand the call back) this long from now, when the provider named the end; ms. */
  giveUpInMs: number | undefined;
}

/**
 * `remainingMs`: time left until expires_at, or undefined when the provider did not say.
 * `fallback`: the configured ages (renew, force) used alone without expires_at, and as upper bounds with it.
 */
export function lifetimePlan(remainingMs: number | undefined, fallback: { renewAfterMs: number; renewDeadlineMs: number }): LifetimePlan {
  if (remainingMs === undefined) return { renewInMs: fallback.renewAfterMs, forceInMs: fallback.renewDeadlineMs, giveUpInMs: undefined };
  const left = Math.max(0, remainingMs);
  const renewInMs = Math.min(fallback.renewAfterMs, left - Math.min(MAX_RENEW_LEAD_MS, left / 4));
  const forceInMs = Math.max(renewInMs, Math.min(fallback.renewDeadlineMs, left - Math.min(MAX_FORCE_LEAD_MS, left / 8)));
  const giveUpInMs = Math.max(forceInMs, left - Math.min(MAX_GIVE_UP_LEAD_MS, left / 20));
  return { renewInMs, forceInMs, giveUpInMs };
}

/**
 * `expires_at` of a `session.created` event as a wall-clock time in ms, when the provider sent a
 * believable one (a number of seconds in the future, within a day of `wallNowMs`).
 */
export function sessionExpiresAtMs(event: unknown, wallNowMs: number): number | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const session = (event as { session?: unknown }).session;
  if (typeof session !== 'object' || session === null) return undefined;
  const expiresAt = (session as { expires_at?: unknown }).expires_at;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return undefined;
  const ms = expiresAt * 1000;
  if (ms <= wallNowMs - 1000 || ms - wallNowMs > MAX_BELIEVED_LIFETIME_MS) return undefined;
  return ms;
}
