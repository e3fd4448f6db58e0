/**
 * Errors of the agent layer. Loading an agent definition never throws: it answers a list of problems,
 * one line each, naming the file and the field (`agent.yaml: turnDetection.eagerness: must be one of
 * low, medium, high, auto`). Running a tool never throws either: the model gets an `{"error": …}`
 * output it can react to, and the call layer gets one of these stable codes for logs and counters.
 */
export type ToolErrorCode =
  /** The model named a tool that is not registered (or a built-in that is disabled). */
  | 'TOOL_ERR_UNKNOWN'
  /** The arguments string is not a JSON object. */
  | 'TOOL_ERR_BAD_JSON'
  /** The arguments do not match the tool's JSON Schema. */
  | 'TOOL_ERR_BAD_ARGS'
  /** The handler did not settle within the tool timeout. */
  | 'TOOL_ERR_TIMEOUT'
  /** The handler threw or rejected. */
  | 'TOOL_ERR_FAILED'
  /** The handler's result cannot be sent (not JSON-serialisable). */
  | 'TOOL_ERR_BAD_OUTPUT'
  /** The call ended (ctx.signal) while the handler ran. */
  | 'TOOL_ERR_ABORTED';

export const TOOL_ERROR_CODES: readonly ToolErrorCode[] = Object.freeze([
  'TOOL_ERR_UNKNOWN',
  'TOOL_ERR_BAD_JSON',
  'TOOL_ERR_BAD_ARGS',
  'TOOL_ERR_TIMEOUT',
  'TOOL_ERR_FAILED',
  'TOOL_ERR_BAD_OUTPUT',
  'TOOL_ERR_ABORTED',
]);

export interface ToolRunError {
  code: ToolErrorCode;
  /** One line; the same text the model sees in `{"error": …}`. */
  message: string;
}

/** The output string for the model: a JSON object with an `error` member, as tool results usually carry. */
export function toolErrorOutput(message: string): string {
  return JSON.stringify({ error: message });
}
