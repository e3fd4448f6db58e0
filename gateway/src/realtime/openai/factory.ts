import OpenAI from 'openai';
import type { RealtimeBackend, RealtimeBackendCreateOptions, RealtimeBackendFactory } from '../backend.js';
import { resolveRealtimeEndpoint } from './endpoint.js';
import { OpenAIRealtimeBackend } from './openai-backend.js';
import { resolveOpenAIBackendOptions, type OpenAIBackendOptions } from './options.js';

/**
 * One factory per process: validates the options once (RangeError naming the field) and shares one
 * SDK client; each call gets its own backend bound to the call's logger and clock.
 */
export function createOpenAIRealtimeFactory(options: OpenAIBackendOptions): RealtimeBackendFactory {
  const resolved = resolveOpenAIBackendOptions(options);
  const endpoint = resolveRealtimeEndpoint(resolved.baseURL);
  const client = new OpenAI({ apiKey: resolved.apiKey, baseURL: endpoint.sdkBaseURL, maxRetries: 0 });
  return {
    provider: 'openai',
    create(opts: RealtimeBackendCreateOptions): RealtimeBackend {
      return new OpenAIRealtimeBackend(options, { logger: opts.logger, callId: opts.callId, clock: opts.clock, client, limits: opts.limits });
    },
  };
}
