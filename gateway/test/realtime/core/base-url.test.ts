import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPENAI_BASE_URL, describeEndpoint, resolveBaseURL } from '../../../src/realtime/core/base-url.js';

describe('the API base both providers use', () => {
  it('defaults to the OpenAI API and keeps a valid value as given', () => {
    expect(resolveBaseURL('realtime option', undefined)).toBe(DEFAULT_OPENAI_BASE_URL);
    for (const url of ['http://127.0.0.1:8081/v1', 'https://api.openai.com/v1', 'ws://[::1]:9000/v1', 'wss://proxy.example.invalid/openai/v1']) {
      expect(resolveBaseURL('realtime option', url)).toBe(url);
    }
  });

  it('a RangeError naming the option and its owner', () => {
    expect(() => resolveBaseURL('agents-sdk option', 'not a url')).toThrow(new RangeError('agents-sdk option baseURL is not a URL: not a url'));
    expect(() => resolveBaseURL('realtime option', 'ftp://127.0.0.1/v1')).toThrow(new RangeError('realtime option baseURL must be http, https, ws or wss, got ftp:'));
  });

  it('describeEndpoint never shows credentials or the query (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('http', 'https', 'ws', 'wss'), fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z0-9]{1,12}$/), (scheme, user, secret) => {
        const text = describeEndpoint(new URL(`${scheme}://${user}:${secret}@127.0.0.1:8081/v1/realtime?model=m&key=${secret}`));
        expect(text).toBe(`${scheme}://127.0.0.1:8081/v1/realtime`);
      }),
    );
  });
});
