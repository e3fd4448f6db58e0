/**
 * The structured hand-off summary (agent definition `handoffSummary`), built just before a hand-back
 * and written in the same UpdateContactAttributes call as the `ai_*` attributes.
 *
 * intent, outcome and the named facts come from the model: one out-of-band question at hand-back
 * time (`RealtimeBackend.askOutOfBand`: `conversation: "none"`, text output, so nothing is spoken and
 * nothing is added to the conversation), answered in JSON and validated with zod. Asked then, not
 * filled in by a tool during the call, because it must exist for every hand-back, including those the
 * model did not choose (idle, max duration, shutdown, a tool approval), and costs nothing while the
 * call goes well. The wait is bounded by `timeoutMs` (≤ 5 s, default 2 s) on the call's clock; no
 * answer in time, an answer that is not the JSON asked for, or no AI at all (it failed, the agents-sdk
 * provider) and the summary holds what the gateway knows: the end reason, the latencies, the intent
 * as the caller's first words and the outcome as the hand-back's own. The hand-back never waits longer.
 */
import { z } from 'zod';
import type { HandoffSummarySettings } from '../agent/index.js';
import { MAX_HANDOFF_VALUE_BYTES } from '../agent/index.js';
import type { Clock, TimerId } from '../clock.js';
import { truncateUtf8, type TranscriptTurn } from '../connect/index.js';
import type { RealtimeBackend } from '../realtime/backend.js';

/** Where the model's words came from, for the log line and the call record. */
export type HandoffSummarySource = 'model' | 'gateway';

export interface HandoffSummaryInput {
  /** Why the AI part ended (the call's end reason, e.g. handed-back, idle). */
  endReason: string;
  /** The hand-back's outcome and reason: the outcome's fallback. */
  outcome: string;
  reason: string;
  transcript: readonly TranscriptTurn[];
  latenciesMs: readonly number[];
}

export interface HandoffSummary {
  /** Contact attributes, mapped names → values (each ≤ MAX_HANDOFF_VALUE_BYTES). */
  attributes: Record<string, string>;
  source: HandoffSummarySource;
  /** Why the model's answer was not used, when it was not. */
  fallbackReason?: string;
  waitedMs: number;
}

/** The instructions of the out-of-band question. */
export function summaryInstructions(settings: HandoffSummarySettings): string {
  const fields = [
    '"intent": what the caller wanted, in one short sentence',
    '"outcome": what was done or agreed so far, and what is still open, in one short sentence',
    ...settings.facts.map((f) => `${JSON.stringify(f.name)}: ${f.description.replace(/\s+/g, ' ')}`),
  ];
  return [
    'The caller is being handed to a human agent now. Do not address the caller.',
    'Answer with one JSON object only (no prose, no code fence) with these string fields, from the conversation so far;',
    'use an empty string for anything the conversation does not tell:',
    ...fields.map((f) => `- ${f}`),
  ].join('\n');
}

/** Asks the model (bounded by settings.timeoutMs) and builds the attributes. */
export async function collectHandoffSummary(
  settings: HandoffSummarySettings,
  backend: RealtimeBackend | undefined,
  clock: Clock,
  input: HandoffSummaryInput,
): Promise<HandoffSummary> {
  const started = clock.now();
  let answer: string | undefined;
  let fallbackReason: string | undefined;
  if (settings.timeoutMs === 0) fallbackReason = 'not asked (timeoutMs 0)';
  else if (backend === undefined) fallbackReason = 'no AI session';
  else {
    let timer: TimerId | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = clock.setTimeout(() => resolve('timeout'), settings.timeoutMs)));
    const asked = backend.askOutOfBand(summaryInstructions(settings)).catch(() => undefined);
    const result = await Promise.race([asked, timeout]);
    clock.clearTimeout(timer);
    if (result === 'timeout') fallbackReason = `no answer within ${settings.timeoutMs} ms`;
    else if (result === undefined) fallbackReason = 'the AI session gave no answer';
    else answer = result;
  }
  const parsed = answer === undefined ? undefined : parseAnswer(answer, settings);
  if (answer !== undefined && parsed === undefined) fallbackReason = 'the answer was not the JSON asked for';
  const fields: Record<string, string> = {
    intent: parsed?.intent || firstCallerWords(input.transcript),
    outcome: parsed?.outcome || `${input.outcome}: ${input.reason}`,
    endReason: input.endReason,
    ...latencyFields(input.latenciesMs),
  };
  for (const fact of settings.facts) {
    const value = parsed?.[fact.name];
    if (value) fields[fact.name] = value;
  }
  const attributes: Record<string, string> = {};
  for (const [field, attribute] of Object.entries(settings.attributes)) {
    const value = fields[field]?.replace(/\s+/g, ' ').trim();
    if (value) attributes[attribute] = truncateUtf8(value, MAX_HANDOFF_VALUE_BYTES);
  }
  const summary: HandoffSummary = { attributes, source: parsed === undefined ? 'gateway' : 'model', waitedMs: Math.max(0, Math.round(clock.now() - started)) };
  if (fallbackReason !== undefined) summary.fallbackReason = fallbackReason;
  return summary;
}

/** The model's JSON (tolerating a code fence around it); undefined when it is not an object of strings. */
export function parseAnswer(text: string, settings: HandoffSummarySettings): Record<string, string> | undefined {
  const body = text.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const shape: Record<string, z.ZodType<string | undefined>> = {
    intent: answerField,
    outcome: answerField,
  };
  for (const fact of settings.facts) shape[fact.name] = answerField;
  const result = z.object(shape).safeParse(json);
  if (!result.success) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.data)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A string, or a number/boolean the model wrote unquoted; null or missing is "not known". */
const answerField = z
  .union([z.string().max(4_096), z.number(), z.boolean(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined ? undefined : String(v)));

/** Median and 95th percentile (nearest rank) of the turn latencies; nothing when there were no turns. */
export function latencyFields(latenciesMs: readonly number[]): { latencyMedianMs?: string; latencyP95Ms?: string } {
  if (latenciesMs.length === 0) return {};
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { latencyMedianMs: String(Math.round(median)), latencyP95Ms: String(Math.round(rank(0.95))) };
}

/** The caller's first transcribed words: the intent when the model cannot say. */
function firstCallerWords(transcript: readonly TranscriptTurn[]): string {
  const first = transcript.find((t) => t.role === 'user' && !t.text.startsWith('['));
  return first === undefined ? '' : first.text.slice(0, 300);
}
