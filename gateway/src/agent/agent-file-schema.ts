/**
 * The agent definition file as written (YAML, JSON, or a JS module's default export): every field
 * optional, unknown fields rejected so that a typo (`turn_detection`) is an error rather than a
 * silently ignored setting. Messages are phrased for the one-line problem report
 * (`agent.yaml: speed: must be 0.25..1.5`). Defaults and cross-field checks live in resolve-agent.ts.
 */
import { z } from 'zod';
import { TOOL_NAME_PATTERN } from './tools-module.js';
import { RESPONSE_FAILURE_POLICIES } from './agent-definition.js';
import { recordingFileSchema } from './recording-settings.js';
import { handoffSummaryFileSchema } from './handoff-summary-settings.js';
import { toolFillerFileSchema } from './tool-filler-settings.js';

export const MAX_INSTRUCTIONS_CHARS = 32_000;
export const MAX_MCP_SERVERS = 16;
export const DTMF_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'] as const;

const MAX_TOKENS_MESSAGE = 'must be a whole number 1..4096 or inf';

const flag = z.boolean({ error: 'must be true or false' });

const text = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` });

const range = (min: number, max: number) =>
  z
    .number({ error: `must be a number ${min}..${max}` })
    .min(min, { error: `must be ${min}..${max}` })
    .max(max, { error: `must be ${min}..${max}` });

const whole = (min: number, max: number, unit = '') =>
  z
    .number({ error: `must be a whole number ${min}..${max}${unit}` })
    .int({ error: `must be a whole number ${min}..${max}${unit}` })
    .min(min, { error: `must be ${min}..${max}${unit}` })
    .max(max, { error: `must be ${min}..${max}${unit}` });

const serverVad = z.strictObject({
  type: z.literal('server_vad'),
  threshold: range(0, 1).optional(),
  prefixPaddingMs: whole(0, 5_000, ' ms').optional(),
  silenceDurationMs: whole(0, 10_000, ' ms').optional(),
  interruptResponse: flag.optional(),
  createResponse: flag.optional(),
  /** The provider accepts 5..30 s. */
  idleTimeoutMs: whole(5_000, 30_000, ' ms').optional(),
});

const semanticVad = z.strictObject({
  type: z.literal('semantic_vad'),
  eagerness: z.enum(['low', 'medium', 'high', 'auto'], { error: 'must be one of low, medium, high, auto' }).optional(),
  interruptResponse: flag.optional(),
  createResponse: flag.optional(),
});

const toolSwitch = z.union([flag, z.strictObject({ description: text(1_024) })], { error: 'must be true, false or { description: "..." }' }).optional();

const mcpServer = z.strictObject({
  label: z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "must be 1..64 letters, digits, '_' or '-'" }),
  /** May contain ${ENV_VAR} references. */
  url: text(2_048),
  allowedTools: z
    .array(z.string({ error: 'must be a tool name' }).regex(TOOL_NAME_PATTERN, { error: "must be a tool name (1..64 letters, digits, '_' or '-')" }), { error: 'must be a list of tool names' })
    .min(1, { error: 'must name at least one tool (leave it out to allow all)' })
    .max(128, { error: 'must have at most 128 entries' })
    .optional(),
  requireApproval: z.literal('never', { error: 'must be never (on a phone call nobody can approve a tool call)' }).optional(),
  /** Values may contain ${ENV_VAR} references: keep secrets in the environment. */
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'header names are letters, digits and -' }), z.string({ error: 'must be a string' }), {
      error: 'must be a mapping of header names to values',
    })
    .optional(),
});

const approvalAction = z.enum(['auto-approve', 'auto-deny', 'hand-back'], { error: 'must be one of auto-approve, auto-deny, hand-back' });

/** Tools that ask for approval (Agents SDK needsApproval, hosted MCP requireApproval): who says yes. */
const toolApproval = z.strictObject({
  default: approvalAction.optional(),
  denyMessage: text(1_000).optional(),
  tools: z
    .record(z.string().regex(TOOL_NAME_PATTERN, { error: "tool names are 1..64 letters, digits, '_' or '-'" }), approvalAction, {
      error: 'must be a mapping of tool names to auto-approve, auto-deny or hand-back',
    })
    .optional(),
});

/** Caller silence handling (call/idle-watch.ts); `false` turns it off. Defaults in agent-definition.ts. */
const idle = z.union(
  [
    z.literal(false),
    z.strictObject({
      timeoutMs: whole(5_000, 600_000, ' ms').optional(),
      maxPrompts: whole(0, 5).optional(),
      prompt: text(1_000).optional(),
      goodbye: text(1_000).optional(),
    }),
  ],
  { error: 'must be false or { timeoutMs, maxPrompts, prompt, goodbye }' },
);

/** The longest a call may last (call/duration-limit.ts); `false` turns it off. Defaults in agent-definition.ts. */
const maxDuration = z.union(
  [
    z.literal(false),
    z.strictObject({
      seconds: whole(10, 14_400, ' s').optional(),
      wrapUpBeforeS: whole(0, 600, ' s').optional(),
      wrapUp: text(1_000).optional(),
      goodbye: text(1_000).optional(),
      graceS: whole(2, 60, ' s').optional(),
    }),
  ],
  { error: 'must be false or { seconds, wrapUpBeforeS, wrapUp, goodbye, graceS }' },
);

export const agentFileSchema = z.strictObject({
  model: text(100).optional(),
  voice: text(100).optional(),
  instructions: text(MAX_INSTRUCTIONS_CHARS).optional(),
  greeting: z
    .union(
      [
        text(4_000),
        z.strictObject({ instructions: text(4_000).optional(), text: text(4_000).optional(), audio: text(1_024).optional(), interruptible: flag.optional() }),
      ],
      { error: 'must be a string (instructions for the first response) or { instructions, text, audio, interruptible }' },
    )
    .optional(),
  bargeIn: z.strictObject({ minSpeechMs: whole(0, 2_000, ' ms').optional() }).optional(),
  audio: z.strictObject({ mode: z.enum(['passthrough', 'pcm16'], { error: 'must be one of passthrough, pcm16' }) }).optional(),
  turnDetection: z.discriminatedUnion('type', [serverVad, semanticVad]).optional(),
  noiseReduction: z.enum(['near_field', 'far_field'], { error: 'must be one of near_field, far_field, null' }).nullable().optional(),
  transcription: z
    .strictObject({
      model: text(100),
      language: z
        .string({ error: 'must be a string' })
        .regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$/, { error: 'must be a language code such as en or pt-BR' })
        .optional(),
      prompt: text(2_000).optional(),
    })
    .nullable()
    .optional(),
  speed: range(0.25, 1.5).optional(),
  maxOutputTokens: z
    .union(
      [
        z.number({ error: MAX_TOKENS_MESSAGE }).int({ error: MAX_TOKENS_MESSAGE }).min(1, { error: MAX_TOKENS_MESSAGE }).max(4_096, { error: MAX_TOKENS_MESSAGE }),
        z.literal('inf', { error: MAX_TOKENS_MESSAGE }),
      ],
      { error: MAX_TOKENS_MESSAGE },
    )
    .optional(),
  tools: z.strictObject({ end_call: toolSwitch, transfer_to_human: toolSwitch, send_dtmf: toolSwitch, pause_recording: toolSwitch, resume_recording: toolSwitch }).optional(),
  toolsModule: text(1_024).optional(),
  toolTimeoutMs: whole(100, 60_000, ' ms').optional(),
  toolApproval: toolApproval.optional(),
  mcpServers: z.array(mcpServer, { error: 'must be a list' }).max(MAX_MCP_SERVERS, { error: `must have at most ${MAX_MCP_SERVERS} entries` }).optional(),
  dtmf: z
    .strictObject({
      deliverToModel: flag.optional(),
      coalesceMs: whole(0, 5_000, ' ms').optional(),
      collect: z
        .strictObject({
          maxDigits: whole(1, 64).optional(),
          terminator: z.enum(DTMF_KEYS, { error: 'must be one DTMF key (0-9, *, #, A-D) or null' }).nullable().optional(),
          interDigitTimeoutMs: whole(500, 30_000, ' ms').optional(),
          prompt: text(1_000).optional(),
        })
        .optional(),
    })
    .optional(),
  idle: idle.optional(),
  maxDuration: maxDuration.optional(),
  handBack: z
    .strictObject({
      onRealtimeFailure: flag.optional(),
      onResponseFailure: z.enum(RESPONSE_FAILURE_POLICIES, { error: `must be one of ${RESPONSE_FAILURE_POLICIES.join(', ')}` }).optional(),
      apologyAudio: text(1_024).optional(),
    })
    .optional(),
  recording: recordingFileSchema.optional(),
  toolFiller: toolFillerFileSchema.optional(),
  handoffSummary: handoffSummaryFileSchema.optional(),
});

export type AgentFile = z.infer<typeof agentFileSchema>;
