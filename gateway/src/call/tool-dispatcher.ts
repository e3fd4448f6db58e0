import { excerpt } from '../describe-error.js';
import type { ToolRegistry } from '../agent/index.js';
import type { ConnectCallContext, HandBackOutcome } from '../connect/index.js';
import type { Logger } from '../log.js';
import type { RealtimeBackend } from '../realtime/backend.js';

/** A tool's result as the call records keep it. */
export interface ToolResultReport {
  toolCallId: string;
  name: string;
  ok: boolean;
  output: string;
  durationMs: number;
}

/** Told when a tool call starts and returns (the slow-tool filler, tool-filler.ts). */
export interface ToolWaitObserver {
  toolStarted(callId: string): void;
  toolFinished(callId: string): void;
}

/** What the built-in tools may do to the call. */
export interface CallControl {
  /** Resolves once the given response's audio has all been sent as RTP (bounded wait). */
  finishSpeaking(responseId: string): Promise<void>;
  /** Writes the outcome to the Connect contact (when given), then hangs up with BYE. */
  hangUp(outcome: HandBackOutcome, reason: string, summary?: string): Promise<void>;
  /** RFC 4733 digits towards the caller's side (e.g. an IVR); resolves false if not sent. */
  sendDtmf(digits: string): Promise<boolean>;
  /** pause_recording / resume_recording: what became of the call's recording. */
  recording(action: 'pause' | 'resume'): 'paused' | 'resumed' | 'unchanged' | 'not-recording';
  /** Handling a tool call failed unexpectedly: the call ends itself (never an unhandled rejection). */
  fault(where: string, err: unknown): void;
}

/**
 * The model's tool calls: `response.function_call_arguments.done` → run (user handler with timeout, or a
 * built-in) → `conversation.item.create` (function_call_output) → `response.create`. A failing tool
 * becomes an output the model can react to, never a dead call.
 */
export class ToolDispatcher {
  readonly #registry: ToolRegistry;
  readonly #backend: RealtimeBackend;
  readonly #control: CallControl;
  readonly #logger: Logger;
  readonly #ctx: { callId: string; connect: ConnectCallContext; handBackAttributes: Map<string, string>; signal: AbortSignal };
  readonly #onResult: ((result: ToolResultReport) => void) | undefined;
  readonly #filler: ToolWaitObserver | undefined;
  calls = 0;
  failures = 0;

  constructor(
    registry: ToolRegistry,
    backend: RealtimeBackend,
    control: CallControl,
    ctx: { callId: string; connect: ConnectCallContext; handBackAttributes: Map<string, string>; signal: AbortSignal },
    log: Logger,
    onResult?: (result: ToolResultReport) => void,
    filler?: ToolWaitObserver,
  ) {
    this.#onResult = onResult;
    this.#filler = filler;
    this.#registry = registry;
    this.#backend = backend;
    this.#control = control;
    this.#ctx = ctx;
    this.#logger = log;
    backend.on('functionCall', (call) => {
      this.#run(call.callId, call.name, call.arguments, call.responseId).catch((err: unknown) => control.fault('tool call', err));
    });
  }

  async #run(callId: string, name: string, args: string, responseId: string): Promise<void> {
    this.calls++;
    this.#filler?.toolStarted(callId);
    let result: Awaited<ReturnType<ToolRegistry['run']>>;
    try {
      result = await this.#registry.run(name, args, this.#ctx);
    } finally {
      // Before the output goes to the model: a filler on the wire is cut, the answer never waits behind it.
      this.#filler?.toolFinished(callId);
    }
    if (this.#ctx.signal.aborted) return;
    const failed = 'error' in result && result.error !== undefined;
    this.#onResult?.({ toolCallId: callId, name, ok: !failed, output: result.output, durationMs: result.durationMs });
    if ('error' in result && result.error) {
      this.failures++;
      this.#logger.warn({ tool: name, code: result.error.code, message: excerpt(result.error.message), ms: result.durationMs }, 'tool failed; the model is told');
    } else {
      this.#logger.info({ tool: name, ms: result.durationMs }, 'tool ran');
    }
    if (!('builtin' in result)) {
      this.#backend.sendFunctionOutput(callId, result.output, { respond: true });
      return;
    }
    switch (result.builtin) {
      case 'send_dtmf': {
        const sent = await this.#control.sendDtmf(result.args.digits);
        if (this.#ctx.signal.aborted) return;
        this.#backend.sendFunctionOutput(callId, JSON.stringify({ sent, digits: result.args.digits }), { respond: true });
        return;
      }
      case 'end_call': {
        // The last sentence is never cut: the answer that carried the call plays to its end first.
        this.#backend.sendFunctionOutput(callId, result.output, { respond: false });
        await this.#control.finishSpeaking(responseId);
        if (this.#ctx.signal.aborted) return;
        await this.#control.hangUp('completed', result.args.reason ?? 'the agent ended the call');
        return;
      }
      case 'pause_recording':
      case 'resume_recording': {
        const state = this.#control.recording(result.builtin === 'pause_recording' ? 'pause' : 'resume');
        const output = state === 'not-recording' ? JSON.stringify({ ok: false, error: 'this call is not being recorded' }) : JSON.stringify({ ok: true, recording: state === 'unchanged' ? (result.builtin === 'pause_recording' ? 'already paused' : 'not paused by you') : state });
        this.#backend.sendFunctionOutput(callId, output, { respond: true });
        return;
      }
      case 'transfer_to_human': {
        this.#backend.sendFunctionOutput(callId, result.output, { respond: false });
        await this.#control.finishSpeaking(responseId);
        if (this.#ctx.signal.aborted) return;
        await this.#control.hangUp('transfer_to_human', result.args.reason, result.args.summary);
        return;
      }
    }
  }
}
