/**
 * The realtime layer's public surface: the provider-neutral backend contract and its two providers,
 * `openai` (OpenAIRealtimeWS) and `agents-sdk` (the OpenAI Agents SDK), both on the shared GA core.
 */
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
export { DEFAULT_OPENAI_BASE_URL } from './core/base-url.js';
export { createOpenAIRealtimeFactory } from './openai/factory.js';
export { OpenAIRealtimeBackend, type OpenAIBackendDeps } from './openai/openai-backend.js';
export {
  DEFAULT_CONNECT_ATTEMPT_TIMEOUT_MS,
  DEFAULT_INITIAL_BACKOFF_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_RENEW_AFTER_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  resolveOpenAIBackendOptions,
  type OpenAIBackendOptions,
  type ResolvedOpenAIBackendOptions,
} from './openai/options.js';
export { createAgentsSdkFactory, loadAgentModule, PhoneCallTransport, type AgentLoader, type AgentsSdkFactoryOptions } from './agents-sdk/index.js';
