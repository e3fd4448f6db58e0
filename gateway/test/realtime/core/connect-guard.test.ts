import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { startConnectGuard } from '../../../src/realtime/core/connect-guard.js';

describe("connect guard: connect()'s deadline and abort, on the injected clock", () => {
  it('passes the work through when it settles first, either way', async () => {
    const clock = new ManualClock();
    const guard = startConnectGuard(clock, 1000, undefined);
    await expect(guard.race(Promise.resolve('session'))).resolves.toBe('session');
    await expect(guard.race(Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    guard.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('the deadline fires at exactly timeoutMs: RT_ERR_CONNECT_TIMEOUT', async () => {
    const clock = new ManualClock();
    const guard = startConnectGuard(clock, 250, undefined);
    let settled: unknown;
    void guard.race(new Promise(() => undefined)).catch((e: unknown) => (settled = e));
    clock.advance(249);
    await Promise.resolve();
    expect(settled).toBeUndefined();
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(settled).toMatchObject({ code: 'RT_ERR_CONNECT_TIMEOUT', fatal: true, message: 'no confirmed session within 250 ms' });
  });

  it('abort (already, or later): RT_ERR_ABORTED; stop() removes the listener and the timer', async () => {
    const clock = new ManualClock();
    const ctl = new AbortController();
    ctl.abort();
    await expect(startConnectGuard(clock, undefined, ctl.signal).race(new Promise(() => undefined))).rejects.toMatchObject({ code: 'RT_ERR_ABORTED' });

    const later = new AbortController();
    const guard = startConnectGuard(clock, 1000, later.signal);
    const pending = guard.race(new Promise(() => undefined));
    later.abort();
    await expect(pending).rejects.toMatchObject({ code: 'RT_ERR_ABORTED', fatal: true });
    guard.stop();
    expect(clock.pendingTimers).toBe(0);

    // Stopped before anything happened: a later abort or deadline does nothing (and rejects nothing unobserved).
    const quiet = new AbortController();
    const unused = startConnectGuard(clock, 10, quiet.signal);
    unused.stop();
    quiet.abort();
    clock.advance(10);
    expect(clock.pendingTimers).toBe(0);
  });

  it('no timer at all without a deadline', () => {
    const clock = new ManualClock();
    const guard = startConnectGuard(clock, undefined, undefined);
    expect(clock.pendingTimers).toBe(0);
    guard.stop();
  });
});
