import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AGENTS_SDK_CONNECT_TIMEOUT_MS,
  realtimeWebSocketUrl,
  resolveAgentsSdkOptions,
  type AgentsSdkFactoryOptions,
} from '../../../src/realtime/agents-sdk/index.js';
import { frontDesk } from './helpers.js';

const valid: AgentsSdkFactoryOptions = { apiKey: 'sk-test', loadAgent: () => frontDesk() };

describe('agents-sdk options: base URL -> Realtime WebSocket URL', () => {
  it.each([
    ['http://127.0.0.1:8081/v1', 'ws://127.0.0.1:8081/v1/realtime?model=gpt-realtime'],
    ['http://127.0.0.1:8081/v1/', 'ws://127.0.0.1:8081/v1/realtime?model=gpt-realtime'],
    ['https://api.openai.com/v1', 'wss://api.openai.com/v1/realtime?model=gpt-realtime'],
    ['ws://[::1]:9000/v1', 'ws://[::1]:9000/v1/realtime?model=gpt-realtime'],
    ['wss://proxy.example.invalid/openai/v1', 'wss://proxy.example.invalid/openai/v1/realtime?model=gpt-realtime'],
    // Credentials never reach the URL (the key goes in the Authorization header only).
    ['http://user:pw@127.0.0.1:8081/v1', 'ws://127.0.0.1:8081/v1/realtime?model=gpt-realtime'],
  ])('%s -> %s', (base, expected) => {
    expect(realtimeWebSocketUrl(base, 'gpt-realtime')).toBe(expected);
  });

  it('property: ws(s) scheme, path ends in /realtime, the model round-trips', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('http', 'https', 'ws', 'wss'),
        fc.integer({ min: 1, max: 65535 }),
        fc.array(fc.stringMatching(/^[a-z0-9_-]{1,8}$/), { maxLength: 3 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        (scheme, port, segments, model) => {
          const url = new URL(realtimeWebSocketUrl(`${scheme}://127.0.0.1:${port}/${segments.join('/')}`, model));
          expect(url.protocol).toBe(scheme === 'http' || scheme === 'ws' ? 'ws:' : 'wss:');
          expect(url.pathname).toBe(`${segments.map((s) => `/${s}`).join('')}/realtime`);
          expect(url.searchParams.get('model')).toBe(model);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('agents-sdk options: validation', () => {
  it('fills the defaults', () => {
    expect(resolveAgentsSdkOptions(valid)).toMatchObject({
      baseURL: 'https://api.openai.com/v1',
      model: undefined,
      sessionOptions: {},
      connectTimeoutMs: DEFAULT_AGENTS_SDK_CONNECT_TIMEOUT_MS,
    });
  });

  it.each([
    [{ apiKey: '' }, /apiKey/],
    [{ baseURL: 'not a url' }, /baseURL is not a URL/],
    [{ baseURL: 'ftp://127.0.0.1/v1' }, /baseURL must be http, https, ws or wss/],
    [{ model: '' }, /model/],
    [{ connectTimeoutMs: 0 }, /connectTimeoutMs/],
    [{ connectTimeoutMs: Number.NaN }, /connectTimeoutMs/],
    [{ loadAgent: 'agent.js' as unknown as AgentsSdkFactoryOptions['loadAgent'] }, /loadAgent/],
  ])('rejects %o with a RangeError naming the field', (patch, message) => {
    expect(() => resolveAgentsSdkOptions({ ...valid, ...patch })).toThrow(RangeError);
    expect(() => resolveAgentsSdkOptions({ ...valid, ...patch })).toThrow(message);
  });
});
