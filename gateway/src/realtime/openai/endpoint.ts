/**
 * How the configured base URL becomes a WebSocket connection.
 *
 * The SDK (`openai/realtime/ws`, `buildRealtimeURL`) takes the client's baseURL, appends `/realtime`,
 * sets `?model=` and then FORCES the scheme to `wss:` whatever it was: `http://127.0.0.1:8081/v1`
 * becomes `wss://127.0.0.1:8081/v1/realtime?model=...`. A custom URL builder must also return wss:.
 * That is right for the real service but would make the lab's plain-ws fake unreachable.
 *
 * So for plaintext bases (http:, ws:) we keep the SDK's URL and pass ws's `createConnection` option,
 * which replaces the transport under the HTTP upgrade: a plain TCP socket to the host and port of the
 * ORIGINAL base URL (so `http://host/v1` still goes to port 80, not the 443 the wss: URL implies).
 * For https:/wss: nothing is overridden and TLS is used as usual. ws:/wss: bases are handed to the SDK
 * as http:/https: (same thing to it).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { describeEndpoint } from '../core/base-url.js';

export interface RealtimeEndpoint {
  /** Base URL for `new OpenAI({ baseURL })`. */
  sdkBaseURL: string;
  /** Set for plaintext endpoints: goes into the ws ClientOptions as `createConnection`. */
  createConnection?: () => Socket;
  /** For logs: where we connect, without credentials. */
  describe: string;
}

export function resolveRealtimeEndpoint(baseURL: string): RealtimeEndpoint {
  const url = new URL(baseURL);
  // Credentials in a URL would end up in logs; the API key travels only in the Authorization header.
  url.username = '';
  url.password = '';
  const plaintext = url.protocol === 'http:' || url.protocol === 'ws:';
  const sdk = new URL(url.toString());
  if (url.protocol === 'ws:') sdk.protocol = 'http:';
  if (url.protocol === 'wss:') sdk.protocol = 'https:';
  const describe = describeEndpoint(url);
  if (!plaintext) return { sdkBaseURL: sdk.toString(), describe };
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? 80 : Number(url.port);
  return {
    sdkBaseURL: sdk.toString(),
    createConnection: () => netConnect({ host, port }),
    describe,
  };
}
