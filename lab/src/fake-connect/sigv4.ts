/**
 * AWS Signature Version 4 `Authorization` header, read for its shape only. The fake checks that a
 * request was signed the way the SDK signs (algorithm, credential scope, signed headers, a 64-hex
 * signature); it cannot check the signature itself, having no secret key, and does not try.
 *
 *   AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/connect/aws4_request,
 *     SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7
 */

export interface SigV4Authorization {
  accessKeyId: string;
  /** YYYYMMDD of the credential scope. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
}

export type SigV4ParseResult = { ok: true; auth: SigV4Authorization } | { ok: false; reason: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const CREDENTIAL = /^([^/\s]{1,128})\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request$/;
const SIGNED_HEADERS = /^[a-z0-9-]+(?:;[a-z0-9-]+)*$/;
const SIGNATURE = /^[0-9a-f]{64}$/;

export function parseSigV4Authorization(header: string): SigV4ParseResult {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) return { ok: false, reason: `Authorization must start with ${ALGORITHM}` };
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { ok: false, reason: `Authorization component without '=': ${part.trim().slice(0, 40)}` };
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = CREDENTIAL.exec(fields.get('Credential') ?? '');
  if (credential === null) return { ok: false, reason: 'Credential must be <access key id>/<yyyymmdd>/<region>/<service>/aws4_request' };
  const signedHeaders = fields.get('SignedHeaders') ?? '';
  if (!SIGNED_HEADERS.test(signedHeaders)) return { ok: false, reason: 'SignedHeaders must be a ;-separated list of lower-case header names' };
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return { ok: false, reason: 'SignedHeaders must include host' };
  if (!SIGNATURE.test(fields.get('Signature') ?? '')) return { ok: false, reason: 'Signature must be 64 lower-case hex digits' };
  const [, accessKeyId = '', date = '', region = '', service = ''] = credential;
  return { ok: true, auth: { accessKeyId, date, region, service, signedHeaders: names } };
}
