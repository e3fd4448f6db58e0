/**
 * Runs the tool calls the model makes. Built-in tools become typed intents for the call layer (it
 * hangs up, hands back, sends DTMF); the deployment's tools run their handlers with a timeout and an
 * AbortSignal. Nothing the model or a handler does makes `run()` throw: unknown names, arguments that
 * are not JSON or break the schema, handlers that throw, hang or return the unserialisable all come
 * back as an output string the model can react to (`{"error": "..."}`) plus a stable code.
 *
 * Logs carry tool names, durations and codes — never arguments or outputs (they hold caller data).
 */
import type { Clock } from '../clock.js';
import type { ConnectCallContext } from '../connect/context.js';
import { HAND_BACK_ATTRIBUTE_NAMES } from '../connect/hand-back-attributes.js';
import type { Logger } from '../log.js';
import { err, ok, type Result } from '../result.js';
import type { AgentDefinition } from './agent-definition.js';
import { BUILTIN_TOOLS, isBuiltinToolName, parseBuiltinArgs, type BuiltinIntent, type BuiltinToolName } from './builtin-tools.js';
import { TOOL_ERROR_CODES, toolErrorOutput, type ToolErrorCode, type ToolRunError } from './errors.js';
import type { LoadedTool, ToolHandlerContext } from './tool-types.js';

/** Longest output handed to the model, in characters; longer results are cut. */
export const MAX_TOOL_OUTPUT_CHARS = 16_000;
/** Longest error text handed to the model. */
const MAX_ERROR_CHARS = 300;
const ATTRIBUTE_KEY = /^[A-Za-z0-9_-]+$/;
const RESERVED_ATTRIBUTES: ReadonlySet<string> = new Set(Object.values(HAND_BACK_ATTRIBUTE_NAMES));

export interface ToolRunContext {
  /** SIP Call-ID, passed to handlers for their logs. */
  callId: string;
  connect: ConnectCallContext;
  /** Aborted when the call ends; running handlers see it through their own signal. */
  signal?: AbortSignal;
  /** Where handlers' setHandBackAttribute() writes; the call layer passes it on as hand-back extras. */
  handBackAttributes: Map<string, string>;
}

interface RunOutcome {
  output: string;
  durationMs: number;
}

export type ToolRunResult =
  | (RunOutcome & { builtin?: undefined; error?: ToolRunError })
  | (RunOutcome & BuiltinIntent & { error?: undefined });

export interface ToolRegistryStats {
  calls: number;
  builtinCalls: number;
  errors: Record<ToolErrorCode, number>;
}

export interface ToolRegistryOptions {
  clock: Clock;
  /** Per-handler limit, ms (the definition's toolTimeoutMs). */
  timeoutMs: number;
  logger?: Logger;
}

export class ToolRegistry {
  readonly #builtins: ReadonlySet<BuiltinToolName>;
  readonly #tools: ReadonlyMap<string, LoadedTool>;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;
  readonly #stats: ToolRegistryStats = { calls: 0, builtinCalls: 0, errors: Object.fromEntries(TOOL_ERROR_CODES.map((c) => [c, 0])) as Record<ToolErrorCode, number> };

