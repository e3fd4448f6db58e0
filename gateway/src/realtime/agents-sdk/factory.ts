import type { RealtimeBackend, RealtimeBackendCreateOptions, RealtimeBackendFactory } from '../backend.js';
import { AgentsSdkBackend } from './agents-sdk-backend.js';
import { resolveAgentsSdkOptions, type AgentsSdkFactoryOptions } from './options.js';

/**
 * The `agents-sdk` provider. Validates the options once (RangeError naming the field); each call gets
 * its own backend, bound to the call's logger and clock, which loads the call's agent at connect().
 */
export function createAgentsSdkFactory(options: AgentsSdkFactoryOptions): RealtimeBackendFactory {
  const resolved = resolveAgentsSdkOptions(options);
  return {
    provider: 'agents-sdk',
    create(opts: RealtimeBackendCreateOptions): RealtimeBackend {
      return new AgentsSdkBackend(resolved, { logger: opts.logger, callId: opts.callId, clock: opts.clock, limits: opts.limits });
    },
  };
}
