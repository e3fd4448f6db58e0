import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedRetryStrategy, RETRY_COST, TIMEOUT_RETRY_COST } from '../../src/connect/bounded-retry-strategy.js';
import { classifySdkError } from '../../src/connect/classify-sdk-error.js';

/** What the SDK's retry middleware passes: the error it caught, classified by the SDK. */
type RetryErrorInfo = Parameters<BoundedRetryStrategy['refreshRetryTokenForRetry']>[1];
type SdkError = NonNullable<RetryErrorInfo['error']>;
const sdkError = (name: string, fault: 'client' | 'server'): SdkError => Object.assign(new Error(name), { name, $fault: fault, $metadata: {}, cause: undefined });

const throttled: RetryErrorInfo = { errorType: 'THROTTLING', error: sdkError('ThrottlingException', 'client') };
const transient: RetryErrorInfo = { errorType: 'TRANSIENT', error: sdkError('InternalServiceException', 'server') };
const clientError: RetryErrorInfo = { errorType: 'CLIENT_ERROR', error: sdkError('InvalidParameterException', 'client') };

describe('BoundedRetryStrategy (the SDK RetryStrategyV2 contract)', () => {
  it('allows maxAttempts - 1 retries, then refuses', async () => {
    const s = new BoundedRetryStrategy({ maxAttempts: 3, random: () => 0 });
    let token = await s.acquireInitialRetryToken('');
    token = await s.refreshRetryTokenForRetry(token, throttled);
    expect(token.getRetryCount()).toBe(1);
    token = await s.refreshRetryTokenForRetry(token, transient);
    expect(token.getRetryCount()).toBe(2);
    await expect(s.refreshRetryTokenForRetry(token, throttled)).rejects.toThrow('no attempts left (3 of 3)');
  });

  it('never retries CLIENT_ERROR or SERVER_ERROR (the SDK classifies, we obey)', async () => {
    const s = new BoundedRetryStrategy({ maxAttempts: 5 });
    const token = await s.acquireInitialRetryToken('');
    await expect(s.refreshRetryTokenForRetry(token, clientError)).rejects.toThrow('not retryable (CLIENT_ERROR)');
    await expect(s.refreshRetryTokenForRetry(token, { errorType: 'SERVER_ERROR' })).rejects.toThrow('not retryable');
  });

  it('backs off exponentially with full jitter, capped at maxDelayMs', () => {
    const s = new BoundedRetryStrategy({ maxAttempts: 9, baseDelayMs: 50, throttlingBaseDelayMs: 200, maxDelayMs: 800, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5].map((n) => s.delayFor(n, { errorType: 'TRANSIENT' }))).toEqual([49, 99, 199, 399, 799]);
    expect([1, 2, 3, 4].map((n) => s.delayFor(n, { errorType: 'THROTTLING' }))).toEqual([199, 399, 799, 799]);
  });

  it('honours Retry-After up to the cap', () => {
    const now = 1_700_000_000_000;
    const s = new BoundedRetryStrategy({ maxAttempts: 3, maxDelayMs: 800, random: () => 0, wallNow: () => now });
    expect(s.delayFor(1, { errorType: 'THROTTLING', retryAfterHint: new Date(now + 300) })).toBe(300);
    expect(s.delayFor(1, { errorType: 'THROTTLING', retryAfterHint: new Date(now + 60_000) })).toBe(800);
  });

  it('property: every delay is within [0, maxDelayMs]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), fc.constantFrom('THROTTLING' as const, 'TRANSIENT' as const), (retry, r, errorType) => {
        const s = new BoundedRetryStrategy({ maxAttempts: 50, maxDelayMs: 800, random: () => r });
        const d = s.delayFor(retry, { errorType });
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(800);
      }),
    );
  });

  it('spends a shared budget on retries (timeouts cost more) and refunds on success', async () => {
    const s = new BoundedRetryStrategy({ maxAttempts: 100, budget: 20, random: () => 0 });
    const t0 = await s.acquireInitialRetryToken('');
    const t1 = await s.refreshRetryTokenForRetry(t0, transient);
    expect(s.budget).toBe(20 - RETRY_COST);
    await s.refreshRetryTokenForRetry(t1, { errorType: 'TRANSIENT', error: sdkError('TimeoutError', 'client') });
    expect(s.budget).toBe(20 - RETRY_COST - TIMEOUT_RETRY_COST);
    await expect(s.refreshRetryTokenForRetry(t1, transient)).resolves.toBeDefined();
    await expect(s.refreshRetryTokenForRetry(t1, transient)).rejects.toThrow('retry budget exhausted');
    s.recordSuccess(t1);
    expect(s.budget).toBe(RETRY_COST);
  });

  it('rejects a nonsensical maxAttempts at construction', () => {
    expect(() => new BoundedRetryStrategy({ maxAttempts: 0 })).toThrow(RangeError);
  });
});

describe('classifySdkError', () => {
  const sdk = (name: string, status?: number, attempts?: number): unknown =>
    Object.assign(new Error(`${name} message`), { name, $fault: 'client', $metadata: { httpStatusCode: status, attempts } });

  it.each([
    [sdk('ThrottlingException', 429, 3), 'CONNECT_ERR_THROTTLED', true],
    [sdk('InternalServiceException', 500, 3), 'CONNECT_ERR_SERVICE', true],
    [sdk('ServiceUnavailable', 503), 'CONNECT_ERR_SERVICE', true],
    [sdk('InvalidParameterException', 400), 'CONNECT_ERR_REJECTED', false],
    [sdk('InvalidRequestException', 400), 'CONNECT_ERR_REJECTED', false],
    [sdk('InvalidActiveRegionException', 400), 'CONNECT_ERR_REJECTED', false],
    [sdk('ResourceNotFoundException', 404), 'CONNECT_ERR_NOT_FOUND', false],
    [sdk('AccessDeniedException', 403), 'CONNECT_ERR_ACCESS_DENIED', false],
    [sdk('UnrecognizedClientException', 403), 'CONNECT_ERR_ACCESS_DENIED', false],
    [sdk('SomethingNew', 409), 'CONNECT_ERR_REJECTED', false],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), 'CONNECT_ERR_NETWORK', true],
    [Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), 'CONNECT_ERR_TIMEOUT', true],
    [Object.assign(new Error('Request aborted'), { name: 'AbortError' }), 'CONNECT_ERR_ABORTED', false],
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'CONNECT_ERR_CREDENTIALS', false],
    ['a string', 'CONNECT_ERR_UNKNOWN', false],
    [undefined, 'CONNECT_ERR_UNKNOWN', false],
  ])('%#: maps to %s', (err, code, retryable) => {
    expect(classifySdkError(err)).toMatchObject({ code, retryable });
  });

  it('keeps the AWS name, status and attempts, in a one-line message', () => {
    expect(classifySdkError(sdk('ThrottlingException', 429, 3))).toEqual({
      code: 'CONNECT_ERR_THROTTLED',
      message: 'ThrottlingException (HTTP 429): ThrottlingException message',
      retryable: true,
      awsErrorName: 'ThrottlingException',
      httpStatus: 429,
      attempts: 3,
    });
    expect(classifySdkError(new Error('line one\nline two')).message).toBe('Error: line one');
  });
});
