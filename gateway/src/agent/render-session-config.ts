/**
 * One call's Realtime session from the agent definition and the Connect context: instructions and
 * greeting rendered from their templates, the built-in tools, the deployment's tools and the MCP
 * servers listed as tools. Pure; values missing for this call are reported in `problems` (the call
 * goes on with empty strings in their place).
 */
import type { ConnectCallContext } from '../connect/context.js';
import type { RealtimeAudioFormat, RealtimeSessionConfig, RealtimeToolConfig } from '../realtime/backend.js';
import { DEFAULT_DTMF_PROMPT, type AgentDefinition } from './agent-definition.js';
import { BUILTIN_TOOLS } from './builtin-tools.js';
import { parseTemplate, renderTemplate } from './instruction-template.js';

export interface RenderedSession {
  config: RealtimeSessionConfig;
  /** Instructions for the first response, when the agent greets the caller. */
  greeting?: string;
  problems: string[];
}

export function renderSessionConfig(def: AgentDefinition, context: ConnectCallContext, audioFormat: RealtimeAudioFormat): RenderedSession {
  const problems: string[] = [];
  const instructions = renderTemplate(def.instructions, { context });
  for (const p of instructions.problems) problems.push(`instructions: ${p}`);

  const tools: RealtimeToolConfig[] = [];
  for (const b of def.builtinTools) tools.push({ type: 'function', name: b.name, description: b.description, parameters: structuredClone(BUILTIN_TOOLS[b.name].parameters) });
  for (const t of def.tools) tools.push({ type: 'function', name: t.name, description: t.description, parameters: structuredClone(t.parameters) });
  for (const m of def.mcpServers) tools.push(structuredClone(m));

  const config: RealtimeSessionConfig = {
    model: def.model,
    instructions: instructions.text,
    voice: def.voice,
    audioFormat,
    turnDetection: { ...def.turnDetection },
    noiseReduction: def.noiseReduction,
    transcription: def.transcription === null ? null : { ...def.transcription },
    tools,
    toolApproval: { default: def.toolApproval.default, tools: { ...def.toolApproval.tools }, denyMessage: def.toolApproval.denyMessage },
  };
  if (def.speed !== undefined) config.speed = def.speed;
  if (def.maxOutputTokens !== undefined) config.maxOutputTokens = def.maxOutputTokens;

  const out: RenderedSession = { config, problems };
  if (def.greeting !== undefined) {
    const greeting = renderTemplate(def.greeting, { context });
    for (const p of greeting.problems) problems.push(`greeting: ${p}`);
    out.greeting = greeting.text;
  }
  return out;
}

const DEFAULT_PROMPT = parseTemplate(DEFAULT_DTMF_PROMPT, { digits: true });

/** The user text that delivers DTMF digits to the model: dtmf.collect.prompt, or the default wording. */
export function renderDtmfPrompt(def: AgentDefinition, context: ConnectCallContext, digits: string): string {
  const template = def.dtmf.collect?.prompt ?? (DEFAULT_PROMPT.ok ? DEFAULT_PROMPT.value : undefined);
  return template === undefined ? digits : renderTemplate(template, { context, digits }).text;
}
