/**
 * What the AWS SDK threw, as a ConnectApiError. The SDK throws service exceptions named after the
 * Connect error shape (`ThrottlingException`, with `$metadata.httpStatusCode` and `$fault`), Node
 * socket errors (`code: 'ECONNREFUSED'`), `TimeoutError` from its HTTP handler, `AbortError`, and
 * `CredentialsProviderError` when the default chain finds nothing. Messages are the SDK's own; they
 * never include credentials (only the request we sent, which holds no secret).
 */
import { excerpt } from '../describe-error.js';
import { connectError, type ConnectApiError, type ConnectErrorCode } from './errors.js';

const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const ACCESS_NAMES: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
]);
const REJECTED_NAMES: ReadonlySet<string> = new Set(['InvalidParameterException', 'InvalidRequestException', 'InvalidActiveRegionException']);
/** Longest SDK message we repeat in ours. */
const MAX_MESSAGE = 200;

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown; attempts?: unknown };
}

export function classifySdkError(err: unknown): ConnectApiError {
  const e: SdkErrorShape = typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
  const name = excerpt(typeof e.name === 'string' ? e.name : 'Error', 64);
  const message = excerpt((typeof e.message === 'string' && e.message.length > 0 ? e.message : String(err)).split('\n')[0] ?? '', MAX_MESSAGE);
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const attempts = typeof e.$metadata?.attempts === 'number' ? e.$metadata.attempts : undefined;
  const sysCode = typeof e.code === 'string' ? e.code : undefined;

  let code: ConnectErrorCode;
  if (name === 'AbortError') code = 'CONNECT_ERR_ABORTED';
  else if (name === 'CredentialsProviderError') code = 'CONNECT_ERR_CREDENTIALS';
  else if (name === 'TimeoutError' || name === 'RequestTimeout' || name === 'RequestTimeoutException') code = 'CONNECT_ERR_TIMEOUT';
  else if (name === 'ThrottlingException' || name === 'TooManyRequestsException' || status === 429) code = 'CONNECT_ERR_THROTTLED';
  else if (name === 'ResourceNotFoundException') code = 'CONNECT_ERR_NOT_FOUND';
  else if (ACCESS_NAMES.has(name) || status === 401 || status === 403) code = 'CONNECT_ERR_ACCESS_DENIED';
  else if (REJECTED_NAMES.has(name)) code = 'CONNECT_ERR_REJECTED';
  else if (status !== undefined && status >= 500) code = 'CONNECT_ERR_SERVICE';
  else if (sysCode !== undefined && NETWORK_CODES.has(sysCode)) code = 'CONNECT_ERR_NETWORK';
  else if (status !== undefined && status >= 400) code = 'CONNECT_ERR_REJECTED';
  else code = 'CONNECT_ERR_UNKNOWN';

  const extra: Omit<ConnectApiError, 'code' | 'message' | 'retryable'> = {};
  if (status !== undefined) {
    extra.httpStatus = status;
    extra.awsErrorName = name;
  }
  if (attempts !== undefined) extra.attempts = attempts;
  const detail = sysCode !== undefined && !message.includes(sysCode) ? `${sysCode}: ${message}` : message;
  return connectError(code, status !== undefined ? `${name} (HTTP ${status}): ${detail}` : `${name}: ${detail}`, extra);
}
