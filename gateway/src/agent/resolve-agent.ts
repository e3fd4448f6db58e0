/**
 * From the file as written to a complete AgentDefinition: schema check, defaults (the file wins, then
 * the environment — OPENAI_VOICE_MODEL, OPENAI_VOICE, OPENAI_INSTRUCTIONS, AUDIO_MODE — then built-in
 * values), templates, the tools module, MCP secrets, the apology recording. Every problem found is
 * reported, one line each, not just the first.
 */
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_INSTRUCTIONS, DEFAULT_OPENAI_MODEL, DEFAULT_OPENAI_VOICE } from '../config/defaults.js';
import type { RealtimeMcpToolConfig, SemanticVadTurnDetection, ServerVadTurnDetection } from '../realtime/backend.js';
import {
  DEFAULT_APOLOGY_AUDIO,
  DEFAULT_DTMF_COALESCE_MS,
  DEFAULT_RESPONSE_FAILURE_POLICY,
  DEFAULT_DTMF_INTER_DIGIT_TIMEOUT_MS,
  DEFAULT_DTMF_MAX_DIGITS,
  DEFAULT_DTMF_PROMPT,
  DEFAULT_DTMF_TERMINATOR,
  DEFAULT_IDLE,
  DEFAULT_MAX_DURATION,
  DEFAULT_NOISE_REDUCTION,
  DEFAULT_SERVER_VAD,
  DEFAULT_TOOL_APPROVAL_ACTION,
  DEFAULT_TOOL_DENY_MESSAGE,
  DEFAULT_TOOL_TIMEOUT_MS,
  DEFAULT_TRANSCRIPTION_MODEL,
  KNOWN_VOICES,
  type AgentAudioMode,
  type AgentDefinition,
  type BuiltinToolSetting,
  type DtmfSettings,
  type HandBackSettings,
  type IdleSettings,
  type MaxDurationSettings,
} from './agent-definition.js';
import { err, ok, type Result } from '../result.js';
import { agentFileSchema, type AgentFile } from './agent-file-schema.js';
import { loadApologyAudio } from './apology-audio.js';
import { resolveHandoffSummary } from './handoff-summary-settings.js';
import { resolveToolFiller } from './tool-filler-settings.js';
import { BUILTIN_TOOL_NAMES, BUILTIN_TOOLS } from './builtin-tools.js';
import { recordingToolDefault, recordingToolProblems, resolveRecording } from './recording-settings.js';
import { expandEnv } from './env-expansion.js';
import { formatIssues } from './format-issues.js';
import { DEFAULT_BARGE_IN_MIN_SPEECH_MS, resolveGreeting } from './greeting-audio.js';
import { parseTemplate, type InstructionTemplate } from './instruction-template.js';
import type { LoadedTool } from './tool-types.js';
import { loadToolsModule } from './tools-module.js';

export interface ResolveOptions {
  /** Prefix of every problem line: the file's name ("agent.yaml"), or "agent" without a file. */
  label: string;
  /** Recorded as AgentDefinition.source. */
  source: string;
  /** Relative paths in the file (toolsModule, handBack.apologyAudio) are resolved against this. */
  baseDir: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Where the packaged fixtures live (the default apology recording). */
  packageRoot: string;
}

export type AgentDefinitionResult = Result<{ definition: AgentDefinition; warnings: string[] }, string[]>;

