/**
 * Tool approvals on a phone call. The Agents SDK pauses a tool with `needsApproval` (and a hosted MCP
 * tool with `requireApproval`) and emits `tool_approval_requested`, then waits for `session.approve()`
 * or `session.reject()`. Nobody on a phone call can click a button, so without an answer the tool never
 * runs and the agent falls silent. Every request is answered here, at once, by the agent definition's
 * policy (RealtimeSessionConfig.toolApproval): approve, deny with a message the model reads, or deny
 * and hand the caller back to Amazon Connect.
 */
import type { RunToolApprovalItem } from '@openai/agents';
import type { Logger } from '../../log.js';
import type { ToolApprovalAction, ToolApprovalPolicy } from '../backend.js';
import { describeError } from '../../describe-error.js';

/** Used when the session config carries no policy (an embedder's own config): deny, so a gated tool never runs unasked. */
export const DEFAULT_TOOL_APPROVAL: ToolApprovalPolicy = {
  default: 'auto-deny',
  tools: {},
  denyMessage: 'This action needs a person to approve it and nobody can approve it on this call. Do not run it; tell the caller what you cannot do.',
};

/** The part of the SDK's RealtimeSession an approval needs. */
export interface ApprovalSession {
  approve(item: RunToolApprovalItem): Promise<void>;
  reject(item: RunToolApprovalItem, options?: { message?: string }): Promise<void>;
}

export interface ApprovalRequest {
  type: 'function_approval' | 'mcp_approval_request';
  approvalItem: RunToolApprovalItem;
}

export function approvalActionFor(policy: ToolApprovalPolicy, toolName: string | undefined): ToolApprovalAction {
  if (toolName !== undefined && Object.hasOwn(policy.tools, toolName)) return policy.tools[toolName] ?? policy.default;
  return policy.default;
}

export class ToolApprovals {
  readonly #logger: Logger;
  readonly #policy: () => ToolApprovalPolicy;
  readonly #handBack: (reason: string) => void;
  approved = 0;
  denied = 0;

  constructor(deps: { logger: Logger; policy: () => ToolApprovalPolicy; handBack: (reason: string) => void }) {
    this.#logger = deps.logger;
    this.#policy = deps.policy;
    this.#handBack = deps.handBack;
  }

  /** Answers one request by the policy. Never throws; the SDK's answer is awaited only to log a failure. */
  async answer(session: ApprovalSession, request: ApprovalRequest): Promise<ToolApprovalAction> {
    const policy = this.#policy();
    const tool = request.approvalItem.name;
    const action = approvalActionFor(policy, tool);
    this.#logger.info({ tool, kind: request.type, action }, 'tool approval requested: answered by the agent policy');
    try {
      if (action === 'auto-approve') {
        this.approved++;
        await session.approve(request.approvalItem);
        return action;
      }
      this.denied++;
      // Denied first in both cases: the SDK must not keep the call waiting while the hand-back runs.
      await session.reject(request.approvalItem, { message: policy.denyMessage });
    } catch (err) {
      this.#logger.warn({ tool, action, err: describeError(err) }, 'tool approval answer failed');
    }
    if (action === 'hand-back') this.#handBack(`tool ${tool ?? '(unnamed)'} needs an approval nobody can give on the call`);
    return action;
  }
}
