/** The realtime layer's public surface: the provider-neutral backend contract and the OpenAI provider. */
export type {
  RealtimeAudioFormat,
  RealtimeBackend,
  RealtimeBackendCreateOptions,
  RealtimeBackendEvents,
  RealtimeBackendFactory,
  RealtimeBackendStats,
  RealtimeConnectOptions,
  RealtimeConnectionState,
  RealtimeFunctionToolConfig,
  RealtimeMcpToolConfig,
  RealtimeRateLimit,
  RealtimeSessionConfig,
  RealtimeToolConfig,
  SemanticVadTurnDetection,
  ServerVadTurnDetection,
} from './backend.js';
export { audioMs, bytesPerMs } from './audio-format.js';
export { RealtimeError, type RealtimeErrorClass, type RealtimeErrorCode } from './errors.js';
export { createOpenAIRealtimeFactory } from './openai/factory.js';
export { OpenAIRealtimeBackend, type OpenAIBackendDeps } from './openai/openai-backend.js';
export {
  DEFAULT_CONNECT_ATTEMPT_TIMEOUT_MS,
  DEFAULT_INITIAL_BACKOFF_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_OPENAI_BASE_URL,
  DEFAULT_RENEW_AFTER_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  resolveOpenAIBackendOptions,
  type OpenAIBackendOptions,
  type ResolvedOpenAIBackendOptions,
} from './openai/options.js';
export { createAgentsSdkFactory, loadAgentModule, PhoneCallTransport, type AgentLoader, type AgentsSdkFactoryOptions } from './agents-sdk/index.js';
