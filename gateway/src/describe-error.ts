/**
 * A thrown value as text, one idiom for the whole code base (logs, problem lists, stderr lines).
 * Anything may be thrown: an Error, an SDK's plain error object with a `message`, a string, a
 * number. Text from a peer can be long or span lines, so callers that print it on one line ask for
 * the first line, and the length is always bounded.
 * Beside clock.ts and log.ts, below every layer.
 */

/** Longest text returned: an error that quotes a whole remote payload must not flood a log line. */
export const MAX_ERROR_TEXT = 2_000;
/** Default length of a remote string (a peer's header, reason phrase, error message) in a log line. */
export const MAX_REMOTE_TEXT = 256;

/**
 * A string a peer sent us, cut for a log line or a problem message: at most `max` UTF-16 units
 * (never half a surrogate pair), then "…" and how much was left out, so a 100 KB error message
 * from a remote service costs one short line. The one idiom for remote text in logs.
 */
export function excerpt(text: string, max = MAX_REMOTE_TEXT): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // keep a surrogate pair whole
  return `${text.slice(0, end)}… (+${text.length - end} chars)`;
}

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
  return excerpt(text, MAX_ERROR_TEXT);
}
