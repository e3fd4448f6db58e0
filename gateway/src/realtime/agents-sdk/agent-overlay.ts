/**
 * Per-call views of the deployment's agents, carrying the gateway's additions: its tools (bridged to
 * the call layer, gateway-tools.ts) and its instructions (the call context) appended to each agent's
 * own. Every agent reachable through handoffs gets them, so end_call still exists after a handoff.
 *
 * Why an overlay (`Object.create(agent)`) rather than `agent.clone()` or mutation:
 * - the loaded agent is typically ONE module-level instance shared by every call, and each call's
 *   bridged tools are bound to that call's backend: mutating it would cross calls;
 * - `Agent.clone()` builds a plain `Agent` (a RealtimeAgent loses its class and `voice`) with a new
 *   event emitter, so hooks the deployment registered on its agent (`agent.on('agent_tool_start')`)
 *   would go silent, and a subclass's overridden methods would be lost.
 * An overlay inherits everything (fields, methods, the emitter) and shadows just `tools`, `handoffs`
 * and `instructions` with own properties. Handoff targets are mapped to their overlays, cycles
 * included (A -> B -> A), and a Handoff object's onInvokeHandoff result is mapped too.
 */
import { Handoff } from '@openai/agents';
import type { RealtimeAgent } from '@openai/agents-realtime';
import type { AgentTool } from './gateway-tools.js';

type AgentHandoff = RealtimeAgent['handoffs'][number];
type Instructions = RealtimeAgent['instructions'];
type InstructionsFunction = Exclude<Instructions, string>;
/** An agent in the handoff graph (RealtimeAgent in practice; the SDK types handoff targets as Agent). */
type AnyAgent = Exclude<AgentHandoff, { onInvokeHandoff: unknown }>;

export interface GatewayAdditions {
  /** Appended to every agent's instructions; read on every session.update (may change mid-call). */
  instructions(): string;
  /** The gateway tools this agent gets (gateway-tools.ts skips names the agent already uses). */
  toolsFor(agent: RealtimeAgent): AgentTool[];
}

export class AgentOverlays {
  readonly #additions: GatewayAdditions;
  /** original -> overlay, and the overlays themselves (a handoff may return one). */
  readonly #byOriginal = new Map<object, { original: RealtimeAgent; overlay: RealtimeAgent }>();
  readonly #overlays = new WeakSet<object>();

  constructor(additions: GatewayAdditions) {
    this.#additions = additions;
  }

  /** The per-call view of `agent` (the same object for the same agent). */
  overlay<A extends AnyAgent>(agent: A): A {
    if (this.#overlays.has(agent)) return agent;
    const known = this.#byOriginal.get(agent);
    if (known !== undefined) return known.overlay as unknown as A;
    // Handoff targets are RealtimeAgents in practice; the session treats every target alike.
    const original = agent as unknown as RealtimeAgent;
    const overlay = Object.create(original) as RealtimeAgent;
    // Registered before recursing so cycles end here.
    this.#byOriginal.set(original, { original, overlay });
    this.#overlays.add(overlay);
    overlay.tools = [...original.tools, ...this.#additions.toolsFor(original)];
    overlay.instructions = withAppendedInstructions(original.instructions, this.#additions.instructions);
    overlay.handoffs = original.handoffs.map((h) => this.#overlayHandoff(h));
    return overlay as unknown as A;
  }

  /** After the gateway's tool set changed: every overlay's tools again. */
  refreshTools(): void {
    for (const { original, overlay } of this.#byOriginal.values()) {
      overlay.tools = [...original.tools, ...this.#additions.toolsFor(original)];
    }
  }

  #overlayHandoff(h: AgentHandoff): AgentHandoff {
    if (!(h instanceof Handoff)) return this.overlay(h);
    return h.clone({
      agent: this.overlay(h.agent),
      onInvokeHandoff: async (context, args) => this.overlay(await h.onInvokeHandoff(context, args)),
    });
  }
}

/** The agent's own instructions (string or function), then the gateway's, separated by a blank line. */
export function withAppendedInstructions(own: Instructions, extra: () => string): InstructionsFunction {
  return async (runContext, agent) => {
    const base = typeof own === 'function' ? await own(runContext, agent) : own;
    const more = extra();
    if (more.length === 0) return base;
    return base.length === 0 ? more : `${base}\n\n${more}`;
  };
}
