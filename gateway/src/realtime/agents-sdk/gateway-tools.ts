/**
 * The bridge between the SDK's tool runner and the call layer, for the gateway's own tools (the
 * function tools of RealtimeSessionConfig.tools: end_call, transfer_to_human, send_dtmf and the
 * deployment's tools module).
 *
 * Each becomes an SDK function tool whose execute:
 *   1. emits `functionCall` {callId, name, arguments, responseId, itemId} to the call layer, exactly
 *      as the openai provider does;
 *   2. waits until the call layer answers with `sendFunctionOutput(callId, output, {respond})`;
 *   3. returns that output to the SDK, which sends the `function_call_output` item and (unless
 *      respond is false, returned as a backgroundResult) asks for the next response.
 * The SDK therefore keeps running the call: its history shows the call and its output, its hooks
 * fire (agent_tool_start/end), and its response sequencing stays intact.
 *
 * The agent's own SDK tools are not bridged: the SDK runs them and the call layer never hears of them.
 * MCP tools of the session config become SDK hosted MCP tools (the model calls them itself).
 */
import { getHandoff, hostedMcpTool, type JsonSchemaDefinition } from '@openai/agents';
import { backgroundResult, tool, type RealtimeAgent } from '@openai/agents-realtime';
import type { Logger } from '../../log.js';
import type { RealtimeFunctionToolConfig, RealtimeMcpToolConfig, RealtimeToolConfig } from '../backend.js';
import type { EmitBackendEvent } from '../ga/event-router.js';

export type AgentTool = RealtimeAgent['tools'][number];
type NonStrictSchema = Extract<JsonSchemaDefinition['schema'], { additionalProperties: true }>;
type ToolResult = string | ReturnType<typeof backgroundResult<string>>;

/** The server's ids of a function call, for the functionCall event a gateway tool emits. */
export interface FunctionCallIds {
  responseId: string;
  itemId: string;
}

/** Function-call ids remembered between the server's arguments.done and the SDK running execute. */
const MAX_CALL_IDS_REMEMBERED = 64;
/** What a still-pending gateway tool returns when the call ends; the SDK drops it (session closed). */
export const CALL_ENDED_OUTPUT = '{"error":"the call ended"}';

export class GatewayToolBridge {
  readonly #emit: EmitBackendEvent;
  readonly #logger: Logger;
  readonly #pending = new Map<string, (result: ToolResult) => void>();
  readonly #ids = new Map<string, FunctionCallIds>();
  readonly #answered = new Set<string>();
  #tools: AgentTool[] = [];
  #closed = false;

  constructor(deps: { emit: EmitBackendEvent; logger: Logger }) {
    this.#emit = deps.emit;
    this.#logger = deps.logger;
  }

  /** The SDK tools for the session config's tools (rebuilt on every call: configs may change mid-call). */
  setTools(configs: readonly RealtimeToolConfig[]): void {
    this.#tools = configs.map((c) => (c.type === 'function' ? this.#bridged(c) : toHostedMcp(c)));
  }

  /** The gateway's tools an agent gets: all, except names the agent already uses (its own tool wins). */
  toolsFor(agent: RealtimeAgent): AgentTool[] {
    const taken = new Set<string>(agent.tools.map((t) => t.name));
    for (const h of agent.handoffs) taken.add(getHandoff(h).toolName);
    return this.#tools.filter((t) => {
      if (t.type !== 'function' || !taken.has(t.name)) return true;
      this.#logger.warn({ agent: agent.name, tool: t.name }, 'agents-sdk: the agent defines its own tool of this name; the gateway tool is not added');
      return false;
    });
  }

  /** The server's ids for a function call (response.function_call_arguments.done). */
  noteCall(callId: string, ids: FunctionCallIds): void {
    if (!this.#ids.has(callId) && this.#ids.size >= MAX_CALL_IDS_REMEMBERED) evictOldest(this.#ids);
    this.#ids.set(callId, ids);
  }

  /**
   * The call layer's answer. 'answered': a gateway tool was waiting and now returns it to the SDK;
   * 'duplicate': that call was answered before (ignored); 'unknown': not a pending gateway call.
   */
  answer(callId: string, output: string, respond: boolean): 'answered' | 'duplicate' | 'unknown' {
    const resolve = this.#pending.get(callId);
    if (resolve === undefined) return this.#answered.has(callId) ? 'duplicate' : 'unknown';
    this.#pending.delete(callId);
    this.#answered.add(callId);
    if (this.#answered.size > MAX_CALL_IDS_REMEMBERED) evictOldest(this.#answered);
    resolve(respond ? output : backgroundResult(output));
    return 'answered';
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** The call ended: every waiting execute returns, so no promise outlives the call. */
  close(): void {
    this.#closed = true;
    for (const resolve of this.#pending.values()) resolve(CALL_ENDED_OUTPUT);
    this.#pending.clear();
  }

  #bridged(c: RealtimeFunctionToolConfig): AgentTool {
    return tool({
      name: c.name,
      description: c.description,
      // Non-strict: the schema goes to the provider exactly as the openai provider sends it; the call
      // layer validates the arguments (it gets the raw JSON text, as with the openai provider).
      parameters: c.parameters as NonStrictSchema,
      strict: false,
      execute: (_input, _runContext, details) => {
        const call = details?.toolCall;
        if (call === undefined) throw new Error(`gateway tool ${c.name} invoked without a tool call`);
        return this.#invoke(c.name, call.callId, call.arguments, call.id);
      },
    });
  }

  #invoke(name: string, callId: string, args: string, itemIdFromSdk: string | undefined): Promise<ToolResult> {
    if (this.#closed) return Promise.resolve(CALL_ENDED_OUTPUT);
    const ids = this.#ids.get(callId);
    this.#ids.delete(callId);
    const result = new Promise<ToolResult>((resolve) => this.#pending.set(callId, resolve));
    this.#emit('functionCall', { callId, name, arguments: args, responseId: ids?.responseId ?? '', itemId: ids?.itemId ?? itemIdFromSdk ?? '' });
    return result;
  }
}

function toHostedMcp(c: RealtimeMcpToolConfig): AgentTool {
  return hostedMcpTool({
    serverLabel: c.server_label,
    serverUrl: c.server_url,
    ...(c.allowed_tools === undefined ? {} : { allowedTools: c.allowed_tools }),
    ...(c.headers === undefined ? {} : { headers: c.headers }),
    ...(c.require_approval === 'always' ? { requireApproval: 'always' as const } : { requireApproval: 'never' as const }),
  });
}

/** Sets and Maps iterate in insertion order: the first key is the oldest. */
function evictOldest(c: Set<string> | Map<string, unknown>): void {
  const oldest = c.keys().next().value;
  if (oldest !== undefined) c.delete(oldest);
}
