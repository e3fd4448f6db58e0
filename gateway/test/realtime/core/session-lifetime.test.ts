import { describe, expect, it } from 'vitest';
import { lifetimePlan, sessionExpiresAtMs } from '../../../src/realtime/core/session-lifetime.js';

const CONFIGURED = { renewAfterMs: 55 * 60_000, renewDeadlineMs: 59 * 60_000 };

describe('session lifetime plan', () => {
  it('the real 60 minutes: renew at 55, force at 59, give up 15 s before the end', () => {
    expect(lifetimePlan(60 * 60_000, CONFIGURED)).toEqual({ renewInMs: 55 * 60_000, forceInMs: 59 * 60_000, giveUpInMs: 60 * 60_000 - 15_000 });
  });

  it('a short session keeps the same order with proportional margins', () => {
    expect(lifetimePlan(20_000, CONFIGURED)).toEqual({ renewInMs: 15_000, forceInMs: 17_500, giveUpInMs: 19_000 });
  });

  it('the configured ages stay upper bounds; without expires_at they apply alone and nothing gives up', () => {
    expect(lifetimePlan(60 * 60_000, { renewAfterMs: 10_000, renewDeadlineMs: 20_000 })).toEqual({ renewInMs: 10_000, forceInMs: 20_000, giveUpInMs: 60 * 60_000 - 15_000 });
    expect(lifetimePlan(undefined, CONFIGURED)).toEqual({ renewInMs: 55 * 60_000, forceInMs: 59 * 60_000, giveUpInMs: undefined });
  });

  it('an end already passed: everything at once, in order', () => {
    expect(lifetimePlan(-5_000, CONFIGURED)).toEqual({ renewInMs: 0, forceInMs: 0, giveUpInMs: 0 });
  });

  it('reads expires_at (unix seconds) from session.created only when believable', () => {
    const now = 1_800_000_000_000;
    expect(sessionExpiresAtMs({ type: 'session.created', session: { expires_at: 1_800_003_600 } }, now)).toBe(1_800_003_600_000);
    // Rounded down to the second at creation: up to a second in the past is still this session's end.
    expect(sessionExpiresAtMs({ session: { expires_at: 1_799_999_999.5 } }, now)).toBe(1_799_999_999_500);
    for (const bad of [{}, { session: null }, { session: { expires_at: '1800003600' } }, { session: { expires_at: Number.NaN } }, { session: { expires_at: 1_700_000_000 } }, { session: { expires_at: 1_900_000_000 } }]) {
      expect(sessionExpiresAtMs(bad, now)).toBeUndefined();
    }
  });
});
