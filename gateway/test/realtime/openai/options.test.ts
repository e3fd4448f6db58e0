import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveRealtimeEndpoint } from '../../../src/realtime/openai/endpoint.js';
import { backoffDelayMs, DEFAULT_RENEW_AFTER_MS, resolveOpenAIBackendOptions } from '../../../src/realtime/openai/options.js';

describe('OpenAI backend options', () => {
  it('fills named defaults', () => {
    const o = resolveOpenAIBackendOptions({ apiKey: 'sk-x' });
    expect(o).toMatchObject({ baseURL: 'https://api.openai.com/v1', maxAttempts: 5, renewAfterMs: DEFAULT_RENEW_AFTER_MS, renewDeadlineMs: 59 * 60_000 });
  });

  it('throws a RangeError naming the field', () => {
    expect(() => resolveOpenAIBackendOptions({ apiKey: '' })).toThrow(/apiKey/);
    expect(() => resolveOpenAIBackendOptions({ apiKey: 'k', maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveOpenAIBackendOptions({ apiKey: 'k', maxAttempts: 1.5 })).toThrow(/maxAttempts/);
    expect(() => resolveOpenAIBackendOptions({ apiKey: 'k', baseURL: 'ftp://x/v1' })).toThrow(/baseURL/);
    expect(() => resolveOpenAIBackendOptions({ apiKey: 'k', renewAfterMs: 10, renewDeadlineMs: 5 })).toThrow(/renewDeadlineMs/);
    expect(() => resolveOpenAIBackendOptions({ apiKey: 'k', initialBackoffMs: 100, maxBackoffMs: 50 })).toThrow(/maxBackoffMs/);
  });

  it('backoff: first attempt immediate, then within [ceiling/2, ceiling] of a doubling ceiling (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempt, r) => {
        const o = { initialBackoffMs: 250, maxBackoffMs: 5000, random: () => r };
        const ceiling = Math.min(5000, 250 * 2 ** (attempt - 1));
        const d = backoffDelayMs(attempt, o);
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }),
    );
    expect(backoffDelayMs(0, { initialBackoffMs: 250, maxBackoffMs: 5000, random: () => 0.5 })).toBe(0);
  });
});

describe('Realtime endpoint from base URL (the SDK always builds a wss: URL)', () => {
  it('https and wss: TLS as the SDK does it, nothing overridden', () => {
    expect(resolveRealtimeEndpoint('https://api.openai.com/v1')).toEqual({ sdkBaseURL: 'https://api.openai.com/v1', describe: 'https://api.openai.com/v1' });
    expect(resolveRealtimeEndpoint('wss://gw.example.invalid/v1').sdkBaseURL).toBe('https://gw.example.invalid/v1');
  });

  it('http and ws: a plain TCP createConnection to the original host and port (80 by default)', () => {
    const http = resolveRealtimeEndpoint('http://127.0.0.1:8081/v1');
    expect(http.sdkBaseURL).toBe('http://127.0.0.1:8081/v1');
    expect(http.createConnection).toBeTypeOf('function');
    const ws = resolveRealtimeEndpoint('ws://127.0.0.1/v1');
    expect(ws.sdkBaseURL).toBe('http://127.0.0.1/v1');
    const socket = ws.createConnection?.();
    // Connecting to port 80 on loopback: only check where it goes, then drop it.
    socket?.on('error', () => undefined);
    expect(socket?.connecting).toBe(true);
    socket?.destroy();
  });

  it('strips credentials from the URL (they would be logged)', () => {
    const e = resolveRealtimeEndpoint('https://user:secret@api.openai.com/v1');
    expect(e.sdkBaseURL).not.toContain('secret');
    expect(e.describe).not.toContain('secret');
  });
});