  constructor(builtins: Iterable<BuiltinToolName>, tools: Iterable<LoadedTool>, opts: ToolRegistryOptions) {
    if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) throw new RangeError(`timeoutMs must be > 0, got ${opts.timeoutMs}`);
    this.#builtins = new Set(builtins);
    this.#tools = new Map([...tools].map((t) => [t.name, t]));
    this.#clock = opts.clock;
    this.#timeoutMs = opts.timeoutMs;
    this.#logger = opts.logger;
  }

  static fromDefinition(def: AgentDefinition, opts: Omit<ToolRegistryOptions, 'timeoutMs'>): ToolRegistry {
    return new ToolRegistry(
      def.builtinTools.map((b) => b.name),
      def.tools,
      { ...opts, timeoutMs: def.toolTimeoutMs },
    );
  }

  /** Every tool name the model may call. */
  get names(): string[] {
    return [...this.#builtins, ...this.#tools.keys()];
  }

  stats(): ToolRegistryStats {
    return { ...this.#stats, errors: { ...this.#stats.errors } };
  }

  /** Never rejects. */
  async run(name: string, argsJson: string, ctx: ToolRunContext): Promise<ToolRunResult> {
    const started = this.#clock.now();
    this.#stats.calls++;
    const fail = (code: ToolErrorCode, message: string): ToolRunResult => {
      this.#stats.errors[code]++;
      const short = message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}…` : message;
      const durationMs = this.#clock.now() - started;
      this.#logger?.warn({ tool: name.slice(0, 64), code, durationMs }, 'tool call failed');
      return { output: toolErrorOutput(short), error: { code, message: short }, durationMs };
    };

    const builtin = isBuiltinToolName(name) && this.#builtins.has(name) ? name : undefined;
    const tool = builtin === undefined ? this.#tools.get(name) : undefined;
    if (builtin === undefined && tool === undefined) return fail('TOOL_ERR_UNKNOWN', `unknown tool "${name.slice(0, 64)}"; available: ${this.names.join(', ') || 'none'}`);

    const args = parseArguments(argsJson);
    if (!args.ok) return fail('TOOL_ERR_BAD_JSON', args.error);

    if (builtin !== undefined) {
      const parsed = parseBuiltinArgs(builtin, args.value);
      if (!parsed.ok) return fail('TOOL_ERR_BAD_ARGS', `invalid arguments for ${builtin}: ${parsed.error}`);
      this.#stats.builtinCalls++;
      this.#logger?.info({ tool: builtin }, 'built-in tool called');
      return { ...parsed.value, output: JSON.stringify({ ok: true, result: BUILTIN_TOOLS[builtin].acknowledgement }), durationMs: this.#clock.now() - started };
    }

    const t = tool as LoadedTool;
    const checked = t.checkArgs(args.value);
    if (!checked.ok) return fail('TOOL_ERR_BAD_ARGS', `invalid arguments for ${t.name}: ${checked.error}`);
    if (ctx.signal?.aborted) return fail('TOOL_ERR_ABORTED', `${t.name} not run: the call has ended`);

    const outcome = await this.#runHandler(t, checked.value, ctx);
    if (outcome.kind === 'timeout') return fail('TOOL_ERR_TIMEOUT', `${t.name} did not answer within ${this.#timeoutMs} ms`);
    if (outcome.kind === 'aborted') return fail('TOOL_ERR_ABORTED', `${t.name} stopped: the call has ended`);
    if (outcome.kind === 'threw') return fail('TOOL_ERR_FAILED', `${t.name} failed: ${errorText(outcome.error)}`);
    const output = serialiseOutput(outcome.value);
    if (!output.ok) return fail('TOOL_ERR_BAD_OUTPUT', `${t.name} returned a result that cannot be sent: ${output.error}`);
    const durationMs = this.#clock.now() - started;
    this.#logger?.debug({ tool: t.name, durationMs, outputChars: output.value.length }, 'tool call done');
    return { output: output.value, durationMs };
  }

  async #runHandler(
    tool: LoadedTool,
    args: Record<string, unknown>,
    ctx: ToolRunContext,
  ): Promise<{ kind: 'value'; value: unknown } | { kind: 'threw'; error: unknown } | { kind: 'timeout' } | { kind: 'aborted' }> {
    const controller = new AbortController();
    let stop: (why: 'timeout' | 'aborted') => void = () => undefined;
    const stopped = new Promise<'timeout' | 'aborted'>((resolve) => (stop = resolve));
    const timer = this.#clock.setTimeout(() => {
      controller.abort(new Error('tool timeout'));
      stop('timeout');
    }, this.#timeoutMs);
    const onCallEnd = (): void => {
      controller.abort(new Error('call ended'));
      stop('aborted');
    };
    ctx.signal?.addEventListener('abort', onCallEnd, { once: true });
    const hctx: ToolHandlerContext = {
      callId: ctx.callId,
      connect: ctx.connect,
      signal: controller.signal,
      setHandBackAttribute: (key, value) => setAttribute(ctx.handBackAttributes, key, value),
    };
    try {
      // The handler keeps running after a timeout (it cannot be killed); its late result is ignored,
      // and race() has subscribed to it, so a late rejection is not an unhandled one.
      const handled = Promise.resolve()
        .then(() => tool.handler(args, hctx))
        .then(
          (value) => ({ kind: 'value' as const, value }),
          (error: unknown) => ({ kind: 'threw' as const, error }),
        );
      const first = await Promise.race([handled, stopped.then((why) => ({ kind: why }))]);
      return first;
    } finally {
      this.#clock.clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onCallEnd);
    }
  }
}

function parseArguments(json: string): Result<Record<string, unknown>, string> {
  // Models send "" for a call without arguments.
  if (json.trim() === '') return ok({});
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    return err(`arguments are not valid JSON: ${errorText(cause)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return err('arguments must be a JSON object');
  return ok(value as Record<string, unknown>);
}

function serialiseOutput(value: unknown): Result<string, string> {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === undefined || value === null) text = JSON.stringify({ ok: true });
  else {
    try {
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) return err(`${typeof value} is not JSON`);
      text = json;
    } catch (cause) {
      return err(errorText(cause));
    }
  }
  return ok(text.length > MAX_TOOL_OUTPUT_CHARS ? `${text.slice(0, MAX_TOOL_OUTPUT_CHARS)} …[cut at ${MAX_TOOL_OUTPUT_CHARS} characters]` : text);
}

function setAttribute(target: Map<string, string>, key: string, value: string): void {
  if (typeof key !== 'string' || !ATTRIBUTE_KEY.test(key)) throw new TypeError(`hand-back attribute name ${JSON.stringify(key)}: letters, digits, '-' and '_' only`);
  if (RESERVED_ATTRIBUTES.has(key)) throw new TypeError(`hand-back attribute ${key} is written by the gateway`);
  if (typeof value !== 'string') throw new TypeError(`hand-back attribute ${key}: value must be a string`);
  target.set(key, value);
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
  return (text.split('\n')[0] ?? text).slice(0, MAX_ERROR_CHARS);
}
