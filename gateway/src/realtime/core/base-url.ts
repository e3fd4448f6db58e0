/** The API base both providers reach the Realtime service through, checked once at start-up. */

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

const SCHEMES: readonly string[] = ['http:', 'https:', 'ws:', 'wss:'];

/**
 * `baseURL` (default: the OpenAI API) if it is an http, https, ws or wss URL; otherwise a RangeError
 * naming the option, prefixed by `owner` ("realtime option", "agents-sdk option").
 */
export function resolveBaseURL(owner: string, baseURL: string | undefined): string {
  const value = baseURL ?? DEFAULT_OPENAI_BASE_URL;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new RangeError(`${owner} baseURL is not a URL: ${value}`);
  }
  if (!SCHEMES.includes(parsed.protocol)) {
    throw new RangeError(`${owner} baseURL must be http, https, ws or wss, got ${parsed.protocol}`);
  }
  return value;
}

/** For logs: scheme, host and path; never credentials or the query. */
export function describeEndpoint(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
