/**
 * The fake's maximum session duration, as the real service behaves (docs/realtime-facts.md,
 * "Session expiry"): session.created names the end in `expires_at` (unix seconds); at that moment an
 * `error` `session_expired` (invalid_request_error), then a 1001 close with the same text.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_SESSION_MS } from '../../src/fake-realtime/script.js';
import { sessionHarness } from './helpers.js';

describe('fake Realtime: session expiry', () => {
  it('expires_at in session.created, then session_expired and a 1001 close at the maximum duration', () => {
    const h = sessionHarness({ turns: [], maxSessionMs: 20_000 });
    const created = h.ofType('session.created')[0] as unknown as { session: { expires_at: number } };
    expect(created.session.expires_at).toBe(Math.floor((h.clock.wallNow() + 20_000) / 1000));
    h.clock.advance(19_999);
    expect(h.ofType('error')).toEqual([]);
    expect(h.session.closed).toBeUndefined();
    h.clock.advance(1);
    expect(h.ofType('error')).toEqual([
      expect.objectContaining({
        error: { type: 'invalid_request_error', code: 'session_expired', message: 'Your session hit the maximum duration of 20 seconds.', param: null, event_id: null },
      }),
    ]);
    expect(h.closeFrame).toEqual({ code: 1001, reason: 'Your session hit the maximum duration of 20 seconds.' });
    expect(h.session.closed).toMatchObject({ code: 1001, by: 'server' });
    // Nothing after the close.
    h.send({ type: 'response.create' });
    expect(h.ofType('response.created')).toEqual([]);
  });

  it('the real limit by default: 60 minutes', () => {
    const h = sessionHarness({ turns: [] });
    const created = h.ofType('session.created')[0] as unknown as { session: { expires_at: number } };
    expect(created.session.expires_at).toBe(Math.floor((h.clock.wallNow() + DEFAULT_MAX_SESSION_MS) / 1000));
    h.clock.advance(DEFAULT_MAX_SESSION_MS);
    expect(h.ofType('error')[0]).toMatchObject({ error: { code: 'session_expired', message: 'Your session hit the maximum duration of 60 minutes.' } });
  });
});
