/**
 * A thrown value as text, one idiom for the whole code base (logs, problem lists, stderr lines).
 * Anything may be thrown: an Error, an SDK's plain error object with a `message`, a string, a
 * number. Text from a peer can be long or span lines, so callers that print it on one line ask for
 * the first line, and the length is always bounded.
 * Beside clock.ts and log.ts, below every layer.
 */

/** Longest text returned: an error that quotes a whole remote payload must not flood a log line. */
export const MAX_ERROR_TEXT = 2_000;

export type DescribeErrorOptions = {
  /** The stack instead of the message, for internal errors a developer has to locate. */
  stack?: boolean;
  /** Only the first line (messages that quote YAML, openssl or a parser's caret display). */
  firstLine?: boolean;
};

export function describeError(err: unknown, opts: DescribeErrorOptions = {}): string {
  let text: string;
  if (err instanceof Error) text = (opts.stack ? err.stack : undefined) ?? err.message;
  else if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') text = (err as { message: string }).message;
  else text = String(err);
  if (opts.firstLine) text = text.split('\n', 1)[0] ?? '';
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}