export async function resolveAgentDefinition(raw: unknown, opts: ResolveOptions): Promise<AgentDefinitionResult> {
  const parsed = agentFileSchema.safeParse(raw ?? {});
  if (!parsed.success) return err(formatIssues(opts.label, parsed.error.issues, agentFileSchema, raw));
  const f: AgentFile = parsed.data;
  const problems: string[] = [];
  const warnings: string[] = [];
  const env = (name: string): string | undefined => {
    const v = opts.env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const at = (field: string) => `${opts.label}: ${field}`;

  const model = f.model ?? env('OPENAI_VOICE_MODEL') ?? DEFAULT_OPENAI_MODEL;
  const voice = f.voice ?? env('OPENAI_VOICE') ?? DEFAULT_OPENAI_VOICE;
  if (!KNOWN_VOICES.includes(voice) && !/^voice_[A-Za-z0-9]+$/.test(voice)) {
    warnings.push(`${f.voice !== undefined ? at('voice') : 'OPENAI_VOICE'}: "${voice}" is not a voice the Realtime API lists (${KNOWN_VOICES.join(', ')}); sessions may be rejected`);
  }

  const instructionsFrom = f.instructions !== undefined ? at('instructions') : env('OPENAI_INSTRUCTIONS') !== undefined ? 'OPENAI_INSTRUCTIONS' : 'built-in instructions';
  const instructions = template(f.instructions ?? env('OPENAI_INSTRUCTIONS') ?? DEFAULT_INSTRUCTIONS, instructionsFrom, problems);
  const greetingSettings = await resolveGreeting(f.greeting, at('greeting'), opts.baseDir, problems);
  const greeting = greetingSettings?.instructions === undefined ? undefined : template(greetingSettings.instructions, at('greeting'), problems);

  const audioMode = resolveAudioMode(f, env('AUDIO_MODE'), problems);
  const turnDetection = resolveTurnDetection(f);
  const transcription = f.transcription === undefined ? { model: DEFAULT_TRANSCRIPTION_MODEL } : f.transcription;
  if (transcription === null) warnings.push(`${at('transcription')}: null — caller speech is not transcribed, so hand-back summaries and reconnects lose what the caller said`);

  const recording = resolveRecording(f.recording);
  problems.push(...recordingToolProblems(f.tools, recording, opts.label));
  const builtinTools: BuiltinToolSetting[] = [];
  for (const name of BUILTIN_TOOL_NAMES) {
    const setting = f.tools?.[name];
    const enabled = setting === undefined ? BUILTIN_TOOLS[name].enabledByDefault || recordingToolDefault(name, recording) : setting !== false;
    if (enabled) builtinTools.push({ name, description: typeof setting === 'object' ? setting.description : BUILTIN_TOOLS[name].description });
  }

  let tools: LoadedTool[] = [];
  if (f.toolsModule !== undefined) {
    const loaded = await loadToolsModule(resolveFrom(opts.baseDir, f.toolsModule));
    if (loaded.ok) tools = loaded.value;
    else for (const p of loaded.error) problems.push(`${at('toolsModule')} (${f.toolsModule}): ${p}`);
  }

  const mcpServers = resolveMcpServers(f, opts, problems);
  const dtmf = resolveDtmf(f, opts.label, problems);
  const handBack = await resolveHandBack(f, opts, problems);
  const idle = resolveIdle(f, opts.label, problems, warnings);
  const maxDuration = resolveMaxDuration(f, opts.label, problems);
  const toolFiller = f.toolFiller === undefined ? undefined : await resolveToolFiller(f.toolFiller, resolveFrom(opts.baseDir, f.toolFiller.audio));
  if (toolFiller?.ok === false) problems.push(`${at('toolFiller')}.${toolFiller.error}`);

  if (problems.length > 0 || instructions === undefined) return err(problems);
  const definition: AgentDefinition = {
    source: opts.source,
    model,
    voice,
    instructions,
    audioMode,
    turnDetection,
    noiseReduction: f.noiseReduction === undefined ? DEFAULT_NOISE_REDUCTION : f.noiseReduction,
    transcription: transcription === null ? null : dropUndefined(transcription),
    builtinTools,
    tools,
    toolTimeoutMs: f.toolTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS,
    toolApproval: {
      default: f.toolApproval?.default ?? DEFAULT_TOOL_APPROVAL_ACTION,
      tools: { ...f.toolApproval?.tools },
      denyMessage: f.toolApproval?.denyMessage ?? DEFAULT_TOOL_DENY_MESSAGE,
    },
    mcpServers,
    dtmf,
    handBack,
    recording,
  };
  if (greeting !== undefined) definition.greeting = greeting;
  if (idle !== undefined) definition.idle = idle;
  if (maxDuration !== undefined) definition.maxDuration = maxDuration;
  if (toolFiller?.ok === true) definition.toolFiller = toolFiller.value;
  if (f.handoffSummary !== undefined) definition.handoffSummary = resolveHandoffSummary(f.handoffSummary);
  if (greetingSettings?.audio !== undefined) definition.greetingAudio = greetingSettings.audio;
  if (greetingSettings !== undefined && !greetingSettings.interruptible) definition.greetingInterruptible = false;
  definition.bargeIn = { minSpeechMs: f.bargeIn?.minSpeechMs ?? DEFAULT_BARGE_IN_MIN_SPEECH_MS };
  const bargeInProblem = gatewayBargeInProblem(definition);
  if (bargeInProblem !== undefined) return err([`${opts.label}: ${bargeInProblem}`]);
  if (f.speed !== undefined) definition.speed = f.speed;
  if (f.maxOutputTokens !== undefined) definition.maxOutputTokens = f.maxOutputTokens;
  return ok({ definition, warnings });
}

/** Gateway-side barge-in needs the provider to allow interruptions at all (see call/barge-in-policy.ts). */
function gatewayBargeInProblem(def: AgentDefinition): string | undefined {
  const managed = def.greetingInterruptible === false || (def.bargeIn?.minSpeechMs ?? 0) > 0;
  if (managed && !def.turnDetection.interruptResponse) {
    return 'greeting.interruptible and bargeIn.minSpeechMs need turnDetection.interruptResponse true (with it false the caller can never interrupt the agent)';
  }
  return undefined;
}

function template(text: string, where: string, problems: string[], opts: { digits?: boolean } = {}): InstructionTemplate | undefined {
  const r = parseTemplate(text, opts);
  if (r.ok) return r.value;
  for (const p of r.error) problems.push(`${where}: ${p}`);
  return undefined;
}

function resolveAudioMode(f: AgentFile, fromEnv: string | undefined, problems: string[]): AgentAudioMode {
  if (f.audio !== undefined) return f.audio.mode;
  if (fromEnv === undefined) return 'passthrough';
  if (fromEnv === 'passthrough' || fromEnv === 'pcm16') return fromEnv;
  problems.push(`AUDIO_MODE: must be one of passthrough, pcm16, got "${fromEnv.slice(0, 20)}"`);
  return 'passthrough';
}

function resolveTurnDetection(f: AgentFile): ServerVadTurnDetection | SemanticVadTurnDetection {
  const td = f.turnDetection;
  if (td === undefined) return { ...DEFAULT_SERVER_VAD };
  if (td.type === 'semantic_vad') {
    return { type: 'semantic_vad', eagerness: td.eagerness ?? 'auto', createResponse: td.createResponse ?? true, interruptResponse: td.interruptResponse ?? true };
  }
  const out: ServerVadTurnDetection = {
    type: 'server_vad',
    threshold: td.threshold ?? DEFAULT_SERVER_VAD.threshold,
    prefixPaddingMs: td.prefixPaddingMs ?? DEFAULT_SERVER_VAD.prefixPaddingMs,
    silenceDurationMs: td.silenceDurationMs ?? DEFAULT_SERVER_VAD.silenceDurationMs,
    createResponse: td.createResponse ?? DEFAULT_SERVER_VAD.createResponse,
    interruptResponse: td.interruptResponse ?? DEFAULT_SERVER_VAD.interruptResponse,
  };
  if (td.idleTimeoutMs !== undefined) out.idleTimeoutMs = td.idleTimeoutMs;
  return out;
}

function resolveMcpServers(f: AgentFile, opts: ResolveOptions, problems: string[]): RealtimeMcpToolConfig[] {
  const out: RealtimeMcpToolConfig[] = [];
  const labels = new Map<string, number>();
  (f.mcpServers ?? []).forEach((server, i) => {
    const at = `${opts.label}: mcpServers[${i}]`;
    const before = problems.length;
    const first = labels.get(server.label);
    if (first !== undefined) problems.push(`${at}.label: duplicate label "${server.label}" (also mcpServers[${first}])`);
    else labels.set(server.label, i);
    const url = expandEnv(server.url, opts.env);
    if (!url.ok) problems.push(`${at}.url: ${url.error}`);
    else if (!isServerUrl(url.value)) problems.push(`${at}.url: must be an https:// URL (http:// only for loopback)`);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(server.headers ?? {})) {
      const v = expandEnv(value, opts.env);
      // Never echo the value: it is, or contains, a secret.
      if (!v.ok) problems.push(`${at}.headers.${name}: ${v.error}`);
      else headers[name] = v.value;
    }
    if (problems.length > before || !url.ok) return;
    const tool: RealtimeMcpToolConfig = { type: 'mcp', server_label: server.label, server_url: url.value, require_approval: 'never' };
    if (server.allowedTools !== undefined) tool.allowed_tools = [...server.allowedTools];
    if (Object.keys(headers).length > 0) tool.headers = headers;
    out.push(tool);
  });
  return out;
}

