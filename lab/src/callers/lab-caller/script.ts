/**
 * The caller's timeline: what to do, and when. `at` counts ms from the ACK of the 200 OK (the
 * default), or from the INVITE for the two actions that make sense before an answer (`cancel`, and
 * `options`, the out-of-dialog ping) — set `from: 'invite'` for those; cancel always counts from
 * the INVITE. Scripts arrive typed from TypeScript or untyped from YAML/CLI; parseLabScript()
 * checks the latter with the same rules.
 */
import { z } from 'zod';
import { OFFER_CODEC_NAMES, type OfferCodecName } from './codecs.js';
import { LabCallerError, LabCallerErrorCode } from './errors.js';
import { isDtmfDigit } from 'connect-realtime-gateway';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface EchoConfig {
  /** Echo level relative to the received audio, dB (e.g. -20). */
  gainDb: number;
  /** Acoustic path delay after the received packet arrived, ms (e.g. 40). */
  delayMs: number;
}

export type LabAction =
  /** Insert a WAV (8 kHz mono 16-bit) into the outgoing stream now. */
  | { speak: string; gainDb?: number }
  /** RFC 4733 events (negotiated PT) or SIP INFO application/dtmf-relay, one digit after another. */
  | { dtmf: string; durationMs?: number; gapMs?: number; via?: 'rfc4733' | 'info' }
  /** re-INVITE with a=sendonly. */
  | { hold: true }
  /** re-INVITE with a=sendrecv. */
  | { resume: true }
  | { bye: true }
  /** CANCEL the INVITE (sent once a provisional response has arrived, RFC 3261 §9.1). */
  | { cancel: true }
  /** Mix the received audio back into the outgoing stream like a handset's acoustic echo; false stops. */
  | { echo: EchoConfig | false }
  /** Expect the gateway to hang up within timeoutMs; if it does not, we send BYE. */
  | { waitForBye: { timeoutMs: number } }
  /** re-INVITE with a new offer (direction and codec list may change). */
  | { reinvite: { direction?: MediaDirection; codecs?: OfferCodecName[] } }
  /** Out-of-dialog OPTIONS ping to the target. */
  | { options: true }
  /** Arm a barge-in: speak `wav` once the agent has been talking for afterMs. */
  | { speakWhenAgentTalking: { afterMs: number; wav: string; thresholdDbov?: number; gainDb?: number } };

export interface TimelineEntry {
  at: number;
  action: LabAction;
  from?: 'invite' | 'answer';
}

export type LabScript = readonly TimelineEntry[];

export type ActionKind =
  | 'speak'
  | 'dtmf'
  | 'hold'
  | 'resume'
  | 'bye'
  | 'cancel'
  | 'echo'
  | 'waitForBye'
  | 'reinvite'
  | 'options'
  | 'speakWhenAgentTalking';

/** Longest timeline offset accepted, ms (one day: anything longer is a typo). */
export const MAX_AT_MS = 86_400_000;
/** DTMF digit length bounds, ms (RFC 4733 events below 40 ms are not reliably detected). */
export const DTMF_MIN_MS = 40;
export const DTMF_MAX_MS = 5_000;
export const DEFAULT_DTMF_MS = 100;
export const DEFAULT_DTMF_GAP_MS = 80;
/** Default level above which received audio counts as the agent talking, dBov. */
export const DEFAULT_TALK_THRESHOLD_DBOV = -45;

const ms = z.number().finite().min(0).max(MAX_AT_MS);
const gainDb = z.number().finite().min(-90).max(20);
const direction = z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

const actionSchema = z.union([
  z.strictObject({ speak: z.string().min(1), gainDb: gainDb.optional() }),
  z.strictObject({
    dtmf: z.string().min(1).max(64),
    durationMs: z.number().finite().min(DTMF_MIN_MS).max(DTMF_MAX_MS).optional(),
    gapMs: z.number().finite().min(0).max(DTMF_MAX_MS).optional(),
    via: z.enum(['rfc4733', 'info']).optional(),
  }),
  z.strictObject({ hold: z.literal(true) }),
  z.strictObject({ resume: z.literal(true) }),
  z.strictObject({ bye: z.literal(true) }),
  z.strictObject({ cancel: z.literal(true) }),
  z.strictObject({ echo: z.union([z.literal(false), z.strictObject({ gainDb, delayMs: z.number().finite().min(0).max(2_000) })]) }),
  z.strictObject({ waitForBye: z.strictObject({ timeoutMs: ms }) }),
  z.strictObject({
    reinvite: z.strictObject({ direction: direction.optional(), codecs: z.array(z.enum(OFFER_CODEC_NAMES as [OfferCodecName, ...OfferCodecName[]])).min(1).optional() }),
  }),
  z.strictObject({ options: z.literal(true) }),
  z.strictObject({
    speakWhenAgentTalking: z.strictObject({
      afterMs: ms,
      wav: z.string().min(1),
      thresholdDbov: z.number().finite().min(-127).max(0).optional(),
      gainDb: gainDb.optional(),
    }),
  }),
]);

