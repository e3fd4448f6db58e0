/**
 * Errors of the lab caller. Only local mistakes throw (bad options, a bad script, a WAV that cannot
 * be read, a socket that cannot be bound or connected); anything the far end sends is recorded in
 * the result instead, because a test tool that crashes on the bug it is hunting is useless.
 */
export const LabCallerErrorCode = {
  /** An option is out of range or names a non-loopback address. */
  BAD_OPTION: 'LAB_CALLER_ERR_BAD_OPTION',
  /** A timeline entry is malformed or not allowed where it stands. */
  BAD_SCRIPT: 'LAB_CALLER_ERR_BAD_SCRIPT',
  /** A speak WAV is missing, not 8 kHz mono 16-bit, or unreadable. */
  BAD_WAV: 'LAB_CALLER_ERR_BAD_WAV',
  /** Binding a socket or opening the SIP connection failed. */
  TRANSPORT: 'LAB_CALLER_ERR_TRANSPORT',
  /** run() was called twice on one LabCaller. */
  ALREADY_RUN: 'LAB_CALLER_ERR_ALREADY_RUN',
} as const;

export type LabCallerErrorCodeValue = (typeof LabCallerErrorCode)[keyof typeof LabCallerErrorCode];

export class LabCallerError extends Error {
  readonly code: LabCallerErrorCodeValue;

  constructor(code: LabCallerErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export function isLabCallerError(x: unknown): x is LabCallerError {
  return x instanceof LabCallerError;
}
