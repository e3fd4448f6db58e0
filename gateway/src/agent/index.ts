/**
 * The agent layer: what the voice agent is (instructions, voice, turn detection, tools), loaded from
 * the agent definition file at start-up, rendered into a Realtime session per call, and the runner
 * for the tools the model calls. Above realtime/ and connect/; only call/ uses it.
 */
export {
  DEFAULT_DTMF_COALESCE_MS,
  DEFAULT_NOISE_REDUCTION,
  DTMF_COALESCE_MAX_DIGITS,
  DEFAULT_SERVER_VAD,
  DEFAULT_TOOL_TIMEOUT_MS,
  DEFAULT_TRANSCRIPTION_MODEL,
  describeAgentDefinition,
  KNOWN_VOICES,
  type AgentAudioMode,
  type AgentDefinition,
  type BuiltinToolSetting,
  type DtmfCollectSettings,
  type DtmfSettings,
  type HandBackSettings,
  type IdleSettings,
  type MaxDurationSettings,
  type ResponseFailurePolicy,
} from './agent-definition.js';
export { APOLOGY_SAMPLE_RATE, type ApologyAudio } from './apology-audio.js';
export {
  BUILTIN_TOOL_NAMES,
  BUILTIN_TOOLS,
  type BuiltinIntent,
  type BuiltinToolName,
  type EndCallArgs,
  type SendDtmfArgs,
  type TransferToHumanArgs,
} from './builtin-tools.js';
export { DtmfCollector, type DtmfDeliveryReason } from './dtmf-collector.js';
export { DEFAULT_RECORDING, RECORDING_TOOL_NAMES, type RecordingSettings } from './recording-settings.js';
export { TOOL_ERROR_CODES, type ToolErrorCode, type ToolRunError } from './errors.js';
export { allowedPlaceholders, parseTemplate, renderTemplate, type InstructionTemplate } from './instruction-template.js';
export { loadAgentDefinition, type LoadAgentOptions } from './load-agent-definition.js';
export { renderDtmfPrompt, renderSessionConfig, type RenderedSession } from './render-session-config.js';
export { resolveAgentDefinition, type AgentDefinitionResult, type ResolveOptions } from './resolve-agent.js';
export { ToolRegistry, type ToolRegistryOptions, type ToolRegistryStats, type ToolRunContext, type ToolRunResult } from './tool-registry.js';
export type { AgentTool, LoadedTool, ToolHandler, ToolHandlerContext } from './tool-types.js';
export { DEFAULT_TOOL_FILLER_AFTER_MS, DEFAULT_TOOL_FILLER_MAX_PLAYS, type ToolFillerSettings } from './tool-filler-settings.js';
export { DEFAULT_HANDOFF_SUMMARY_TIMEOUT_MS, HANDOFF_STANDARD_FIELDS, MAX_HANDOFF_VALUE_BYTES, type HandoffFact, type HandoffSummarySettings } from './handoff-summary-settings.js';
