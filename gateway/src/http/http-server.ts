/**
 * The operations HTTP server (Node's http): health, the SIP endpoint description, the Connect
 * callback, Prometheus metrics and the call records. Bounded as any listener facing a network is
 * (http-limits.ts), and never taken down by input: a malformed request gets a 4xx, a handler that
 * throws a 500, a slow or greedy peer a closed connection.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../log.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http-limits.js';

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Remote address of the connection. */
  source: string;
  /** The body, read up to the body limit (a larger one is answered 413 before the handler runs). */
  body: Buffer;
  /** Path parameters (`:id` segments). */
  params: Record<string, string>;
}

export interface HttpResult {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialised unless a string (sent as is, with its own content type). */
  body?: unknown;
}

export type HttpHandler = (req: HttpRequest) => HttpResult | Promise<HttpResult>;

export interface Route {
  method: 'GET' | 'POST';
  /** `/calls/:id`: a `:name` segment matches one non-empty path segment. */
  path: string;
  handler: HttpHandler;
}

interface CompiledRoute extends Route {
  segments: string[];
}

export class OpsHttpServer {
  readonly #server: Server;
  readonly #routes: CompiledRoute[];
  readonly #limits: HttpLimits;
  readonly #logger: Logger;
  readonly #perSource = new Map<string, number>();
  readonly #sockets = new Set<Socket>();
  #listening = false;

  constructor(routes: Route[], log: Logger, limits: Partial<HttpLimits> = {}) {
    this.#limits = { ...DEFAULT_HTTP_LIMITS, ...limits };
    this.#logger = log;
    this.#routes = routes.map((r) => ({ ...r, segments: r.path.split('/').filter(Boolean) }));
    const l = this.#limits;
    this.#server = createServer({
      maxHeaderSize: l.maxHeaderBytes,
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      // One Node idiom for bodies: requests are handled only here, never by a default.
      insecureHTTPParser: false,
    });
    this.#server.maxConnections = l.maxConnections;
    this.#server.maxRequestsPerSocket = l.maxRequestsPerSocket;
    this.#server.on('connection', (socket) => this.#onConnection(socket));
    this.#server.on('request', (req, res) => void this.#onRequest(req, res));
    // Bad request lines, oversized headers, timeouts: answer if the socket still can, never throw.
    this.#server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#listening = true;
    this.#server.on('error', (err) => this.#logger.error({ err }, 'http: server error'));
    return this.#server.address() as AddressInfo;
  }

  address(): AddressInfo | undefined {
    const a = this.#server.address();
    return a !== null && typeof a === 'object' ? a : undefined;
  }

  /** Stops accepting, closes idle connections, and ends the rest once their response is out. */
  async close(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    const deadline = setTimeout(() => {
      for (const s of this.#sockets) s.destroy();
    }, 2_000);
    await closed;
    clearTimeout(deadline);
  }

  #onConnection(socket: Socket): void {
    const source = socket.remoteAddress ?? 'unknown';
    const open = (this.#perSource.get(source) ?? 0) + 1;
    if (open > this.#limits.maxConnectionsPerSource) {
      this.#logger.warn({ source, open: open - 1 }, 'http: too many connections from one source; closing');
      socket.destroy();
      return;
    }
    this.#perSource.set(source, open);
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      const left = (this.#perSource.get(source) ?? 1) - 1;
      if (left <= 0) this.#perSource.delete(source);
      else this.#perSource.set(source, left);
    });
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let result: HttpResult;
    try {
      result = await this.#dispatch(req);
    } catch (err) {
      this.#logger.error({ err, method: req.method, path: (req.url ?? '').slice(0, 200) }, 'http: handler failed');
      result = { status: 500, body: { error: 'internal error' } };
    }
    send(res, result);
  }

  async #dispatch(req: IncomingMessage): Promise<HttpResult> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gateway.invalid');
    } catch {
      return drainThen(req, { status: 400, body: { error: 'bad request target' } });
    }
    const segments = url.pathname.split('/').filter(Boolean);
    const matches = this.#routes.flatMap((route) => {
      const params = matchPath(route.segments, segments);
      return params === undefined ? [] : [{ route, params }];
    });
    if (matches.length === 0) return drainThen(req, { status: 404, body: { error: 'not found' } });
    const match = matches.find((m) => m.route.method === req.method || (req.method === 'HEAD' && m.route.method === 'GET'));
    if (match === undefined) {
      const allow = [...new Set(matches.map((m) => m.route.method))].join(', ');
      return drainThen(req, { status: 405, headers: { Allow: allow }, body: { error: `method not allowed (allow: ${allow})` } });
    }
    const body = await readBody(req, this.#limits.maxBodyBytes);
    if (body === 'too-large') return { status: 413, headers: { Connection: 'close' }, body: { error: `body larger than ${this.#limits.maxBodyBytes} bytes` } };
    if (body === 'aborted') return { status: 400, body: { error: 'request aborted' } };
    return match.route.handler({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      source: req.socket.remoteAddress ?? 'unknown',
      body,
      params: match.params,
    });
  }
}

function matchPath(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, p] of pattern.entries()) {
    const s = segments[i] ?? '';
    if (p.startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(s);
      } catch {
        return undefined;
      }
      params[p.slice(1)] = value;
    } else if (p !== s) return undefined;
  }
  return params;
}

/** Reads the body up to `max` bytes; a declared or actual larger one is refused without reading on. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-large' | 'aborted'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | 'too-large' | 'aborted') => {
      if (done) return;
      done = true;
      resolve(v);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        req.resume();
        finish('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks, size)));
    req.on('aborted', () => finish('aborted'));
    req.on('error', () => finish('aborted'));
  });
}

/** A response that needs no body still lets the request's body go (keep-alive stays usable). */
function drainThen(req: IncomingMessage, result: HttpResult): HttpResult {
  req.resume();
  return result;
}

function send(res: ServerResponse, result: HttpResult): void {
  if (res.headersSent || res.destroyed) return;
  const isText = typeof result.body === 'string';
  const payload = result.body === undefined ? '' : isText ? (result.body as string) : `${JSON.stringify(result.body)}\n`;
  const headers: Record<string, string> = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...(result.body === undefined || isText ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    ...result.headers,
    'Content-Length': String(Buffer.byteLength(payload)),
  };
  res.writeHead(result.status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}
