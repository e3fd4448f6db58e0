/**
 * The tools the gateway itself implements. The model calls them like any function tool; the registry
 * validates the arguments and hands the call layer a typed intent (hang up, hand the contact back to
 * Connect for a human, send DTMF on the phone leg). Descriptions can be overridden in the agent file;
 * names and parameters cannot, because the call layer depends on them.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../result.js';

export const BUILTIN_TOOL_NAMES = ['end_call', 'transfer_to_human', 'send_dtmf', 'pause_recording', 'resume_recording'] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

export interface EndCallArgs {
  reason?: string;
}

export interface TransferToHumanArgs {
  reason: string;
  summary: string;
}

export interface SendDtmfArgs {
  /** 1..32 of 0-9 * # A-D (RFC 4733 events 0..15). */
  digits: string;
}

export type BuiltinIntent =
  | { builtin: 'end_call'; args: EndCallArgs }
  | { builtin: 'transfer_to_human'; args: TransferToHumanArgs }
  | { builtin: 'send_dtmf'; args: SendDtmfArgs }
  | { builtin: 'pause_recording'; args: Record<string, never> }
  | { builtin: 'resume_recording'; args: Record<string, never> };

export const DTMF_DIGITS = /^[0-9*#A-D]{1,32}$/;
export const MAX_REASON_CHARS = 500;
export const MAX_SUMMARY_CHARS = 4_000;

interface BuiltinSpec {
  /** On when the agent file says nothing. */
  enabledByDefault: boolean;
  description: string;
  parameters: Record<string, unknown>;
  /** What the model is told once the call layer has the intent. */
  acknowledgement: string;
}

export const BUILTIN_TOOLS: Readonly<Record<BuiltinToolName, BuiltinSpec>> = {
  end_call: {
    enabledByDefault: true,
    description:
      'End the phone call. Call this only after the caller has nothing more to ask and you have said goodbye, or when the caller asks to hang up.',
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', description: 'Why the call ends, in a few words.', maxLength: MAX_REASON_CHARS } },
      additionalProperties: false,
    },
    acknowledgement: 'The call will end once you finish speaking.',
  },
  transfer_to_human: {
    enabledByDefault: true,
    description:
      'Transfer the caller to a human agent. Use it when the caller asks for a person, or when you cannot help. First tell the caller, in one short sentence, that you are transferring them.',
    parameters: {
      type: 'object',
      properties: {
        reason: { type: 'string', description: 'Why a human is needed, in a few words.', maxLength: MAX_REASON_CHARS },
        summary: {
          type: 'string',
          description: 'What the caller needs and what you already learned, for the human agent who takes over.',
          maxLength: MAX_SUMMARY_CHARS,
        },
      },
      required: ['reason', 'summary'],
      additionalProperties: false,
    },
    acknowledgement: 'The caller is being transferred to a human agent once you finish speaking.',
  },
  send_dtmf: {
    enabledByDefault: false,
    description: 'Send keypad tones (DTMF) on the phone line, for example to answer a phone menu. Digits 0-9, *, # and A-D.',
    parameters: {
      type: 'object',
      properties: { digits: { type: 'string', description: 'The keys to press, in order.', pattern: '^[0-9*#A-D]{1,32}$' } },
      required: ['digits'],
      additionalProperties: false,
    },
    acknowledgement: 'The tones are being sent.',
  },
  // On exactly when the agent file enables recording (recording-settings.ts).
  pause_recording: {
    enabledByDefault: false,
    description:
      'Pause the call recording before the caller gives sensitive information (card numbers, passwords, health details). Both sides are silent in the recording until resume_recording.',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
    acknowledgement: 'The recording is paused.',
  },
  resume_recording: {
    enabledByDefault: false,
    description: 'Resume the call recording once the sensitive part of the call is over.',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
    acknowledgement: 'The recording is running again.',
  },
};

// Lenient about extra members (models add them); strict about the ones the call layer uses.
const ARG_SCHEMAS = {
  end_call: z.object({ reason: z.string().max(MAX_REASON_CHARS).optional() }),
  transfer_to_human: z.object({ reason: z.string().trim().min(1).max(MAX_REASON_CHARS), summary: z.string().trim().min(1).max(MAX_SUMMARY_CHARS) }),
  send_dtmf: z.object({ digits: z.string().regex(DTMF_DIGITS, { error: 'digits must be 1..32 of 0-9, *, #, A-D' }) }),
  recording: z.object({}),
} as const;

export function isBuiltinToolName(name: string): name is BuiltinToolName {
  return (BUILTIN_TOOL_NAMES as readonly string[]).includes(name);
}

/** The intent, or a one-line reason the arguments are unusable. */
export function parseBuiltinArgs(name: BuiltinToolName, args: unknown): Result<BuiltinIntent, string> {
  switch (name) {
    case 'end_call': {
      const r = ARG_SCHEMAS.end_call.safeParse(args);
      if (!r.success) return err(describeIssues(r.error.issues));
      return ok({ builtin: 'end_call', args: r.data.reason === undefined ? {} : { reason: r.data.reason } });
    }
    case 'transfer_to_human': {
      const r = ARG_SCHEMAS.transfer_to_human.safeParse(args);
      if (!r.success) return err(describeIssues(r.error.issues));
      return ok({ builtin: 'transfer_to_human', args: { reason: r.data.reason, summary: r.data.summary } });
    }
    case 'send_dtmf': {
      const r = ARG_SCHEMAS.send_dtmf.safeParse(args);
      if (!r.success) return err(describeIssues(r.error.issues));
      return ok({ builtin: 'send_dtmf', args: { digits: r.data.digits } });
    }
    case 'pause_recording':
    case 'resume_recording': {
      const r = ARG_SCHEMAS.recording.safeParse(args);
      if (!r.success) return err(describeIssues(r.error.issues));
      return ok({ builtin: name, args: {} });
    }
  }
}

/** Zod issues as one line the model can act on: "summary: Invalid input: expected string, received undefined". */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
