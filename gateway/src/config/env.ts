import { isIP } from 'node:net';
import { z } from 'zod';
import { isCidr } from './cidr.js';
import { DEFAULT_REALTIME_STREAM_LIMITS } from '../realtime/backend.js';
import {
  CHIME_VOICE_CONNECTOR_SIGNALLING_CIDRS,
  DEFAULT_ECHO_GUARD_MARGIN_DB,
  DEFAULT_ECHO_GUARD_TAIL_MS,
  DEFAULT_INVITE_BURST,
  DEFAULT_INVITE_RATE_PER_S,
  DEFAULT_JITTER_MAX_MS,
  DEFAULT_JITTER_MIN_MS,
  DEFAULT_MIN_SE_S,
  DEFAULT_RTP_INACTIVITY_MS,
  DEFAULT_RTP_FIRST_PACKET_TIMEOUT_MS,
  DEFAULT_SESSION_EXPIRES_S,
  DEFAULT_MAX_CALLS,
  DEFAULT_OPENAI_BASE_URL,
  DEFAULT_OPENAI_MODEL,
  DEFAULT_REALTIME_APPEND_MS,
  DEFAULT_REALTIME_CONNECT_TIMEOUT_MS,
  DEFAULT_AGENT_AUDIO_MAX_QUEUED_MS,
  DEFAULT_RTP_PORT_MAX,
  DEFAULT_RTP_PORT_MIN,
  DEFAULT_SIP_PORT,
  DEFAULT_SIP_TLS_PORT,
  DEFAULT_DRAIN_TIMEOUT_S,
  DEFAULT_HELPER_THREAD_NICE,
  DEFAULT_HTTP_PORT,
  DEFAULT_RECORDS_PATH,
  DEFAULT_RECORDS_RETENTION_DAYS,
  DEFAULT_RECORDING_MAX_DURATION_S,
  DEFAULT_RECORDING_RETENTION_DAYS,
  DEFAULT_RECORDINGS_MAX_TOTAL_MB,
} from './defaults.js';
import { checkSipHardening, sipHardeningSchema } from './sip-hardening.js';

/**
 * The gateway's configuration, read from the environment once at start-up. Each variable is
 * documented in README.md ("Configuration"); a bad value stops the process with one line naming it.
 */

const port = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int(`${name} must be an integer`)
    .min(0, `${name} must be 0..65535`)
    .max(65535, `${name} must be 0..65535`);

