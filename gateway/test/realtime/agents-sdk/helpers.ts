/** Shared pieces of the agents-sdk tests: session config, a backend with its events recorded, audio. */
import { RealtimeAgent } from '@openai/agents-realtime';
import { systemClock, type Clock } from '../../../src/clock.js';
import { baseConfig as sharedBaseConfig, capturingLogger, recordEvents } from '../helpers.js';
import { AgentsSdkBackend, type AgentLoader, type AgentsSdkFactoryOptions } from '../../../src/realtime/agents-sdk/index.js';
import type { RealtimeFunctionToolConfig, RealtimeSessionConfig } from '../../../src/realtime/backend.js';

export const SECRET = 'sk-test-agents-sdk-SECRET-never-in-logs';
export const CALL_ID = 'call-7@example.invalid';

export const baseConfig: RealtimeSessionConfig = { ...sharedBaseConfig, instructions: 'Call context: caller number +15550100.' };

/** The gateway's end_call, as the call layer puts it in the session config. */
export const END_CALL: RealtimeFunctionToolConfig = {
  type: 'function',
  name: 'end_call',
  description: 'End the phone call.',
  parameters: { type: 'object', properties: { reason: { type: 'string' } }, additionalProperties: false },
};

export function frontDesk(extra: Partial<ConstructorParameters<typeof RealtimeAgent>[0]> = {}): RealtimeAgent {
  return new RealtimeAgent({ name: 'Front desk', instructions: 'You answer the phone for Acme.', ...extra });
}

export function makeBackend(baseURL: string, loadAgent: AgentLoader, opts: Partial<AgentsSdkFactoryOptions> = {}, clock: Clock = systemClock) {
  const { logger, lines } = capturingLogger(CALL_ID);
  const backend = new AgentsSdkBackend({ apiKey: SECRET, baseURL, loadAgent, connectTimeoutMs: 5000, ...opts }, { logger, callId: CALL_ID, clock });
  return { backend, ...recordEvents(backend), lines };
}

export { appendInFrames, mulaw, tone, type Recorded } from '../helpers.js';