function isServerUrl(text: string): boolean {
  try {
    const url = new URL(text);
    if (url.protocol === 'https:') return true;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return url.protocol === 'http:' && (host === 'localhost' || host === '::1' || host.startsWith('127.'));
  } catch {
    return false;
  }
}

function resolveDtmf(f: AgentFile, label: string, problems: string[]): DtmfSettings {
  const deliverToModel = f.dtmf?.deliverToModel ?? true;
  const coalesceMs = f.dtmf?.coalesceMs ?? DEFAULT_DTMF_COALESCE_MS;
  const c = f.dtmf?.collect;
  if (c === undefined) return { deliverToModel, coalesceMs };
  if (!deliverToModel) {
    problems.push(`${label}: dtmf.collect: collected digits go to the model; set dtmf.deliverToModel to true or remove collect`);
    return { deliverToModel, coalesceMs };
  }
  const prompt = template(c.prompt ?? DEFAULT_DTMF_PROMPT, `${label}: dtmf.collect.prompt`, problems, { digits: true });
  if (prompt === undefined) return { deliverToModel, coalesceMs };
  const terminator = c.terminator === undefined ? DEFAULT_DTMF_TERMINATOR : c.terminator;
  return {
    deliverToModel,
    coalesceMs,
    collect: { maxDigits: c.maxDigits ?? DEFAULT_DTMF_MAX_DIGITS, terminator, interDigitTimeoutMs: c.interDigitTimeoutMs ?? DEFAULT_DTMF_INTER_DIGIT_TIMEOUT_MS, prompt },
  };
}