const positiveInt = (name: string) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be an integer`).positive(`${name} must be > 0`);

const ipAddress = (name: string) =>
  z.string().refine((v) => isIP(v) !== 0, { message: `${name} must be an IPv4 or IPv6 address` });

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z
  .object({
    AMAZON_CONNECT_SIP_HOST: ipAddress('AMAZON_CONNECT_SIP_HOST').default('0.0.0.0'),
    AMAZON_CONNECT_SIP_PORT: port('AMAZON_CONNECT_SIP_PORT').default(DEFAULT_SIP_PORT),
    AMAZON_CONNECT_SIP_DOMAIN: z.string().min(1).optional(),
    AMAZON_CONNECT_SIP_USERNAME: z
      .string()
      .regex(/^[A-Za-z0-9._~+-]+$/, 'AMAZON_CONNECT_SIP_USERNAME must be a SIP user part (letters, digits, . _ ~ + -)')
      .default('ai-agent'),
    AMAZON_CONNECT_SIP_PASSWORD: z.string().min(8, 'AMAZON_CONNECT_SIP_PASSWORD must be at least 8 characters').optional(),
    SIP_AUTH_ALGORITHMS: z
      .string()
      .default('SHA-256,MD5')
      .transform((v) => list(v).map((a) => a.toUpperCase()))
      .pipe(z.array(z.enum(['SHA-256', 'MD5'], { error: 'SIP_AUTH_ALGORITHMS entries must be SHA-256 or MD5' })).min(1)),
    SIP_TRANSPORTS: z
      .string()
      .default('udp,tcp')
      .transform((v) => list(v).map((t) => t.toLowerCase()))
      .pipe(z.array(z.enum(['udp', 'tcp', 'tls'], { error: 'SIP_TRANSPORTS entries must be udp, tcp or tls' })).min(1)),
    SIP_TLS_PORT: port('SIP_TLS_PORT').default(DEFAULT_SIP_TLS_PORT),
    SIP_TLS_CERT_FILE: z.string().min(1).optional(),
    SIP_TLS_KEY_FILE: z.string().min(1).optional(),
    SIP_TLS_CA_FILE: z.string().min(1).optional(),
    SIP_ALLOW_FROM: z
      .string()
      .optional()
      .transform((v) => (v === undefined ? Object.values(CHIME_VOICE_CONNECTOR_SIGNALLING_CIDRS) : v.trim() === 'any' ? [] : list(v)))
      .refine((cidrs) => cidrs.every(isCidr), { message: 'SIP_ALLOW_FROM must be "any" or a comma list of CIDRs' }),
    SIP_MAX_CALLS: positiveInt('SIP_MAX_CALLS').default(DEFAULT_MAX_CALLS),
    SIP_INVITE_RATE: positiveInt('SIP_INVITE_RATE').default(DEFAULT_INVITE_RATE_PER_S),
    SIP_INVITE_BURST: positiveInt('SIP_INVITE_BURST').default(DEFAULT_INVITE_BURST),
    ...sipHardeningSchema,
    SIP_SESSION_EXPIRES_S: positiveInt('SIP_SESSION_EXPIRES_S').min(90, 'SIP_SESSION_EXPIRES_S must be >= 90 (RFC 4028)').default(DEFAULT_SESSION_EXPIRES_S),
    SIP_MIN_SE_S: positiveInt('SIP_MIN_SE_S').min(90, 'SIP_MIN_SE_S must be >= 90 (RFC 4028)').default(DEFAULT_MIN_SE_S),
    PUBLIC_IP: ipAddress('PUBLIC_IP').optional(),
    RTP_HOST: ipAddress('RTP_HOST').optional(),
    RTP_PORT_MIN: port('RTP_PORT_MIN').default(DEFAULT_RTP_PORT_MIN),
    RTP_PORT_MAX: port('RTP_PORT_MAX').default(DEFAULT_RTP_PORT_MAX),
    SRTP: z.enum(['off', 'optional', 'required'], { error: 'SRTP must be off, optional or required' }).default('optional'),
    JITTER_MIN_MS: positiveInt('JITTER_MIN_MS').max(1000, 'JITTER_MIN_MS must be <= 1000').default(DEFAULT_JITTER_MIN_MS),
    JITTER_MAX_MS: positiveInt('JITTER_MAX_MS').max(2000, 'JITTER_MAX_MS must be <= 2000').default(DEFAULT_JITTER_MAX_MS),
    RTP_INACTIVITY_MS: z.coerce
      .number({ error: 'RTP_INACTIVITY_MS must be a number' })
      .int('RTP_INACTIVITY_MS must be an integer')
      .min(0, 'RTP_INACTIVITY_MS must be >= 0 (0 disables)')
      .default(DEFAULT_RTP_INACTIVITY_MS),
    RTP_SOURCE_POLICY: z.enum(['strict', 'learn'], { error: 'RTP_SOURCE_POLICY must be strict or learn' }).default('strict'),
    RTP_FIRST_PACKET_TIMEOUT_MS: z.coerce
      .number({ error: 'RTP_FIRST_PACKET_TIMEOUT_MS must be a number' })
      .int('RTP_FIRST_PACKET_TIMEOUT_MS must be an integer')
      .min(0, 'RTP_FIRST_PACKET_TIMEOUT_MS must be >= 0 (0 disables)')
      .max(60_000, 'RTP_FIRST_PACKET_TIMEOUT_MS must be <= 60000')
      .default(DEFAULT_RTP_FIRST_PACKET_TIMEOUT_MS),
    ECHO_GUARD_MARGIN_DB: z.coerce
      .number({ error: 'ECHO_GUARD_MARGIN_DB must be a number' })
      .min(0, 'ECHO_GUARD_MARGIN_DB must be >= 0 (0 disables)')
      .max(60, 'ECHO_GUARD_MARGIN_DB must be <= 60')
      .default(DEFAULT_ECHO_GUARD_MARGIN_DB),
    ECHO_GUARD_TAIL_MS: positiveInt('ECHO_GUARD_TAIL_MS').min(20, 'ECHO_GUARD_TAIL_MS must be >= 20').max(2000, 'ECHO_GUARD_TAIL_MS must be <= 2000').default(DEFAULT_ECHO_GUARD_TAIL_MS),
    CODECS: z
      .string()
      .default('PCMU,PCMA')
      .transform((v) => list(v).map((c) => c.toUpperCase()))
      .pipe(z.array(z.enum(['PCMU', 'PCMA'], { error: 'CODECS entries must be PCMU or PCMA' })).min(1)),
    REALTIME_PROVIDER: z.enum(['openai', 'agents-sdk'], { error: 'REALTIME_PROVIDER must be openai or agents-sdk' }).default('openai'),
    AGENTS_SDK_MODULE: z.string().min(1).optional(),
    OPENAI_API_KEY: z.string().min(1).optional(),
    OPENAI_BASE_URL: z.url({ error: 'OPENAI_BASE_URL must be a URL such as https://api.openai.com/v1' }).default(DEFAULT_OPENAI_BASE_URL),
    OPENAI_VOICE_MODEL: z.string().min(1).default(DEFAULT_OPENAI_MODEL),
    REALTIME_CONNECT_TIMEOUT_MS: positiveInt('REALTIME_CONNECT_TIMEOUT_MS').default(DEFAULT_REALTIME_CONNECT_TIMEOUT_MS),
    REALTIME_MAX_TRANSCRIPT_ITEM_CHARS: positiveInt('REALTIME_MAX_TRANSCRIPT_ITEM_CHARS')
      .max(1_048_576, 'REALTIME_MAX_TRANSCRIPT_ITEM_CHARS must be <= 1048576')
      .default(DEFAULT_REALTIME_STREAM_LIMITS.maxTranscriptItemChars),
    REALTIME_MAX_TRANSCRIPT_CALL_CHARS: positiveInt('REALTIME_MAX_TRANSCRIPT_CALL_CHARS')
      .max(16_777_216, 'REALTIME_MAX_TRANSCRIPT_CALL_CHARS must be <= 16777216')
      .default(DEFAULT_REALTIME_STREAM_LIMITS.maxTranscriptCallChars),
    REALTIME_APPEND_MS: z
      .union(
        [
          z.literal('auto'),
          z.coerce
            .number({ error: 'REALTIME_APPEND_MS must be auto or a number of ms' })
            .int('REALTIME_APPEND_MS must be an integer')
            .positive('REALTIME_APPEND_MS must be > 0')
            .min(20, 'REALTIME_APPEND_MS must be >= 20')
            .max(200, 'REALTIME_APPEND_MS must be <= 200')
            .refine((v) => v % 20 === 0, { message: 'REALTIME_APPEND_MS must be a multiple of 20 (one RTP frame)' }),
        ],
        { error: 'REALTIME_APPEND_MS must be auto or a number of ms' },
      )
      .default(DEFAULT_REALTIME_APPEND_MS),
    REALTIME_MAX_RECONNECTS: z.coerce
      .number({ error: 'REALTIME_MAX_RECONNECTS must be a number' })
      .int('REALTIME_MAX_RECONNECTS must be an integer')
      .min(0, 'REALTIME_MAX_RECONNECTS must be >= 0 (0: a lost socket ends the AI session)')
      .max(100, 'REALTIME_MAX_RECONNECTS must be <= 100')
      .default(DEFAULT_REALTIME_STREAM_LIMITS.maxReconnects),
    AGENT_AUDIO_MAX_QUEUED_MS: positiveInt('AGENT_AUDIO_MAX_QUEUED_MS')
      .min(1_000, 'AGENT_AUDIO_MAX_QUEUED_MS must be >= 1000')
      .max(600_000, 'AGENT_AUDIO_MAX_QUEUED_MS must be <= 600000')
      .default(DEFAULT_AGENT_AUDIO_MAX_QUEUED_MS),
    HTTP_HOST: ipAddress('HTTP_HOST').default('0.0.0.0'),
    HTTP_PORT: port('HTTP_PORT').default(DEFAULT_HTTP_PORT),
    HTTP_API_TOKEN: z
      .string()
      .min(16, 'HTTP_API_TOKEN must be at least 16 characters')
      .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'HTTP_API_TOKEN must be a bearer token (letters, digits, - . _ ~ + /)')
      .optional(),
    CALLBACK_SECRET: z.string().min(32, 'CALLBACK_SECRET must be at least 32 characters').optional(),
    RECORDS_PATH: z.string().min(1).default(DEFAULT_RECORDS_PATH),
    RECORDS_RETENTION_DAYS: z.coerce
      .number({ error: 'RECORDS_RETENTION_DAYS must be a number' })
      .int('RECORDS_RETENTION_DAYS must be an integer')
      .min(0, 'RECORDS_RETENTION_DAYS must be >= 0 (0 keeps records forever)')
      .max(36_500, 'RECORDS_RETENTION_DAYS must be <= 36500')
      .default(DEFAULT_RECORDS_RETENTION_DAYS),
    // Call recordings (agent file `recording.enabled`): where, for how long, how much.
    RECORDINGS_DIR: z.string().min(1, 'RECORDINGS_DIR must not be empty').max(1_024, 'RECORDINGS_DIR must be at most 1024 characters').optional(),
    RECORDING_RETENTION_DAYS: z.coerce
      .number({ error: 'RECORDING_RETENTION_DAYS must be a number' })
      .int('RECORDING_RETENTION_DAYS must be an integer')
      .min(0, 'RECORDING_RETENTION_DAYS must be >= 0 (0 keeps recordings forever)')
      .max(36_500, 'RECORDING_RETENTION_DAYS must be <= 36500')
      .default(DEFAULT_RECORDING_RETENTION_DAYS),
    RECORDING_MAX_DURATION_S: z.coerce
      .number({ error: 'RECORDING_MAX_DURATION_S must be a number' })
      .int('RECORDING_MAX_DURATION_S must be an integer')
      .min(10, 'RECORDING_MAX_DURATION_S must be >= 10')
      .max(86_400, 'RECORDING_MAX_DURATION_S must be <= 86400')
      .default(DEFAULT_RECORDING_MAX_DURATION_S),
    RECORDINGS_MAX_TOTAL_MB: z.coerce
      .number({ error: 'RECORDINGS_MAX_TOTAL_MB must be a number' })
      .int('RECORDINGS_MAX_TOTAL_MB must be an integer')
      .min(0, 'RECORDINGS_MAX_TOTAL_MB must be >= 0 (0: no budget)')
      .max(100_000_000, 'RECORDINGS_MAX_TOTAL_MB must be <= 100000000')
      .default(DEFAULT_RECORDINGS_MAX_TOTAL_MB),
    DRAIN_TIMEOUT_S: z.coerce
      .number({ error: 'DRAIN_TIMEOUT_S must be a number' })
      .int('DRAIN_TIMEOUT_S must be an integer')
      .min(0, 'DRAIN_TIMEOUT_S must be >= 0')
      .max(86_400, 'DRAIN_TIMEOUT_S must be <= 86400')
      .default(DEFAULT_DRAIN_TIMEOUT_S),
    HELPER_THREAD_NICE: z.coerce
      .number({ error: 'HELPER_THREAD_NICE must be a number' })
      .int('HELPER_THREAD_NICE must be an integer')
      .min(0, 'HELPER_THREAD_NICE must be >= 0 (helpers never run ahead of the event loop)')
      .max(19, 'HELPER_THREAD_NICE must be <= 19')
      .default(DEFAULT_HELPER_THREAD_NICE),
    LOG_LEVEL: z.enum(logLevels, { error: `LOG_LEVEL must be one of ${logLevels.join(', ')}` }).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.RTP_PORT_MIN > env.RTP_PORT_MAX) {
      ctx.addIssue({ code: 'custom', path: ['RTP_PORT_MIN'], message: 'RTP_PORT_MIN must not exceed RTP_PORT_MAX' });
    }
    if (env.JITTER_MIN_MS > env.JITTER_MAX_MS) {
      ctx.addIssue({ code: 'custom', path: ['JITTER_MIN_MS'], message: 'JITTER_MIN_MS must not exceed JITTER_MAX_MS' });
    }
    if (env.SIP_MIN_SE_S > env.SIP_SESSION_EXPIRES_S) {
      ctx.addIssue({ code: 'custom', path: ['SIP_MIN_SE_S'], message: 'SIP_MIN_SE_S must not exceed SIP_SESSION_EXPIRES_S' });
    }
    if (env.RTP_PORT_MAX - env.RTP_PORT_MIN < 3) {
      ctx.addIssue({ code: 'custom', path: ['RTP_PORT_MAX'], message: 'RTP port range must hold at least two even/odd port pairs' });
    }
    if (env.SIP_TRANSPORTS.includes('tls') && (!env.SIP_TLS_CERT_FILE || !env.SIP_TLS_KEY_FILE)) {
      ctx.addIssue({ code: 'custom', path: ['SIP_TLS_CERT_FILE'], message: 'SIP_TRANSPORTS includes tls: SIP_TLS_CERT_FILE and SIP_TLS_KEY_FILE are required' });
    }
    checkSipHardening(env, ctx);
    if (env.REALTIME_PROVIDER === 'agents-sdk' && !env.AGENTS_SDK_MODULE) {
      ctx.addIssue({ code: 'custom', path: ['AGENTS_SDK_MODULE'], message: 'REALTIME_PROVIDER=agents-sdk needs AGENTS_SDK_MODULE (a module exporting a RealtimeAgent)' });
    }
    if (!env.OPENAI_API_KEY && !isLoopbackUrl(env.OPENAI_BASE_URL)) {
      ctx.addIssue({ code: 'custom', path: ['OPENAI_API_KEY'], message: 'OPENAI_API_KEY is required (only a loopback OPENAI_BASE_URL, such as the lab fake, may omit it)' });
    }
  });

function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false; // reported by the URL rule itself
  }
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_ERR_INVALID' as const;
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = new.target.name;
  }
}

/** Validates the environment; throws ConfigError listing every bad variable, each on its own. */
export function parseEnv(env: NodeJS.ProcessEnv): Env {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const result = envSchema.safeParse(relevant);
  if (result.success) return result.data;
  // Cross-field rules are only worth reading once every field is valid on its own.
  const fieldIssues = result.error.issues.filter((issue) => issue.code !== 'custom');
  const problems = (fieldIssues.length > 0 ? fieldIssues : result.error.issues).map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    return issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}