const entrySchema = z.strictObject({ at: ms, action: actionSchema, from: z.enum(['invite', 'answer']).optional() });
const scriptSchema = z.array(entrySchema).max(10_000);

// Compile-time check: what the schema accepts is a LabScript.
type Parsed = z.infer<typeof scriptSchema>;
const _schemaMatchesType: (p: Parsed) => LabScript = (p) => p;
void _schemaMatchesType;

const ACTION_KINDS: readonly ActionKind[] = [
  'speak',
  'dtmf',
  'hold',
  'resume',
  'bye',
  'cancel',
  'echo',
  'waitForBye',
  'reinvite',
  'options',
  'speakWhenAgentTalking',
];

/** The action's kind: its one key naming an action (the others are that action's parameters). */
export function actionKind(a: LabAction): ActionKind {
  return ACTION_KINDS.find((k) => k in a) ?? 'speak';
}

/** Where an entry's `at` counts from. */
export function entryOrigin(e: TimelineEntry): 'invite' | 'answer' {
  if ('cancel' in e.action) return 'invite';
  return e.from ?? 'answer';
}

function badScript(i: number, why: string): LabCallerError {
  return new LabCallerError(LabCallerErrorCode.BAD_SCRIPT, `script[${i}]: ${why}`);
}

/** Checks an untyped script (YAML, JSON, CLI) and returns it typed. */
export function parseLabScript(input: unknown): LabScript {
  const r = scriptSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    throw new LabCallerError(LabCallerErrorCode.BAD_SCRIPT, `script.${where}: ${issue?.message ?? 'invalid'}`);
  }
  validateScript(r.data);
  return r.data;
}

/** The rules types cannot express: digits, where each action may stand, at most one cancel. */
export function validateScript(script: LabScript): void {
  let cancels = 0;
  script.forEach((e, i) => {
    if (!Number.isFinite(e.at) || e.at < 0 || e.at > MAX_AT_MS) throw badScript(i, `at ${e.at} not in 0..${MAX_AT_MS} ms`);
    const kinds = ACTION_KINDS.filter((k) => k in e.action);
    if (kinds.length !== 1) throw badScript(i, `an action names exactly one of ${ACTION_KINDS.join(', ')}; got ${kinds.join(', ') || 'none'}`);
    const kind = actionKind(e.action);
    const origin = entryOrigin(e);
    if (kind === 'cancel') {
      cancels++;
      if (e.from === 'answer') throw badScript(i, 'cancel counts from the INVITE');
    } else if (origin === 'invite' && kind !== 'options') {
      throw badScript(i, `${kind} needs an established call (from: answer)`);
    }
    const a = e.action;
    if ('dtmf' in a) {
      for (const d of a.dtmf) if (!isDtmfDigit(d)) throw badScript(i, `'${d}' is not a DTMF digit (0-9 * # A-D)`);
      const dur = a.durationMs ?? DEFAULT_DTMF_MS;
      if (dur < DTMF_MIN_MS || dur > DTMF_MAX_MS) throw badScript(i, `durationMs ${dur} not in ${DTMF_MIN_MS}..${DTMF_MAX_MS}`);
    }
    if ('echo' in a && a.echo !== false) {
      if (!(a.echo.delayMs >= 0 && a.echo.delayMs <= 2_000)) throw badScript(i, `echo.delayMs ${a.echo.delayMs} not in 0..2000`);
    }
    if ('waitForBye' in a && !(a.waitForBye.timeoutMs >= 0)) throw badScript(i, 'waitForBye.timeoutMs must be >= 0');
  });
  if (cancels > 1) throw new LabCallerError(LabCallerErrorCode.BAD_SCRIPT, 'script: at most one cancel');
}

/** WAV files the script refers to (loaded once before the call starts). */
export function scriptWavPaths(script: LabScript): string[] {
  const out = new Set<string>();
  for (const e of script) {
    const a = e.action;
    if ('speak' in a) out.add(a.speak);
    if ('speakWhenAgentTalking' in a) out.add(a.speakWhenAgentTalking.wav);
  }
  return [...out];
}
