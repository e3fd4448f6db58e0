/**
 * What a deployment's tools module exports, and what a handler sees when the model calls its tool.
 * A tools module is plain JavaScript (or TypeScript compiled to it):
 *
 *   export const tools = [{
 *     name: 'lookup_order',
 *     description: 'Find an order by its number.',
 *     parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
 *     async handler({ orderId }, ctx) { return { status: 'shipped' }; },
 *   }];
 */
import type { ConnectCallContext } from '../connect/context.js';
import type { Result } from '../result.js';

export interface ToolHandlerContext {
  /** The SIP Call-ID of the call, for the handler's own logs. */
  callId: string;
  /** What Amazon Connect told us about the contact (ids, numbers, UUI). */
  connect: Readonly<ConnectCallContext>;
  /** Aborted when the tool times out or the call ends: stop work, the result will be ignored. */
  signal: AbortSignal;
  /**
   * Records a contact attribute written to Connect at hand-back (e.g. `customer_verified`), so the
   * flow can route on what the tool learned. Keys: letters, digits, '-', '_'; `ai_*` names the
   * gateway writes are reserved. Throws TypeError for a bad key.
   */
  setHandBackAttribute(name: string, value: string): void;
}

/** The result is sent to the model: a string as is, anything else as JSON. */
export type ToolHandler = (args: Record<string, unknown>, ctx: ToolHandlerContext) => Promise<string | object> | string | object;

export interface AgentTool {
  /** 1..64 of letters, digits, '_' and '-' (the Realtime API's function-name rule). */
  name: string;
  description: string;
  /** JSON Schema of the arguments; `type: "object"` at the top. */
  parameters: Record<string, unknown>;
  handler: ToolHandler;
}

/** A tool after start-up validation: its schema compiled to an argument check. */
export interface LoadedTool extends AgentTool {
  checkArgs(args: unknown): Result<Record<string, unknown>, string>;
}
