/**
 * The contact attributes the gateway writes before its BYE hands the contact back to the Connect flow
 * ("Resume flow after disconnect = Yes"). The flow reads them with `$.Attributes.<name>` (e.g. a Check
 * contact attributes block on `ai_outcome` routing to a queue). Names are documented and stable:
 *
 *   ai_outcome      transfer_to_human | completed | ai_unavailable | caller_hangup | gateway_shutdown
 *                   | caller_idle | max_duration
 *   ai_summary      the agent's summary for the human who takes over (≤ 2 KB, cut with "…")
 *   ai_reason       why the AI handed back (≤ 512 B)
 *   ai_handback_at  ISO-8601 UTC time of the hand-back
 *   ai_transcript   optional: the most recent turns, "caller: …" / "agent: …" lines, in the room
 *                   left under Connect's 32 KB limit (≤ 16 KB)
 *
 * plus any extras the deployment adds (tool results such as `customer_verified`). Extras may not
 * reuse the names above, and their keys must be Connect-legal; offenders are dropped and reported.
 */
import { ATTRIBUTE_KEY_PATTERN, contactAttributesBytes, MAX_CONTACT_ATTRIBUTES_BYTES, utf8Length } from './attribute-limits.js';
import { lastLinesWithin, truncateUtf8 } from './utf8-text.js';

/**
 * gateway_shutdown: the gateway was drained (SIGTERM) while the call went on; route the caller on.
 * caller_idle: the caller stayed silent through the re-prompts (agent `idle`); max_duration: the call
 * reached the agent's `maxDuration`.
 */
export type HandBackOutcome = 'transfer_to_human' | 'completed' | 'ai_unavailable' | 'caller_hangup' | 'gateway_shutdown' | 'caller_idle' | 'max_duration';

export const HAND_BACK_ATTRIBUTE_NAMES = Object.freeze({
  outcome: 'ai_outcome',
  summary: 'ai_summary',
  reason: 'ai_reason',
  handBackAt: 'ai_handback_at',
  transcript: 'ai_transcript',
} as const);

export const MAX_SUMMARY_BYTES = 2_048;
export const MAX_REASON_BYTES = 512;
export const MAX_TRANSCRIPT_BYTES = 16_384;

export interface TranscriptTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface HandBackInput {
  outcome: HandBackOutcome;
  summary: string;
  reason: string;
  /** Wall-clock milliseconds since the epoch (Clock.wallNow()), written as ai_handback_at. */
  at: number;
  /** Conversation so far, oldest first; only the tail that fits is written. */
  transcript?: readonly TranscriptTurn[];
  extra?: Readonly<Record<string, string>>;
}

export interface HandBackAttributes {
  attributes: Record<string, string>;
  /** Extras that were dropped, and anything that had to be cut; one line each. */
  problems: string[];
}

const RESERVED: ReadonlySet<string> = new Set(Object.values(HAND_BACK_ATTRIBUTE_NAMES));

export function buildHandBackAttributes(input: HandBackInput): HandBackAttributes {
  const problems: string[] = [];
  const names = HAND_BACK_ATTRIBUTE_NAMES;
  const summary = truncateUtf8(input.summary.trim(), MAX_SUMMARY_BYTES);
  if (summary !== input.summary.trim()) problems.push(`${names.summary}: cut to ${MAX_SUMMARY_BYTES} bytes`);
  const reason = truncateUtf8(input.reason.trim(), MAX_REASON_BYTES);
  if (reason !== input.reason.trim()) problems.push(`${names.reason}: cut to ${MAX_REASON_BYTES} bytes`);
  const attributes: Record<string, string> = {
    [names.outcome]: input.outcome,
    [names.summary]: summary,
    [names.reason]: reason,
    [names.handBackAt]: Number.isFinite(input.at) ? new Date(input.at).toISOString() : new Date(0).toISOString(),
  };
  let used = contactAttributesBytes(attributes);
  for (const [key, value] of Object.entries(input.extra ?? {})) {
    if (RESERVED.has(key)) {
      problems.push(`extra attribute ${key}: reserved for the gateway; dropped`);
      continue;
    }
    if (!ATTRIBUTE_KEY_PATTERN.test(key)) {
      problems.push(`extra attribute ${JSON.stringify(key.slice(0, 64))}: keys may contain only letters, digits, '-' and '_'; dropped`);
      continue;
    }
    const size = utf8Length(key) + utf8Length(value);
    if (used + size > MAX_CONTACT_ATTRIBUTES_BYTES) {
      problems.push(`extra attribute ${key}: would exceed the ${MAX_CONTACT_ATTRIBUTES_BYTES}-byte Connect limit; dropped`);
      continue;
    }
    attributes[key] = value;
    used += size;
  }
  if (input.transcript !== undefined && input.transcript.length > 0) {
    // The transcript is the elastic part: it gets what the fixed attributes and extras left.
    const room = Math.min(MAX_TRANSCRIPT_BYTES, MAX_CONTACT_ATTRIBUTES_BYTES - used - utf8Length(names.transcript));
    const lines = input.transcript.map((t) => `${t.role === 'user' ? 'caller' : 'agent'}: ${t.text.replace(/\s+/g, ' ').trim()}`);
    const text = room > 0 ? lastLinesWithin(lines, room) : '';
    if (text.length > 0) attributes[names.transcript] = text;
    if (text !== lines.join('\n')) problems.push(`${names.transcript}: only the most recent turns fit (${Math.max(0, room)} bytes)`);
  }
  return { attributes, problems };
}
