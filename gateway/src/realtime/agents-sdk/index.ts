/**
 * The `agents-sdk` realtime provider: agents written with the OpenAI Agents SDK
 * (`@openai/agents-realtime`) on phone calls. See docs/agents-sdk.md.
 */
export { AgentsSdkBackend, type AgentsSdkBackendDeps } from './agents-sdk-backend.js';
export { AgentOverlays, withAppendedInstructions, type GatewayAdditions } from './agent-overlay.js';
export { AGENTS_SDK_SESSION_ERROR, AgentModuleError, type AgentModuleErrorCode } from './errors.js';
export { createAgentsSdkFactory } from './factory.js';
export { CALL_ENDED_OUTPUT, GatewayToolBridge } from './gateway-tools.js';
export { describeValue, loadAgentModule } from './load-agent-module.js';
export {
  AGENTS_SDK_CLOSE_TIMEOUT_MS,
  DEFAULT_AGENTS_SDK_CONNECT_TIMEOUT_MS,
  realtimeWebSocketUrl,
  resolveAgentsSdkOptions,
  type AgentLoadContext,
  type AgentLoader,
  type AgentsSdkFactoryOptions,
  type AgentsSdkSessionOptions,
  type ResolvedAgentsSdkOptions,
} from './options.js';
export { PhoneCallTransport, type PhoneCallTransportOptions } from './phone-call-transport.js';
export { chooseVoice, mergeSdkConfig, toSdkSessionConfig } from './session-config.js';
