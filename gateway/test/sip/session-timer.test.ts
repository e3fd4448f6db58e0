import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../../src/sip/message/index.js';
import { expiryDelayMs, interpretAsUac, negotiateAsUas, parseSessionExpires, refreshDelayMs, validateSessionTimerConfig } from '../../src/sip/session-timer.js';

const cfg = { defaultExpires: 1800, minSE: 90 };
const h = (...pairs: Array<[string, string]>): SipHeaders => new SipHeaders(pairs);

describe('RFC 4028 §4 header syntax', () => {
  it('parses delta-seconds and the refresher parameter (compact form via SipHeaders)', () => {
    expect(parseSessionExpires('1800;refresher=uac')).toEqual({ deltaSeconds: 1800, refresher: 'uac' });
    expect(parseSessionExpires(' 90 ; REFRESHER = UAS')).toEqual({ deltaSeconds: 90, refresher: 'uas' });
    expect(parseSessionExpires('600;refresher=bogus')).toEqual({ deltaSeconds: 600, refresher: undefined });
    expect(parseSessionExpires('soon')).toBeUndefined();
    expect(h(['x', '300']).get('Session-Expires')).toBe('300');
  });
});

describe('RFC 4028 §9 UAS negotiation', () => {
  it('422 when Session-Expires is below our Min-SE', () => {
    expect(negotiateAsUas(h(['Supported', 'timer'], ['Session-Expires', '60']), cfg)).toEqual({ kind: 'too-small', minSE: 90 });
  });

  it('keeps the UAC interval and refresher when it supports timers', () => {
    expect(negotiateAsUas(h(['Supported', 'timer'], ['Session-Expires', '900;refresher=uas']), cfg)).toEqual({
      kind: 'use',
      intervalS: 900,
      refresher: 'uas',
      requireTimer: true,
      weRefresh: true,
    });
  });

  it('a UAC that supports timers but names no refresher refreshes itself', () => {
    expect(negotiateAsUas(h(['Supported', 'timer'], ['Session-Expires', '900']), cfg)).toMatchObject({ refresher: 'uac', weRefresh: false });
  });

  it('shortens an interval above our default, but never below the UAC Min-SE', () => {
    expect(negotiateAsUas(h(['Supported', 'timer'], ['Session-Expires', '7200']), cfg)).toMatchObject({ intervalS: 1800 });
    expect(negotiateAsUas(h(['Supported', 'timer'], ['Session-Expires', '7200'], ['Min-SE', '3600']), cfg)).toMatchObject({ intervalS: 3600 });
  });

  it('without Supported: timer we refresh (refresher=uas) and do not Require timer', () => {
    expect(negotiateAsUas(h(), cfg)).toEqual({ kind: 'use', intervalS: 1800, refresher: 'uas', requireTimer: false, weRefresh: true });
    // A proxy-inserted Session-Expires cannot make a timer-less UAC the refresher.
    expect(negotiateAsUas(h(['Session-Expires', '600;refresher=uac']), cfg)).toMatchObject({ refresher: 'uas', intervalS: 600 });
  });
});

describe('RFC 4028 §7.2 UAC view of a 2xx to our refresh', () => {
  it('refresher=uac in the response means us; no Session-Expires means no timer', () => {
    expect(interpretAsUac(h(['Session-Expires', '300;refresher=uac']))).toEqual({ intervalS: 300, weRefresh: true });
    expect(interpretAsUac(h(['Session-Expires', '300;refresher=uas']))).toEqual({ intervalS: 300, weRefresh: false });
    expect(interpretAsUac(h())).toBeUndefined();
  });
});

describe('RFC 4028 §10 timing', () => {
  it('refresh at half; expiry BYE at interval − min(32 s, interval/3)', () => {
    expect(refreshDelayMs(1800)).toBe(900_000);
    expect(expiryDelayMs(1800)).toBe(1_768_000);
    expect(expiryDelayMs(90)).toBe(60_000);
  });

  it('configuration below the RFC floor is refused', () => {
    expect(() => validateSessionTimerConfig({ defaultExpires: 1800, minSE: 60 })).toThrow(RangeError);
    expect(() => validateSessionTimerConfig({ defaultExpires: 60, minSE: 90 })).toThrow(RangeError);
  });
});
