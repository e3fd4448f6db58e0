/**
 * Errors of the connect layer (the Amazon Connect API we call to hand a contact back). Nothing here is
 * thrown: a failed write is a value, `{ ok: false, error }`, because the call goes on to its BYE
 * whatever Connect answered. Codes are stable strings for logs, counters and call-end reports.
 */
import { err, type Result } from '../result.js';

export type ConnectErrorCode =
  /** Attributes, instance id or contact id break a Connect API limit; nothing was sent. */
  | 'CONNECT_ERR_INVALID_REQUEST'
  /** No contact id, or no region: nothing was sent. */
  | 'CONNECT_ERR_NO_TARGET'
  /** AMAZON_CONNECT_INSTANCE_ID is not set: hand-back writes are disabled, nothing was sent. */
  | 'CONNECT_ERR_NOT_CONFIGURED'
  /** The INVITE named an instance, region or account outside the configuration, or a malformed ARN or contact id: nothing was sent. */
  | 'CONNECT_ERR_REFUSED'
  /** 429 / ThrottlingException on the last attempt. */
  | 'CONNECT_ERR_THROTTLED'
  /** 5xx / InternalServiceException on the last attempt. */
  | 'CONNECT_ERR_SERVICE'
  /** InvalidParameterException, InvalidRequestException, InvalidActiveRegionException: Connect said no. */
  | 'CONNECT_ERR_REJECTED'
  /** ResourceNotFoundException: unknown instance or contact. */
  | 'CONNECT_ERR_NOT_FOUND'
  /** 401/403, bad signature, missing permission (connect:UpdateContactAttributes). */
  | 'CONNECT_ERR_ACCESS_DENIED'
  /** The SDK's credential chain found no credentials. */
  | 'CONNECT_ERR_CREDENTIALS'
  /** Connection refused/reset, DNS, socket errors on the last attempt. */
  | 'CONNECT_ERR_NETWORK'
  /** An attempt outlived its timeout, or the overall deadline passed. */
  | 'CONNECT_ERR_TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'CONNECT_ERR_ABORTED'
  /** Anything the SDK threw that none of the above describes. */
  | 'CONNECT_ERR_UNKNOWN';

export interface ConnectApiError {
  code: ConnectErrorCode;
  /** One line for logs. Never contains credentials or attribute values. */
  message: string;
  /** Whether the same request could succeed later (the attempts we were allowed are spent). */
  retryable: boolean;
  /** The AWS error name when the service answered (e.g. 'ThrottlingException'). */
  awsErrorName?: string;
  httpStatus?: number;
  /** HTTP attempts made, when any request went out. */
  attempts?: number;
}

/** A write's outcome: how many HTTP attempts the SDK made, or the classified error. */
export type ConnectResult = Result<{ attempts: number }, ConnectApiError>;

/** Retryable by nature of the code, for errors built before or without a service answer. */
const RETRYABLE: Readonly<Record<ConnectErrorCode, boolean>> = {
  CONNECT_ERR_INVALID_REQUEST: false,
  CONNECT_ERR_NO_TARGET: false,
  CONNECT_ERR_NOT_CONFIGURED: false,
  CONNECT_ERR_REFUSED: false,
  CONNECT_ERR_THROTTLED: true,
  CONNECT_ERR_SERVICE: true,
  CONNECT_ERR_REJECTED: false,
  CONNECT_ERR_NOT_FOUND: false,
  CONNECT_ERR_ACCESS_DENIED: false,
  CONNECT_ERR_CREDENTIALS: false,
  CONNECT_ERR_NETWORK: true,
  CONNECT_ERR_TIMEOUT: true,
  CONNECT_ERR_ABORTED: false,
  CONNECT_ERR_UNKNOWN: false,
};

export const CONNECT_ERROR_CODES = Object.freeze(Object.keys(RETRYABLE) as ConnectErrorCode[]);

export function connectError(code: ConnectErrorCode, message: string, extra: Omit<ConnectApiError, 'code' | 'message' | 'retryable'> = {}): ConnectApiError {
  return { code, message, retryable: RETRYABLE[code], ...extra };
}

export function connectFailure(code: ConnectErrorCode, message: string, extra: Omit<ConnectApiError, 'code' | 'message' | 'retryable'> = {}): ConnectResult {
  return err(connectError(code, message, extra));
}
