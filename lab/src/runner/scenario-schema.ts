import { z } from 'zod';
import { baresipCallerSchema } from './caller-baresip-schema.js';
import { qualityLimitsSchema } from '../quality/thresholds.js';
import { checkSpecSchema } from './checks/registry.js';
import { scriptFileSchema } from '../fake-realtime/script.js';

/**
 * The scenario file format (`scenarios/<name>.yaml`). Strict: an unknown or misspelt key is an error
 * naming the field, so a typo never silently turns a check off.
 */

const impairmentSchema = z
  .object({
    loss: z.number().min(0).max(1).optional(),
    burst: z.object({ p: z.number().min(0).max(1), r: z.number().min(0).max(1) }).strict().optional(),
    dropIndices: z.array(z.number().int().min(0)).optional(),
    jitterMs: z.number().min(0).max(1000).optional(),
    reorder: z.number().min(0).max(1).optional(),
    reorderMs: z.number().min(0).max(1000).optional(),
    duplicate: z.number().min(0).max(1).optional(),
    skipFirst: z.number().int().min(0).optional(),
  })
  .strict();

const sippCallerSchema = z
  .object({
    tool: z.literal('sipp'),
    /** lab/sipp/<script>.xml */
    script: z.string().regex(/^[a-z0-9-]+$/, 'script must be a file name under lab/sipp/ without .xml'),
    /** WAV (8 kHz mono 16-bit) the caller speaks after the ACK, relative to the repository root. */
    audio: z.string().min(1).optional(),
    /** Extra {{PLACEHOLDER}} values for the script (e.g. EXPECT_STATUS). */
    vars: z.record(z.string().regex(/^[A-Z_]+$/, 'vars keys are UPPER_CASE placeholder names'), z.string()).default({}),
    codec: z.enum(['PCMU', 'PCMA']).default('PCMU'),
    /** SIP transport. TCP calls go to the gateway directly (the lab tap relays UDP only). */
    transport: z.enum(['udp', 'tcp']).default('udp'),
    /** Extra SIPp command-line arguments (e.g. credentials: ["-au", "user", "-ap", "secret"]). */
    sippArgs: z.array(z.string()).default([]),
    /** Offered payload types in order (default: the codec first, then the other). */
    offer: z.array(z.enum(['PCMU', 'PCMA', 'G729', 'GSM'])).optional(),
    /** Silence before the utterance starts, ms. */
    leadInMs: z.number().int().min(0).max(10_000).default(200),
    /** More utterances at given times (ms after the call is answered), e.g. to talk over the agent. */
    utterances: z.array(z.object({ atMs: z.number().int().min(0), audio: z.string().min(1) }).strict()).default([]),
    /** RFC 4733 key presses at given times. */
    dtmf: z
      .array(z.object({ atMs: z.number().int().min(0), digits: z.string().regex(/^[0-9*#A-D]{1,32}$/), durationMs: z.number().int().min(40).max(2000).default(100) }).strict())
      .default([]),
    /** How long the caller stays on the line after the ACK before sending BYE, ms. */
    hangupAfterMs: z.number().int().min(0).max(600_000),
    /** Length of the caller's RTP stream, ms (default: until 400 ms before its BYE). */
    streamMs: z.number().int().min(0).max(600_000).optional(),
    fromUser: z.string().default('+15550100'),
    toUser: z.string().default('+15550199'),
    /** Extra INVITE headers (Connect context). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Expected SIPp exit code (0 = every step of the script passed). */
    expectExit: z.number().int().default(0),
  })
  .strict();

const labCallerSchema = z
  .object({
    tool: z.literal('lab'),
    transport: z.enum(['udp', 'tcp', 'tls']).default('udp'),
    /** SDES-SRTP (RFC 4568) offer; the gateway is then run with SRTP=required. */
    srtp: z.enum(['off', 'sdes']).default('off'),
    /** Spoken at `leadInMs` after the call is answered. */
    audio: z.string().min(1).optional(),
    leadInMs: z.number().int().min(0).max(10_000).default(200),
    /** The caller hangs up this long after the answer, ms. */
    hangupAfterMs: z.number().int().min(0).max(600_000),
    fromUser: z.string().default('+15550100'),
    toUser: z.string().default('+15550199'),
    headers: z.record(z.string(), z.string()).default({}),
    /** More timeline actions for the lab caller (lab/src/callers/lab-caller/script.ts). */
    actions: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .strict();


export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/, 'name must be lower-case words joined by -'),
    description: z.string().min(1),
    caller: z.discriminatedUnion('tool', [sippCallerSchema, labCallerSchema, baresipCallerSchema]),
    /** The fake Realtime server's script, validated by the fake's own schema (lab/src/fake-realtime/script.ts). */
    realtime: scriptFileSchema,
    /** Extra gateway environment (on top of the lab's loopback defaults). */
    gateway: z.object({ env: z.record(z.string(), z.string()).default({}) }).strict().default({ env: {} }),
    network: z
      .object({
        seed: z.number().int().default(1),
        toGateway: impairmentSchema.optional(),
        toCaller: impairmentSchema.optional(),
        /** The caller's side leaks what it hears back into what it sends (handset/hybrid echo). */
        echo: z.object({ gainDb: z.number().min(-60).max(0), delayMs: z.number().min(0).max(500) }).strict().optional(),
      })
      .strict()
      .default({ seed: 1 }),
    /** The lab's fake Amazon Connect API (UpdateContactAttributes); failures to inject. */
    connect: z
      .object({ internalErrors: z.number().int().min(0).optional(), throttles: z.number().int().min(0).optional(), delayMs: z.number().int().min(0).optional() })
      .strict()
      .default({}),
    /** Audio-quality limits, per direction or for both (lab/src/quality/thresholds.ts). */
    quality: qualityLimitsSchema.optional(),
    /** Upper bound for the whole run, seconds. */
    timeoutS: z.number().positive().max(600).default(60),
    expect: z.array(checkSpecSchema).min(1),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type { CheckSpec } from './checks/define.js';
export type ImpairmentSpec = z.infer<typeof impairmentSchema>;
export type SippCaller = z.infer<typeof sippCallerSchema>;
export type LabCallerSpec = z.infer<typeof labCallerSchema>;