async function resolveHandBack(f: AgentFile, opts: ResolveOptions, problems: string[]): Promise<HandBackSettings> {
  // Set-up failures answer 503 unless told otherwise (Connect's flow then takes its error branch);
  // mid-call failures always apologise and hand back, so the apology is always loaded.
  const onRealtimeFailure = f.handBack?.onRealtimeFailure ?? false;
  const onResponseFailure = f.handBack?.onResponseFailure ?? DEFAULT_RESPONSE_FAILURE_POLICY;
  const configured = f.handBack?.apologyAudio;
  const path = configured !== undefined ? resolveFrom(opts.baseDir, configured) : resolve(opts.packageRoot, DEFAULT_APOLOGY_AUDIO);
  const loaded = await loadApologyAudio(path);
  if (!loaded.ok) {
    problems.push(`${opts.label}: handBack.apologyAudio: ${loaded.error}`);
    return { onRealtimeFailure, onResponseFailure, apologyAudio: { path, samples: new Int16Array(0) } };
  }
  return { onRealtimeFailure, onResponseFailure, apologyAudio: loaded.value };
}

/**
 * The gateway times caller silence itself, from the end of playback on the wire (the playback
 * ledger), for both providers and both VAD types; the service's own idle_timeout_ms would answer the
 * same silence a second time, so the two do not go together.
 */
function resolveIdle(f: AgentFile, label: string, problems: string[], warnings: string[]): IdleSettings | undefined {
  const serviceIdle = f.turnDetection?.type === 'server_vad' && f.turnDetection.idleTimeoutMs !== undefined;
  if (f.idle === false) return undefined;
  if (f.idle === undefined) {
    if (!serviceIdle) return { ...DEFAULT_IDLE };
    warnings.push(`${label}: turnDetection.idleTimeoutMs: the service nudges the model itself; the gateway's idle handling (re-prompts, goodbye, hand-back) is off`);
    return undefined;
  }
  if (serviceIdle) {
    problems.push(`${label}: idle: cannot be combined with turnDetection.idleTimeoutMs (both would answer the same silence); remove one`);
    return undefined;
  }
  return {
    timeoutMs: f.idle.timeoutMs ?? DEFAULT_IDLE.timeoutMs,
    maxPrompts: f.idle.maxPrompts ?? DEFAULT_IDLE.maxPrompts,
    prompt: f.idle.prompt ?? DEFAULT_IDLE.prompt,
    goodbye: f.idle.goodbye ?? DEFAULT_IDLE.goodbye,
  };
}

function resolveMaxDuration(f: AgentFile, label: string, problems: string[]): MaxDurationSettings | undefined {
  if (f.maxDuration === false) return undefined;
  const m = f.maxDuration ?? {};
  const seconds = m.seconds ?? DEFAULT_MAX_DURATION.seconds;
  const wrapUpBeforeS = m.wrapUpBeforeS ?? Math.min(DEFAULT_MAX_DURATION.wrapUpBeforeS, Math.floor(seconds / 4));
  if (wrapUpBeforeS >= seconds) {
    problems.push(`${label}: maxDuration.wrapUpBeforeS: must be below maxDuration.seconds (${seconds})`);
    return undefined;
  }
  return {
    seconds,
    wrapUpBeforeS,
    wrapUp: m.wrapUp ?? DEFAULT_MAX_DURATION.wrapUp,
    goodbye: m.goodbye ?? DEFAULT_MAX_DURATION.goodbye,
    graceS: m.graceS ?? DEFAULT_MAX_DURATION.graceS,
  };
}

function resolveFrom(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
