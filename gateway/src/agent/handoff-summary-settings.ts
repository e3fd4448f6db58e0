/**
 * `handoffSummary`: before every hand-back the gateway writes a structured summary to the Connect
 * contact, beside the `ai_*` attributes and in the same UpdateContactAttributes call, so the human who
 * picks the caller up sees why they called and what is known. Fields:
 *   intent, outcome            the model's words, asked for out of band at hand-back time
 *   <fact name>                each fact the definition names (e.g. orderNumber), the model's words
 *   endReason                  why the AI part ended (transfer, idle, ...), from the gateway
 *   latencyMedianMs, latencyP95Ms   agent response latency of this call's turns, from the gateway
 * Each field is written under the attribute name `attributes` maps it to (defaults below: ai_intent,
 * ai_summary_outcome, ai_end_reason, ai_latency_median_ms, ai_latency_p95_ms, and ai_<fact_name> in
 * snake case for facts). `timeoutMs` bounds the wait for the model's answer; 0 never asks it.
 *
 * Off unless the section is present (`handoffSummary: {}` turns it on with the defaults): it costs a
 * model response and up to `timeoutMs` before every hand-back.
 */
import { z } from 'zod';
import { ATTRIBUTE_KEY_PATTERN, HAND_BACK_ATTRIBUTE_NAMES } from '../connect/index.js';

export const DEFAULT_HANDOFF_SUMMARY_TIMEOUT_MS = 2_000;
export const MAX_HANDOFF_SUMMARY_TIMEOUT_MS = 5_000;
export const MAX_HANDOFF_FACTS = 16;
/** Largest value written per summary attribute, UTF-8 bytes (cut with "…"). */
export const MAX_HANDOFF_VALUE_BYTES = 1_024;

/** The fields the gateway fills itself or always asks for, with their default attribute names. */
export const HANDOFF_STANDARD_FIELDS = Object.freeze({
  intent: 'ai_intent',
  outcome: 'ai_summary_outcome',
  endReason: 'ai_end_reason',
  latencyMedianMs: 'ai_latency_median_ms',
  latencyP95Ms: 'ai_latency_p95_ms',
} as const);

export type HandoffStandardField = keyof typeof HANDOFF_STANDARD_FIELDS;

const FACT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const RESERVED_ATTRIBUTES: ReadonlySet<string> = new Set(Object.values(HAND_BACK_ATTRIBUTE_NAMES));

const attributeName = z
  .string({ error: 'must be a contact attribute name' })
  .max(128, { error: 'must be at most 128 characters' })
  .regex(ATTRIBUTE_KEY_PATTERN, { error: "may contain only letters, digits, '-' and '_'" })
  .refine((name) => !RESERVED_ATTRIBUTES.has(name), { error: 'is written by the gateway itself (ai_outcome, ai_summary, ...); pick another name' });

export const handoffSummaryFileSchema = z
  .strictObject({
    timeoutMs: z
      .number({ error: `must be a whole number 0..${MAX_HANDOFF_SUMMARY_TIMEOUT_MS} ms` })
      .int({ error: `must be a whole number 0..${MAX_HANDOFF_SUMMARY_TIMEOUT_MS} ms` })
      .min(0, { error: `must be 0..${MAX_HANDOFF_SUMMARY_TIMEOUT_MS} ms` })
      .max(MAX_HANDOFF_SUMMARY_TIMEOUT_MS, { error: `must be 0..${MAX_HANDOFF_SUMMARY_TIMEOUT_MS} ms` })
      .optional(),
    facts: z
      .array(
        z.strictObject({
          name: z.string({ error: 'must be a string' }).regex(FACT_NAME, { error: "must start with a letter and hold 1..64 letters, digits or '_'" }),
          description: z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }).max(300, { error: 'must be at most 300 characters' }),
        }),
        { error: 'must be a list of { name, description }' },
      )
      .max(MAX_HANDOFF_FACTS, { error: `must have at most ${MAX_HANDOFF_FACTS} entries` })
      .optional(),
    attributes: z.record(z.string(), attributeName, { error: 'must map summary fields to attribute names' }).optional(),
  })
  .superRefine((v, ctx) => {
    const facts = (v.facts ?? []).map((f) => f.name);
    const fields = new Set<string>([...Object.keys(HANDOFF_STANDARD_FIELDS), ...facts]);
    const seen = new Set<string>();
    for (const name of facts) {
      if (seen.has(name) || name in HANDOFF_STANDARD_FIELDS) ctx.addIssue({ code: 'custom', path: ['facts'], message: `fact ${name}: named twice or the name of a standard field` });
      seen.add(name);
    }
    const names = new Set<string>();
    for (const [field, attribute] of Object.entries(v.attributes ?? {})) {
      if (!fields.has(field)) ctx.addIssue({ code: 'custom', path: ['attributes', field], message: `not a summary field (${[...fields].join(', ')})` });
      if (names.has(attribute)) ctx.addIssue({ code: 'custom', path: ['attributes', field], message: `attribute ${attribute} is mapped twice` });
      names.add(attribute);
    }
  });

export type HandoffSummaryFile = z.infer<typeof handoffSummaryFileSchema>;

export interface HandoffFact {
  name: string;
  description: string;
}

export interface HandoffSummarySettings {
  /** Longest wait for the model's answer at hand-back, ms; 0: the model is not asked. */
  timeoutMs: number;
  facts: readonly HandoffFact[];
  /** Summary field → contact attribute name, for every field written. */
  attributes: Readonly<Record<string, string>>;
}

export function resolveHandoffSummary(file: HandoffSummaryFile): HandoffSummarySettings {
  const facts = (file.facts ?? []).map((f) => ({ name: f.name, description: f.description }));
  const attributes: Record<string, string> = { ...HANDOFF_STANDARD_FIELDS };
  for (const f of facts) attributes[f.name] = `ai_${snakeCase(f.name)}`;
  Object.assign(attributes, file.attributes ?? {});
  return { timeoutMs: file.timeoutMs ?? DEFAULT_HANDOFF_SUMMARY_TIMEOUT_MS, facts, attributes };
}

/** orderNumber → order_number. */
function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
