/**
 * Errors of the agents-sdk provider that the realtime layer's `RealtimeError` codes do not cover:
 * loading the deployment's agent module (a start-up problem, reported once with the path and the
 * reason) and failures inside the SDK's own machinery during a call (its tools, handoffs, guardrails),
 * which reach the call layer as non-fatal `error` events with the code below.
 */
export type AgentModuleErrorCode =
  /** AGENTS_SDK_MODULE names no file. */
  | 'AGENT_MODULE_NOT_FOUND'
  /** The file exists but import() failed (syntax error, missing dependency, throwing top level). */
  | 'AGENT_MODULE_LOAD_FAILED'
  /** The module exports none of `createAgent`, `default`, `agent`. */
  | 'AGENT_MODULE_NO_EXPORT'
  /** The export is not a RealtimeAgent (or createAgent returned something else). */
  | 'AGENT_MODULE_WRONG_TYPE';

/** Code of the `error` event for a failure inside the SDK session (tool, handoff, guardrail, history). */
export const AGENTS_SDK_SESSION_ERROR = 'AGENTS_SDK_ERR_SESSION';

const BRAND = Symbol.for('connect-realtime-gateway.AgentModuleError');

export class AgentModuleError extends Error {
  readonly code: AgentModuleErrorCode;
  /** The module path as configured. */
  readonly path: string;
  readonly [BRAND] = true;

  constructor(code: AgentModuleErrorCode, path: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.path = path;
  }

  /** Works across duplicate copies of this module (brand, not prototype). */
  static is(value: unknown): value is AgentModuleError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
