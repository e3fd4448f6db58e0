/**
 * The fake OpenAI Realtime server: HTTP upgrade at `<base>/realtime?model=...` (base `/v1`), any API
 * key but an `Authorization: Bearer` header required, like the real one. Connection-level failure
 * injection (503 refusals, handshake delay) lives here; everything after the upgrade is FakeSession.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { systemClock, type Clock, type Logger } from 'connect-realtime-gateway';
import { SessionRecorder } from './recorder.js';
import type { FakeScript } from './script.js';
import { FakeSession } from './session.js';
import { AudioBank, ScriptCursor } from './turns.js';

export interface FakeRealtimeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  script: FakeScript;
  /** Per-session JSONL + WAV/.g711 files go here. */
  recordDir?: string;
  logger?: Logger;
  /** Drives response pacing, delays and `t` stamps; defaults to the system clock. */
  clock?: Clock;
}

export type AttemptOutcome = 'accepted' | 'refused' | 'unauthorized' | 'not_found' | 'bad_request';

export interface ConnectionAttempt {
  t: number;
  path: string;
  model: string | undefined;
  authorized: boolean;
  /** Request headers, lower-case; the Authorization value is redacted. */
  headers: Record<string, string>;
  outcome: AttemptOutcome;
  status: number;
}

export interface FakeRealtimeServer {
  /** Base URL for OPENAI_BASE_URL, e.g. http://127.0.0.1:8081/v1. */
  readonly url: string;
  readonly port: number;
  /** clock.now() when the server started: every `t` in its records is relative to it. */
  readonly epoch: number;
  readonly sessions: readonly FakeSession[];
  readonly connectionAttempts: readonly ConnectionAttempt[];
  /** Files written by finished sessions (when recording). */
  readonly recordedFiles: readonly string[];
  /** Resolves once `predicate()` holds (re-checked on every event); rejects after `timeoutMs` of real time. */
  waitFor(predicate: () => boolean, timeoutMs: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

const BASE_PATH = '/v1';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 426: 'Upgrade Required', 503: 'Service Unavailable' };

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', code: null, param: null } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export async function startFakeRealtime(opts: FakeRealtimeOptions): Promise<FakeRealtimeServer> {
  const clock = opts.clock ?? systemClock;
  const epoch = clock.now();
  const logger = opts.logger;
  // Loads every fixture now: a bad path fails startup, not the middle of a call.
  const bank = new AudioBank(opts.script);
  const cursor = new ScriptCursor(opts.script);
  const sessions: FakeSession[] = [];
  const attempts: ConnectionAttempt[] = [];
  const recordedFiles: string[] = [];
  const sockets = new Set<WebSocket>();
  const finishing: Array<Promise<void>> = [];
  const waiters = new Set<() => void>();
  let serverClosing = false;
  let refusalsLeft = opts.script.failures?.refuseConnections ?? 0;

  const notify = (): void => {
    for (const w of [...waiters]) w();
  };

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
  const http: Server = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'WebSocket upgrade required', type: 'invalid_request_error' } }));
  });

  const attempt = (a: Omit<ConnectionAttempt, 't'>): void => {
    attempts.push({ t: clock.now() - epoch, ...a });
    notify();
  };

  const onConnection = (ws: WebSocket, model: string): void => {
    const index = sessions.length;
    let terminatedByUs = false;
    sockets.add(ws);
    const session = new FakeSession({
      index,
      model,
      script: opts.script,
      cursor,
      bank,
      clock,
      epoch,
      transport: {
        send: (text) => ws.send(text),
        terminate: () => {
          terminatedByUs = true;
          ws.terminate();
        },
        close: (code, reason) => {
          terminatedByUs = true;
          ws.close(code, reason);
        },
      },
      ...(opts.recordDir === undefined ? {} : { recorder: new SessionRecorder(opts.recordDir, index) }),
      ...(logger === undefined ? {} : { logger }),
      onRecord: notify,
    });
    sessions.push(session);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) session.handleMessage(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
    });
    ws.on('error', (err) => logger?.debug({ session: index, err: err.message }, 'fake realtime socket error'));
    ws.on('close', (code) => {
      sockets.delete(ws);
      session.onClosed(code, terminatedByUs || serverClosing ? 'server' : 'client');
      finishing.push(
        session.finishRecording().then((paths) => {
          recordedFiles.push(...paths);
          notify();
        }),
      );
    });
    logger?.info({ session: index, model }, 'fake realtime session opened');
    session.start();
  };

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://fake');
    const model = url.searchParams.get('model') ?? undefined;
    const auth = req.headers.authorization;
    const authorized = typeof auth === 'string' && /^Bearer\s+\S+/.test(auth);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = name === 'authorization' ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
    }
    const base = { path: url.pathname, model, authorized, headers };
    if (url.pathname !== `${BASE_PATH}/realtime`) {
      attempt({ ...base, outcome: 'not_found', status: 404 });
      return rejectUpgrade(socket, 404, `Invalid URL (GET ${url.pathname})`);
    }
    if (!authorized) {
      attempt({ ...base, outcome: 'unauthorized', status: 401 });
      return rejectUpgrade(socket, 401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.");
    }
    if (model === undefined || model.length === 0) {
      attempt({ ...base, outcome: 'bad_request', status: 400 });
      return rejectUpgrade(socket, 400, 'Missing required parameter: model.');
    }
    const refuseAfter = opts.script.failures?.refuseAfter;
    const accepted = attempts.filter((a) => a.outcome === 'accepted').length;
    if (refusalsLeft === 'always' || refusalsLeft > 0 || (refuseAfter !== undefined && accepted >= refuseAfter)) {
      if (refusalsLeft !== 'always' && refusalsLeft > 0) refusalsLeft--;
      attempt({ ...base, outcome: 'refused', status: 503 });
      return rejectUpgrade(socket, 503, 'The server is overloaded (injected).');
    }
    attempt({ ...base, outcome: 'accepted', status: 101 });
    const upgrade = (): void => {
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, model));
    };
    const delay = opts.script.failures?.handshakeDelayMs ?? 0;
    if (delay > 0) clock.setTimeout(upgrade, delay);
    else upgrade();
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${hostForUrl}:${port}${BASE_PATH}`;
  logger?.info({ url }, 'fake realtime listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    epoch,
    sessions,
    connectionAttempts: attempts,
    recordedFiles,
    waitFor(predicate, timeoutMs, what = 'condition') {
      if (predicate()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake realtime: timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close() {
      closing ??= (async () => {
        serverClosing = true;
        for (const ws of sockets) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        // A socket's 'close' (which starts its recording) may still be pending after terminate().
        await new Promise<void>((resolve) => setImmediate(resolve));
        await Promise.all(finishing);
      })();
      return closing;
    },
  };
}
