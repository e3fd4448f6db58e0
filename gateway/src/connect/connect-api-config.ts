/**
 * Where and how we call the Amazon Connect API, read from the environment once at start-up:
 *
 *   AWS_REGION                          region of the Connect instance (else the contact ARN's region)
 *   AMAZON_CONNECT_ENDPOINT             endpoint override, e.g. http://127.0.0.1:8090 (the lab's fake)
 *   AMAZON_CONNECT_INSTANCE_ID          the instances hand-back may write to: comma list of instance ids or
 *                                       instance ARNs (an ARN also pins region and account); unset: hand-back
 *                                       writes are disabled (hand-back-target.ts says why)
 *   AMAZON_CONNECT_MAX_ATTEMPTS         HTTP attempts per write, retries included (default 3)
 *   AMAZON_CONNECT_ATTEMPT_TIMEOUT_MS   per-attempt socket timeout (default 1500)
 *   AMAZON_CONNECT_TIMEOUT_MS           deadline for the whole write, backoff included (default 4000)
 *
 * Credentials are not configured here: the SDK's default provider chain finds them (environment
 * variables, shared config, web identity, ECS/EC2 roles), so no secret passes through our config.
 */
import { err, ok, type Result } from '../result.js';
import { MAX_INSTANCE_ID_LENGTH } from './attribute-limits.js';

export const DEFAULT_CONNECT_MAX_ATTEMPTS = 3;
export const DEFAULT_CONNECT_ATTEMPT_TIMEOUT_MS = 1_500;
export const DEFAULT_CONNECT_TIMEOUT_MS = 4_000;
/** Ceilings that keep a misconfiguration from holding a call's BYE for minutes. */
export const MAX_CONNECT_ATTEMPTS = 10;
export const MAX_CONNECT_TIMEOUT_MS = 30_000;

/** One instance hand-back may write to; region and account are pinned when it was given as an ARN. */
export interface AllowedConnectInstance {
  instanceId: string;
  region?: string;
  account?: string;
}

/** More would be a list nobody reviews; an operator with more instances runs more gateways. */
export const MAX_CONNECT_INSTANCES = 16;

export interface ConnectApiConfig {
  region?: string;
  endpoint?: string;
  /** Empty: no instance configured, hand-back writes disabled. */
  instances: AllowedConnectInstance[];
  maxAttempts: number;
  attemptTimeoutMs: number;
  totalTimeoutMs: number;
}

export type ConnectApiConfigResult = Result<ConnectApiConfig, string[]>;

/** us-east-1, eu-central-1, us-gov-west-1, cn-north-1, ap-southeast-5 ... */
export const AWS_REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
/** arn:<partition>:connect:<region>:<account>:instance/<instance-id>[/…] (same shape context.ts reads). */
export const CONNECT_INSTANCE_ARN = /^arn:aws(?:-[a-z]+)*:connect:([a-z0-9-]+):([0-9]{12}):instance\/([^/\s]+)(?:\/.*)?$/;

export function readConnectApiConfig(env: Readonly<Record<string, string | undefined>>): ConnectApiConfigResult {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const config: ConnectApiConfig = {
    maxAttempts: int(value('AMAZON_CONNECT_MAX_ATTEMPTS'), 'AMAZON_CONNECT_MAX_ATTEMPTS', DEFAULT_CONNECT_MAX_ATTEMPTS, 1, MAX_CONNECT_ATTEMPTS, problems),
    attemptTimeoutMs: int(value('AMAZON_CONNECT_ATTEMPT_TIMEOUT_MS'), 'AMAZON_CONNECT_ATTEMPT_TIMEOUT_MS', DEFAULT_CONNECT_ATTEMPT_TIMEOUT_MS, 50, MAX_CONNECT_TIMEOUT_MS, problems),
    totalTimeoutMs: int(value('AMAZON_CONNECT_TIMEOUT_MS'), 'AMAZON_CONNECT_TIMEOUT_MS', DEFAULT_CONNECT_TIMEOUT_MS, 50, MAX_CONNECT_TIMEOUT_MS, problems),
    instances: [],
  };
  const region = value('AWS_REGION');
  if (region !== undefined) {
    if (AWS_REGION_PATTERN.test(region)) config.region = region;
    else problems.push(`AWS_REGION: must be a region name such as us-east-1, got ${JSON.stringify(region.slice(0, 40))}`);
  }
  const endpoint = value('AMAZON_CONNECT_ENDPOINT');
  if (endpoint !== undefined) {
    if (isHttpUrl(endpoint)) config.endpoint = endpoint;
    else problems.push('AMAZON_CONNECT_ENDPOINT: must be an http:// or https:// URL');
  }
  const instances = value('AMAZON_CONNECT_INSTANCE_ID');
  if (instances !== undefined) config.instances = readInstances(instances, problems);
  return problems.length === 0 ? ok(config) : err(problems);
}

function readInstances(text: string, problems: string[]): AllowedConnectInstance[] {
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length > MAX_CONNECT_INSTANCES) {
    problems.push(`AMAZON_CONNECT_INSTANCE_ID: at most ${MAX_CONNECT_INSTANCES} instances, got ${entries.length}`);
    return [];
  }
  const instances: AllowedConnectInstance[] = [];
  for (const entry of entries) {
    const arn = CONNECT_INSTANCE_ARN.exec(entry);
    if (arn !== null && AWS_REGION_PATTERN.test(arn[1] as string)) {
      instances.push({ instanceId: arn[3] as string, region: arn[1] as string, account: arn[2] as string });
    } else if (entry.length <= MAX_INSTANCE_ID_LENGTH && /^[A-Za-z0-9-]+$/.test(entry)) {
      instances.push({ instanceId: entry });
    } else {
      problems.push(
        `AMAZON_CONNECT_INSTANCE_ID: ${JSON.stringify(entry.slice(0, 80))} is neither an instance id (1..${MAX_INSTANCE_ID_LENGTH} letters, digits, '-') nor an instance ARN (arn:aws:connect:<region>:<account>:instance/<id>)`,
      );
    }
  }
  return instances;
}

function int(text: string | undefined, name: string, dflt: number, min: number, max: number, problems: string[]): number {
  if (text === undefined) return dflt;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    problems.push(`${name}: must be an integer ${min}..${max}, got ${JSON.stringify(text.slice(0, 20))}`);
    return dflt;
  }
  return n;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
